// Reading a history: a generated JSONL file of one sequential cas-register key (etcdHistory with
// one process and no timeouts: the shape of the 1,000,000-op row of
// lab/checkers/linearizability/README.md), read alone (parse, check every event, pair, order) and
// read and checked as `bbs-lab check --model cas-register` does, in the same run. The file is
// written to the system's temp directory and removed after.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFile } from '../cli/check.ts';
import { readHistory } from '../history/reader.ts';
import { etcdHistory } from './etcd-history.ts';

export interface ReaderBenchRow {
  events: number;
  bytes: number;
  readMs: number;
  checkMs: number;
  verdict: string;
}

/** A sequential one-key cas-register history of `ops` ops as JSONL, one event per line. */
export function sequentialJsonl(ops: number, seed = 7): string {
  const events = etcdHistory({ ops, seed, timeouts: 0, stale: false, processes: 1 });
  return `${events.map((e) => JSON.stringify(e)).join('\n')}\n`;
}

/** Events per second, rounded, with thousands separators. */
export const perSecond = (events: number, ms: number): string =>
  Math.round((events / ms) * 1000).toLocaleString('en-US');

/** The bench line of a row. */
export function readerLine(r: ReaderBenchRow): string {
  return `reader: JSONL, one sequential key, ${r.events.toLocaleString('en-US')} events (${(r.bytes / 2 ** 20).toFixed(0)} MB): read ${(r.readMs / 1000).toFixed(2)} s (${perSecond(r.events, r.readMs)} events/s); read + check (bbs-lab check --model cas-register) ${(r.checkMs / 1000).toFixed(2)} s (${perSecond(r.events, r.checkMs)} events/s), ${r.verdict}`;
}

export function benchReader(ops: number, log: (line: string) => void): ReaderBenchRow {
  const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-bench-reader-'));
  try {
    const run = (n: number): ReaderBenchRow => {
      const path = join(dir, `seq-${n}.jsonl`);
      const text = sequentialJsonl(n);
      writeFileSync(path, text);
      const t0 = performance.now();
      const events = readHistory(path).events.length;
      const readMs = performance.now() - t0;
      const t1 = performance.now();
      const v = checkFile(path, null, { model: 'cas-register' });
      const checkMs = performance.now() - t1;
      rmSync(path);
      return { events, bytes: Buffer.byteLength(text), readMs, checkMs, verdict: v.verdict };
    };
    run(2_000); // warm-up: JIT
    const row = run(ops);
    log(readerLine(row));
    return row;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
