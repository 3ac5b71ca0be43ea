// The list-append workload (Elle's): each transaction appends unique values to a few lists and
// reads a few lists, on a plain SQL table. Reads expose the order of appends, which lets the
// isolation checker infer every write-write, write-read and read-write dependency and find
// cycles (named as Elle names them: G0, G1c, G-single-item, G-nonadjacent-item, G2-item, each
// with -process / -realtime variants) and lost updates.
//
// Micro-ops: ['append', key, value] and ['r', key, null]; the completion fills reads with the
// list seen (an array of numbers, [] when the row does not exist).

import fc from 'fast-check';
import { runInSession } from '../client/session.ts';
import type { Scenario } from '../scenario/types.ts';
import { deriveSeed } from '../random/seeded-rng.ts';
import type { Executor, Workload, WorkloadOp } from './types.ts';

export type MicroOp = ['append', number, number] | ['r', number, number[] | null];

const TABLE = 'append_lists';
const ISOLATION = {
  'read-committed': 'READ COMMITTED',
  'repeatable-read': 'REPEATABLE READ',
  serializable: 'SERIALIZABLE',
} as const;
const BATCH = 256;
/** Values are unique across clients: client c appends c * STRIDE + 1, + 2, … */
const STRIDE = 10_000_000;

export function listAppendWorkload(s: Scenario): Workload {
  const w = s.workload;
  const micro = fc.oneof(
    fc.integer({ min: 0, max: w.keys - 1 }).map((k) => ['r', k] as const),
    fc.integer({ min: 0, max: w.keys - 1 }).map((k) => ['append', k] as const),
  );
  const txn = fc.array(micro, { minLength: 1, maxLength: w.txnLength });
  return {
    async setup(pool) {
      await pool.query(
        `CREATE TABLE IF NOT EXISTS ${TABLE} (k INT NOT NULL PRIMARY KEY, v LONGTEXT NOT NULL)`,
      );
    },
    *stream(seed, client): Generator<WorkloadOp> {
      let n = 0;
      for (let batch = 0; ; batch++) {
        for (const t of fc.sample(txn, { seed: deriveSeed(seed, client, batch), numRuns: BATCH })) {
          const value: MicroOp[] = t.map(([f, k]) =>
            f === 'r' ? ['r', k, null] : ['append', k, client * STRIDE + ++n],
          );
          yield { f: 'txn', value };
        }
      }
    },
    executor(pool): Executor {
      return (op) =>
        runInSession(
          pool,
          {
            transaction: true,
            timeoutMs: s.clients.timeoutMs,
            syncWait: s.database.syncWait,
            isolationLevel: ISOLATION[w.isolation],
          },
          async (q) => {
            const out: MicroOp[] = [];
            for (const m of op.value as MicroOp[]) {
              if (m[0] === 'append') {
                await q(
                  `INSERT INTO ${TABLE} (k, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = CONCAT(v, ',', VALUES(v))`,
                  [m[1], String(m[2])],
                );
                out.push(m);
              } else {
                const rows = await q<{ v: string }[]>(`SELECT v FROM ${TABLE} WHERE k = ?`, [m[1]]);
                out.push(['r', m[1], parseList(rows[0]?.v)]);
              }
            }
            return out;
          },
        );
    },
    async finalRead(pool) {
      const [rows] = await pool.query(`SELECT k, v FROM ${TABLE} ORDER BY k`);
      return {
        lists: Object.fromEntries(
          (rows as { k: number; v: string }[]).map((r) => [r.k, parseList(r.v)]),
        ),
      };
    },
  };
}

export function parseList(v: string | undefined): number[] {
  if (v === undefined || v === '') return [];
  return v.split(',').map(Number);
}
