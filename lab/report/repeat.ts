// The command a report prints to repeat its run: the run's own saved scenario (every default and
// campaign override resolved, lab/scenario/saved.ts) and its seed, through the launcher, since
// `bbs-lab` is on no PATH unless the user linked it. A path inside the project is given from the
// project's root, where the command is run; anywhere else (a temp dir, --out) it stays absolute.
import { isAbsolute, relative } from 'node:path';

export function repeatCommand(runDirPath: string, seed: number, projectRoot: string): string {
  const rel = relative(projectRoot, runDirPath);
  const inside = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  const dir = inside ? rel : runDirPath;
  const file = `${dir.replace(/\/$/, '')}/scenario.yaml`;
  const quoted = /^[\w./-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`;
  return `node bin/bbs-lab.js run ${quoted} --seed ${seed}`;
}
