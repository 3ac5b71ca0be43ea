// Isolation checker throughput on generated list-append histories: 8 concurrent clients, 20 hot
// keys retired after 64 appends each (as Elle's generator does, so lists stay short), txns of 1–4
// micro-ops, ~2% info and ~2% fail. The histories are serializable, so the verdict must be valid:
// the time is that of building the whole graph and proving it acyclic.

import { checkIsolation } from '../checkers/isolation/index.ts';
import { randomPlan, simulateSerial } from '../checkers/isolation/simulate.ts';

export interface IsolationBenchRow {
  size: number;
  ms: number;
  txnsPerSec: number;
}

const SHAPE = { clients: 8, keys: 20 };

export function benchIsolation(sizes: number[], log: (line: string) => void): IsolationBenchRow[] {
  const run = (size: number): IsolationBenchRow => {
    const ops = simulateSerial(randomPlan(size, 7 + size, SHAPE), {
      clients: SHAPE.clients,
      maxAppendsPerKey: 64,
    });
    const t0 = performance.now();
    const res = checkIsolation(ops, { realtime: true, process: true });
    const ms = performance.now() - t0;
    if (!res.valid)
      throw new Error(`isolation bench: a serializable history was judged invalid: ${res.summary}`);
    return { size, ms, txnsPerSec: (size / ms) * 1000 };
  };
  run(5_000); // warm-up: JIT and the first allocations
  const rows: IsolationBenchRow[] = [];
  for (const size of sizes) {
    const row = run(size);
    rows.push(row);
    log(
      `isolation        ${String(size).padStart(7)} txns ${SHAPE.keys} keys  ${row.ms.toFixed(0).padStart(7)} ms  ${Math.round(row.txnsPerSec).toLocaleString('en-US').padStart(10)} txns/s`,
    );
  }
  return rows;
}
