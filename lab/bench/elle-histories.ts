// Elle's published list-append histories (github.com/jepsen-io/elle, histories/*.edn) through the
// lab's isolation checker, one line per history and consistency model: what the lab finds and the
// models it rules out, to set beside what Elle's own tests say of them (see the checker's README).
//
//   node --import tsx lab/bench/elle-histories.ts DIR_OR_FILES…
//
// Some of Elle's small histories (paper-example) are bare op maps without :process, :f or :time,
// which Elle's test harness fills in; this script gives each such op :f :txn and one process, so
// the ops pair up in file order, as they are written.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { checkIsolation } from '../checkers/isolation/index.ts';
import { CONSISTENCY_MODELS, type IsolationResult } from '../checkers/isolation/types.ts';
import { parseEdnHistory } from '../history/edn.ts';
import { pairOps } from '../history/event.ts';
import type { Op } from '../history/event.ts';

export function readElleHistory(text: string, source: string): Op[] {
  const filled = text.replace(/\{(?![^}]*:process)/g, '{:process 0, :f :txn, ');
  return pairOps(parseEdnHistory(filled, source).events);
}

export function describe(res: IsolationResult): string {
  const found = Object.entries(res.counts)
    .filter(([, n]) => n > 0)
    .map(([t, n]) => `${t} ×${n}`);
  const out = new Set(Object.values(res.rulesOut).flat());
  return found.length === 0 ? 'valid' : `${found.join(', ')}; rules out ${[...out].join(', ')}`;
}

function main(args: string[]): void {
  const files = args.flatMap((a) =>
    statSync(a).isDirectory()
      ? readdirSync(a)
          .filter((f) => f.endsWith('.edn'))
          .map((f) => join(a, f))
      : [a],
  );
  for (const file of files.sort()) {
    const text = readFileSync(file, 'utf8');
    if (text.trim() === '') {
      console.log(`${basename(file)}: empty (a Git LFS or missing file?), skipped`);
      continue;
    }
    const ops = readElleHistory(text, file);
    const txns = ops.filter((o) => o.f === 'txn').length;
    for (const consistency of CONSISTENCY_MODELS) {
      const t0 = performance.now();
      const res = checkIsolation(ops, { consistency });
      const ms = performance.now() - t0;
      console.log(
        `${basename(file)} (${txns} txns) ${consistency}: ${describe(res)} [${ms.toFixed(0)} ms]`,
      );
    }
  }
}

if (/elle-histories\.[jt]s$/.test(process.argv[1] ?? '')) main(process.argv.slice(2));
