// The BBS workload: the seeded BBS op stream (generator.ts) executed by the SQL store as the real
// BBS would (bbs/sql), with the scenario's BBS options (retry policy, sync wait, …).
// invoke.value is the BbsOp `{ f, args }` and an ok completion's value the BbsResult: the shapes
// the sequential specifications (specs/bbs.ts) read.

import { keyOf, type BbsOp } from '../../bbs/ops.ts';
import { createSchema } from '../../bbs/sql/schema.ts';
import { finalRead, SqlBbsStore } from '../../bbs/sql/store.ts';
import { storeOptions, type StoreOptions } from '../../bbs/sql/options.ts';
import { scenarioBbs } from '../scenario/bbs-profile.ts';
import type { Scenario } from '../scenario/types.ts';
import { TRACED, uniqueValue } from '../checkers/failed-applied.ts';
import { opStream } from './generator.ts';
import type { Executor, Workload, WorkloadOp } from './types.ts';

/**
 * The SQL store's options a scenario sets: its BBS profile with any hypothetical overrides, and the
 * operator's database settings.
 */
export function bbsStoreOptions(s: Scenario): StoreOptions {
  return storeOptions({
    ...scenarioBbs(s).behaviour,
    version: s.bbs.version,
    syncWait: s.database.syncWait,
    statementTimeoutMs: s.database.statementTimeoutMs ?? s.clients.timeoutMs,
    unsafeNoRowLocks: s.bbs.unsafeNoRowLocks,
    plants: s.bbs.plant,
  });
}

export function bbsWorkload(s: Scenario): Workload {
  const storeOptions = bbsStoreOptions(s);
  return {
    async setup(pool) {
      await createSchema(pool);
    },
    *stream(seed, client): Generator<WorkloadOp> {
      let n = 0;
      for (const op of opStream(s.workload, seed, client)) {
        // Every value a write stores is unique in the run (failed-applied.ts TRACED), so a value
        // seen later names the op that wrote it: how the checkers tell that a "failed" write was
        // in fact applied. Instance guids stay as drawn: a repeated claim by one instance is a
        // transition of its own.
        const t = TRACED[op.f];
        const a = op.args as Record<string, unknown>;
        if (t && typeof a[t.arg] === 'string')
          a[t.arg] = uniqueValue(a[t.arg] as string, client, ++n);
        yield { f: op.f, key: keyOf(op), value: op };
      }
    },
    executor(pool): Executor {
      const store = new SqlBbsStore(pool, storeOptions);
      return async (op) => {
        const r = await store.execute(op.value as BbsOp);
        return {
          ...(r.value !== undefined ? { value: r.value } : {}),
          ...(r.error !== undefined ? { error: r.error } : {}),
          ...(r.conn !== undefined ? { conn: r.conn } : {}),
          ...(r.node !== undefined ? { node: r.node } : {}),
          attempts: r.attempts,
          ...(r.retried !== undefined ? { retried: r.retried } : {}),
        };
      };
    },
    finalRead: (pool) => finalRead(pool),
  };
}
