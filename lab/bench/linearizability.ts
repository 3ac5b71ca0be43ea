// Linearizability checker throughput on generated cas-register histories (8 concurrent processes,
// info ops, a fixed set of keys so each key's history grows with the total).

import { checkLinearizable } from '../checkers/linearizability/index.ts';
import { pairOps } from '../history/event.ts';
import { casRegisterModel } from '../../models/specs/cas-register.ts';
import type { Model } from '../../models/specs/model.ts';
import { registerHistory } from './register-history.ts';

export interface LinBenchRow {
  size: number;
  keys: number;
  ms: number;
  opsPerSec: number;
  valid: boolean | 'unknown';
}

export function benchLinearizability(sizes: number[], log: (line: string) => void, opts: { keys?: number; infoShare?: number } = {}): LinBenchRow[] {
  const keys = opts.keys ?? 10;
  const infoShare = opts.infoShare ?? 0.02;
  const run = (size: number): LinBenchRow => {
    const ops = pairOps(registerHistory({ ops: size, processes: 8, keys, infoShare, seed: 42 + size }));
    const t0 = performance.now();
    const res = checkLinearizable(ops, () => casRegisterModel as Model);
    const ms = performance.now() - t0;
    return { size, keys, ms, opsPerSec: (size / ms) * 1000, valid: res.valid };
  };
  run(500); // warm-up: JIT and the first allocations
  const rows: LinBenchRow[] = [];
  for (const size of sizes) {
    const row = run(size);
    rows.push(row);
    log(`linearizability  ${String(size).padStart(7)} ops  ${keys} keys  ${row.ms.toFixed(0).padStart(7)} ms  ${Math.round(row.opsPerSec).toLocaleString('en-US').padStart(10)} ops/s  verdict ${row.valid}`);
  }
  return rows;
}
