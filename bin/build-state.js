// Whether the build in dist/ (tsconfig.build.json, stamped dist/.built) is fresh, and making it:
// shared by bin/bbs-lab.js and bin/bench.js, which both prefer the build to compiling at run time.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Why the build cannot be used, or null when it is fresh. Stats the sources only (a few ms). */
export function staleBecause() {
  let built;
  try {
    built = statSync(join(root, 'dist', '.built')).mtimeMs;
  } catch {
    return 'no build (dist/.built)';
  }
  for (const f of ['tsconfig.json', 'tsconfig.build.json']) {
    try {
      if (statSync(join(root, f)).mtimeMs > built) return `${f} changed`;
    } catch {
      /* an absent config cannot be newer */
    }
  }
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return null;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        const r = walk(p);
        if (r) return r;
      } else if (e.name.endsWith('.ts') && statSync(p).mtimeMs > built)
        return `${p.slice(root.length + 1)} is newer than the build`;
    }
    return null;
  };
  return walk(join(root, 'lab')) ?? walk(join(root, 'bbs')) ?? walk(join(root, 'specs'));
}

/**
 * Builds dist/ as scripts/setup.sh does: the stamp is taken before the compile, so an edit made
 * during it still counts as newer. The stamp waits in the project's .tmp/ (git-ignored), on the
 * same file system as dist/, so moving it in is a rename. Returns an error message, or null; the
 * existing build is kept when the compiler cannot be found.
 */
export function build() {
  let tsc;
  try {
    tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    return "the lab's npm dependencies are not installed (no typescript in node_modules); run `bash scripts/setup.sh`";
  }
  mkdirSync(join(root, '.tmp'), { recursive: true });
  const stamp = join(root, '.tmp', `build-stamp-${process.pid}`);
  writeFileSync(stamp, '');
  try {
    rmSync(join(root, 'dist'), { recursive: true, force: true });
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
      cwd: root,
      stdio: 'inherit',
    });
    if (r.status !== 0) return `tsc -p tsconfig.build.json exited ${r.status ?? r.signal}`;
    renameSync(stamp, join(root, 'dist', '.built'));
    return null;
  } finally {
    rmSync(stamp, { force: true });
  }
}
