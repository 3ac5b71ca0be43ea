#!/usr/bin/env node
// The lab is written in TypeScript. scripts/setup.sh compiles it once to dist/
// (tsconfig.build.json) and stamps dist/.built; this launcher runs that build when no source is
// newer than the stamp (starting in a fraction of the time tsx needs to compile at run time), and
// otherwise runs the sources through tsx, so an edit made since the last setup is never run stale.
// BBS_LAB_LAUNCHER=which prints the choice and exits (tests use it).
import { staleBecause } from './build-state.js';

const stale = staleBecause();
if (process.env.BBS_LAB_LAUNCHER === 'which') {
  process.stdout.write(stale ? `tsx: ${stale}\n` : 'dist\n');
  process.exit(0);
}

let main;
if (!stale) {
  ({ main } = await import('../dist/lab/cli/main.js'));
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    // A fresh checkout before its first `npm start`/`npm test`: say what to run, not a stack trace.
    process.stderr.write(
      "bbs-lab: the lab's npm dependencies are not installed (no tsx in node_modules).\n" +
        '  Run `bash scripts/setup.sh` in the project directory (it runs `npm ci` and installs the Debian packages), then try again.\n',
    );
    process.exit(2);
  }
  register();
  ({ main } = await import('../lab/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
