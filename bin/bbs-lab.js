#!/usr/bin/env node
// The lab is written in TypeScript and run through tsx, so there is no build step to forget.
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
const { main } = await import('../lab/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
