// How long `bbs-lab check <small history>` takes from a cold process to its verdict: the build in
// dist/ against the sources through tsx (timed by hiding the build's stamp for the while, so the
// launcher takes its fallback). Printed beside `node -e 0`, the floor any Node command pays on
// this machine, since its load varies a lot.

import { spawnSync } from 'node:child_process';
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../project-root.ts';

const HISTORY = join(PROJECT_ROOT, 'test', 'fixtures', 'edn', 'cas-register-valid.edn');
const STAMP = join(PROJECT_ROOT, 'dist', '.built');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeMs(args: string[], runs: number): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: PROJECT_ROOT, encoding: 'utf8' });
    ms.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  return median(ms);
}

export function benchStartup(log: (line: string) => void, runs = 5): void {
  const check = [
    join(PROJECT_ROOT, 'bin', 'bbs-lab.js'),
    'check',
    HISTORY,
    '--model',
    'cas-register',
  ];
  const floor = timeMs(['-e', '0'], runs);
  const which = spawnSync(process.execPath, [check[0]!], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...process.env, BBS_LAB_LAUNCHER: 'which' },
  }).stdout.trim();
  const built = which === 'dist' ? timeMs(check, runs) : null;
  // tsx: hide the stamp for the duration, so the launcher takes the fallback path.
  let tsx: number;
  if (existsSync(STAMP)) {
    renameSync(STAMP, `${STAMP}.bench`);
    try {
      tsx = timeMs(check, runs);
    } finally {
      renameSync(`${STAMP}.bench`, STAMP);
    }
  } else tsx = timeMs(check, runs);
  log(
    `startup: check of a 14-event history, cold process, median of ${runs}: ` +
      (built !== null
        ? `built ${built.toFixed(0)} ms`
        : `built n/a (${which}; run scripts/setup.sh)`) +
      `, tsx ${tsx.toFixed(0)} ms, node -e 0 ${floor.toFixed(0)} ms` +
      (built !== null
        ? ` (built: ${(built - floor).toFixed(0)} ms above the floor, ${(tsx / built).toFixed(1)}× faster than tsx)`
        : ''),
  );
}
