#!/usr/bin/env node
// `npm run bench`: the benchmarks run the build in dist/, the code bin/bbs-lab.js runs, rebuilt
// first when a source is newer than it. Not the sources through tsx: tsx compiles with esbuild's
// keepNames, which names every closure as it is created (an Object.defineProperty per closure,
// about 0.8 µs each, measured), a cost the lab's users never pay and that made the checker's small
// searches look several times slower than they are.
// BBS_BENCH_SOURCES=1 runs the sources through tsx instead (to bench an edit without a build).
import { build, staleBecause } from './build-state.js';

if (process.env.BBS_BENCH_SOURCES === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  process.stdout.write('bench: the sources through tsx (BBS_BENCH_SOURCES=1)\n');
  await import('../lab/bench/main.ts');
} else {
  const stale = staleBecause();
  if (stale) {
    process.stderr.write(`bench: building dist/ first (${stale})\n`);
    const err = build();
    if (err) {
      process.stderr.write(`bench: ${err}\n`);
      process.exit(2);
    }
  }
  process.stdout.write('bench: the build in dist/ (as bin/bbs-lab.js runs it)\n');
  await import('../dist/lab/bench/main.js');
}
