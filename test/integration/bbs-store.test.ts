// The SQL BBS store against a real 3-node Galera cluster (one cluster for the whole file):
// - sequential random op runs through the store are always accepted by the BBS specifications,
//   under each store configuration (so the store and the specs agree);
// - concurrent ops on one node: row locks serialise a double start, and the planted
//   unsafeNoRowLocks bug lets a task start on two cells, which the task spec rejects;
// - the same task started concurrently through two nodes: one start fails with 1213 on COMMIT
//   (certification failure / brute-force abort), and with the deadlock retry the retried start sees
//   the other cell's start instead;
// - a connection lost while its COMMIT's answer is in flight: the 2017 bad-connection retry runs a
//   CompleteTask that had committed a second time, and the task spec rejects what it answered;
// - Domains lists the fresh domains only: an upserted one, one that never expires, not one whose
//   stored expire_time has passed.

import test from 'ava';
import fc from 'fast-check';
import net from 'node:net';
import mysql from 'mysql2/promise';
import { startLocalCluster, type LocalGalera } from '../../lab/providers/local/cluster.ts';
import { keyOf, type BbsOp, type BbsResult } from '../../bbs/ops.ts';
import { storeOptions, type StoreOptions } from '../../bbs/sql/options.ts';
import { createSchema } from '../../bbs/sql/schema.ts';
import { SqlBbsStore, type FinalRead } from '../../bbs/sql/store.ts';
import { bbsModelFor, type BbsModel } from '../../specs/bbs.ts';
import { taskModel } from '../../specs/task.ts';
import { waitFor } from './helpers.ts';

let cluster: LocalGalera | undefined;
const pools: mysql.Pool[] = [];

function pool(node: number): mysql.Pool {
  const n = cluster!.nodes[node]!;
  const p = mysql.createPool({
    host: n.host,
    port: n.port,
    user: cluster!.user,
    password: cluster!.password,
    database: cluster!.database,
    connectionLimit: 4,
  });
  pools.push(p);
  return p;
}

test.before(async (t) => {
  cluster = await startLocalCluster({
    nodes: 3,
    addressBase: '127.0.2',
    firstHost: 11,
    log: (m) => t.log(m),
  });
  const admin = await mysql.createConnection({
    host: cluster.nodes[0]!.host,
    user: cluster.user,
    password: cluster.password,
    database: cluster.database,
  });
  await createSchema(admin);
  await createSchema(admin); // idempotent, as the BBS runs it at every start
  await admin.end();
});

test.after.always(async () => {
  for (const p of pools) await p.end().catch(() => {});
  await cluster?.stop();
});

// --- sequential agreement --------------------------------------------------------------------

let runNo = 0;

/** Ops over a small key space, so that a run revisits each entity many times. */
function runOps(): fc.Arbitrary<BbsOp[]> {
  const task = fc.constantFrom('t0', 't1');
  const lrp = fc.constantFrom('p0', 'p1');
  const cell = fc.constantFrom('cell-a', 'cell-b', 'cell-c');
  const index = fc.integer({ min: 0, max: 1 });
  const word = fc.constantFrom('alpha', 'beta');
  const inst = fc
    .record({ cellId: cell, n: fc.integer({ min: 0, max: 1 }) })
    .map(({ cellId, n }) => ({ cellId, instanceGuid: `${cellId}-i${n}` }));
  const op: fc.Arbitrary<BbsOp> = fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .record({ taskGuid: task, domain: fc.constant('cf-tasks') })
        .map((args): BbsOp => ({ f: 'DesireTask', args })),
    },
    {
      weight: 3,
      arbitrary: fc
        .record({ taskGuid: task, cellId: cell })
        .map((args): BbsOp => ({ f: 'StartTask', args })),
    },
    {
      weight: 3,
      arbitrary: fc
        .record({ taskGuid: task, cellId: cell, failed: fc.boolean(), result: word })
        .map(
          ({ taskGuid, cellId, failed, result }): BbsOp => ({
            f: 'CompleteTask',
            args: { taskGuid, cellId, failed, failureReason: failed ? 'boom' : '', result },
          }),
        ),
    },
    {
      weight: 1,
      arbitrary: fc.record({ taskGuid: task }).map((args): BbsOp => ({ f: 'CancelTask', args })),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({ taskGuid: task, failureReason: word })
        .map((args): BbsOp => ({ f: 'FailTask', args })),
    },
    {
      weight: 2,
      arbitrary: fc.record({ taskGuid: task }).map((args): BbsOp => ({ f: 'ResolvingTask', args })),
    },
    {
      weight: 2,
      arbitrary: fc.record({ taskGuid: task }).map((args): BbsOp => ({ f: 'DeleteTask', args })),
    },
    {
      weight: 2,
      arbitrary: fc.record({ taskGuid: task }).map((args): BbsOp => ({ f: 'TaskByGuid', args })),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({
          processGuid: lrp,
          domain: fc.constant('cf-apps'),
          instances: fc.integer({ min: 1, max: 3 }),
          annotation: word,
        })
        .map((args): BbsOp => ({ f: 'DesireLRP', args })),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({ processGuid: lrp, instances: fc.integer({ min: 1, max: 3 }) })
        .map((args): BbsOp => ({ f: 'UpdateDesiredLRP', args })),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({ processGuid: lrp })
        .map((args): BbsOp => ({ f: 'RemoveDesiredLRP', args })),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({ processGuid: lrp })
        .map((args): BbsOp => ({ f: 'DesiredLRPByProcessGuid', args })),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({ processGuid: lrp, index })
        .map((a): BbsOp => ({ f: 'CreateUnclaimedActualLRP', args: { ...a, domain: 'cf-apps' } })),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.record({ processGuid: lrp, index }), inst)
        .map(([a, i]): BbsOp => ({ f: 'ClaimActualLRP', args: { ...a, ...i } })),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.record({ processGuid: lrp, index }), inst)
        .map(([a, i]): BbsOp => ({ f: 'StartActualLRP', args: { ...a, ...i } })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.record({ processGuid: lrp, index }), inst)
        .map(([a, i]): BbsOp => ({ f: 'CrashActualLRP', args: { ...a, ...i, reason: 'exit 1' } })),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({ processGuid: lrp, index })
        .map((a): BbsOp => ({ f: 'FailActualLRP', args: { ...a, placementError: 'no room' } })),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({ processGuid: lrp, index })
        .map((a): BbsOp => ({ f: 'RemoveActualLRP', args: a })),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({ processGuid: lrp, index })
        .map((a): BbsOp => ({ f: 'ActualLRPByIndex', args: a })),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({ domain: fc.constant('d0'), ttl: fc.integer({ min: 0, max: 300 }) })
        .map((args): BbsOp => ({ f: 'UpsertDomain', args })),
    },
  );
  return fc.array(op, { minLength: 20, maxLength: 60 });
}

function withPrefix(op: BbsOp, prefix: string): BbsOp {
  const args = { ...(op.args as Record<string, unknown>) };
  for (const k of ['taskGuid', 'processGuid'])
    if (typeof args[k] === 'string') args[k] = prefix + String(args[k]);
  if (op.f === 'UpsertDomain') args.domain = prefix + String(args.domain);
  return { f: op.f, args } as BbsOp;
}

/** The final read of one key, as the read op of its entity would have answered. */
function finalReadStep(key: string, f: FinalRead): [BbsOp, BbsResult] | undefined {
  const [kind, a, b] = key.split('/') as [string, string, string | undefined];
  switch (kind) {
    case 'task':
      return [
        { f: 'TaskByGuid', args: { taskGuid: a } },
        { record: f.tasks.find((x) => x.taskGuid === a) ?? null },
      ];
    case 'desired':
      return [
        { f: 'DesiredLRPByProcessGuid', args: { processGuid: a } },
        { record: f.desiredLRPs.find((x) => x.processGuid === a) ?? null },
      ];
    case 'actual':
      return [
        { f: 'ActualLRPByIndex', args: { processGuid: a, index: Number(b) } },
        { record: f.actualLRPs.find((x) => x.processGuid === a && x.index === Number(b)) ?? null },
      ];
    default:
      return undefined;
  }
}

const configs: { name: string; opts: Partial<StoreOptions>; nodes: number[] }[] = [
  { name: 'BBS 2016-05 (first shipped SQL store)', opts: { version: '2016-05' }, nodes: [0] },
  { name: 'BBS 2016-03 (share locks, no retry)', opts: { version: '2016-03' }, nodes: [0] },
  {
    name: 'BBS 2016-11 with sync wait, and share locks (hypothetical)',
    opts: { version: '2016-11', syncWait: 1, actualLRPLock: 'share' },
    nodes: [0],
  },
  { name: "today's BBS", opts: { version: 'today' }, nodes: [0] },
  {
    name: 'hypothetical permissive actual LRP rule',
    opts: { version: '2016-05', actualLRPRules: 'permissive' },
    nodes: [0],
  },
  {
    name: 'planted unsafeNoRowLocks (harmless when sequential)',
    opts: { version: '2016-05', unsafeNoRowLocks: true },
    nodes: [0],
  },
  // Sequential ops spread over all three nodes agree only because every statement waits for the
  // node to catch up (wsrep_sync_wait = 15: reads, updates, deletes, inserts).
  {
    name: 'round robin over three nodes with wsrep_sync_wait = 15',
    opts: { version: '2016-11', syncWait: 15 },
    nodes: [0, 1, 2],
  },
];

for (const cfg of configs) {
  test.serial(
    `sequential runs through the store are accepted by the specs: ${cfg.name}`,
    async (t) => {
      const stores = cfg.nodes.map((n) => new SqlBbsStore(pool(n), cfg.opts));
      // The specs hold each store to its own commit's rule and forms (2016-03 wrote differently).
      const o = storeOptions(cfg.opts);
      const modelFor = (key: string): BbsModel =>
        bbsModelFor(key, { actualLRPRules: o.actualLRPRules, actualLRPForm: o.actualLRPForm })!;
      let executed = 0;
      await fc.assert(
        fc.asyncProperty(runOps(), async (generated) => {
          // A fresh prefix per execution (also when fast-check shrinks), so runs never share rows.
          const ops = generated.map((o) => withPrefix(o, `r${++runNo}-`));
          const states = new Map<string, unknown>();
          for (const [i, op] of ops.entries()) {
            const key = keyOf(op)!;
            const store = stores[i % stores.length]!;
            const res = await store.execute(op);
            if (res.error) throw new Error(`${op.f} failed on ${res.node}: ${res.error.message}`);
            if (res.node !== cluster!.nodes[cfg.nodes[i % stores.length]!]!.name)
              throw new Error(`served by ${res.node}`);
            const m = modelFor(key);
            const [legal, next] = m.step(
              states.has(key) ? states.get(key) : m.init(),
              op,
              res.value,
            );
            if (!legal)
              throw new Error(
                `step ${i} ${m.describeOp(op, res.value)} is illegal in state ${m.describeState(states.get(key) ?? m.init())}`,
              );
            states.set(key, next);
            executed++;
          }
          const final = await stores[0]!.finalRead();
          for (const [key, state] of states) {
            const read = finalReadStep(key, final);
            if (!read) continue;
            const m = modelFor(key);
            if (!m.step(state, read[0], read[1])[0])
              throw new Error(
                `final read of ${key}: ${m.describeOp(read[0], read[1])} but the model holds ${m.describeState(state)}`,
              );
          }
        }),
        { numRuns: 10 },
      );
      t.true(executed >= 10 * 20, `${executed} ops executed`);
    },
  );
}

// --- concurrency on one node ---------------------------------------------------------------

/**
 * Resolves when a statement matching `like` is executing on the node (e.g. waiting for a row lock).
 */
async function statementRunning(p: mysql.Pool, like: string): Promise<void> {
  await waitFor(
    `a statement like ${like} in the process list`,
    async () => {
      const [rows] = await p.query(
        "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE COMMAND = 'Query' AND INFO LIKE ?",
        [like],
      );
      return Number((rows as { n: number }[])[0]!.n) > 0;
    },
    20_000,
  );
}

function gate(): {
  reached: Promise<void>;
  reach: () => void;
  open: () => void;
  opened: Promise<void>;
} {
  let reach!: () => void;
  let open!: () => void;
  const reached = new Promise<void>((r) => (reach = r));
  const opened = new Promise<void>((r) => (open = r));
  return { reached, reach, open, opened };
}

/**
 * Two StartTasks on one node, the first held before its COMMIT until the second waits on its lock.
 */
type Done = [BbsOp, BbsResult | undefined];

async function doubleStartOnOneNode(
  opts: Partial<StoreOptions>,
  guid: string,
): Promise<[Done, Done, Done]> {
  const p = pool(0);
  const store = new SqlBbsStore(p, opts);
  const desire: BbsOp = { f: 'DesireTask', args: { taskGuid: guid, domain: 'cf-tasks' } };
  const startA: BbsOp = { f: 'StartTask', args: { taskGuid: guid, cellId: 'cell-a' } };
  const startB: BbsOp = { f: 'StartTask', args: { taskGuid: guid, cellId: 'cell-b' } };
  const d = await store.execute(desire);
  const g = gate();
  const a = store.execute(startA, {
    beforeCommit: async () => {
      g.reach();
      await g.opened;
    },
  });
  await g.reached;
  const b = store.execute(startB);
  // The second start is blocked by the first's row lock: at its SELECT … FOR UPDATE, or (without
  // row locks) only at its UPDATE, after it has read PENDING.
  await statementRunning(
    p,
    opts.unsafeNoRowLocks ? 'UPDATE tasks SET state%' : 'SELECT %FROM tasks%FOR UPDATE',
  );
  g.open();
  const [ra, rb] = await Promise.all([a, b]);
  if (ra.error || rb.error)
    throw new Error(`unexpected database error: ${(ra.error ?? rb.error)!.message}`);
  return [
    [desire, d.value],
    [startA, ra.value],
    [startB, rb.value],
  ];
}

/** Whether the two concurrent starts fit the task spec in either order. */
function linearizable(h: [Done, Done, Done]): boolean {
  const [desire, x, y] = h;
  return [
    [desire, x, y],
    [desire, y, x],
  ].some((order) => {
    let s = taskModel.init();
    for (const [op, out] of order) {
      const [ok, next] = taskModel.step(s, op, out);
      if (!ok) return false;
      s = next;
    }
    return true;
  });
}

test.serial(
  'Domains lists the domains whose expiry is after now: upserted ones, not an expired row',
  async (t) => {
    const store = new SqlBbsStore(pool(1), { version: '2016-05' });
    const up = async (domain: string, ttl: number) =>
      t.falsy((await store.execute({ f: 'UpsertDomain', args: { domain, ttl } })).error);
    await up('dom-fresh', 300);
    await up('dom-forever', 0);
    await up('dom-expired', 300);
    // An expiry 1 s in the past (UnixNano), as an upsert with ttl 1 made 2 s ago would have left
    // it:
    // written directly so the test waits on no clock.
    const admin = await mysql.createConnection({
      host: cluster!.nodes[1]!.host,
      port: cluster!.nodes[1]!.port,
      user: cluster!.user,
      password: cluster!.password,
      database: cluster!.database,
    });
    await admin.query('UPDATE domains SET expire_time = ? WHERE domain = ?', [
      BigInt(Date.now() - 1000) * 1_000_000n,
      'dom-expired',
    ]);
    await admin.end();
    const r = await store.execute({ f: 'Domains', args: {} });
    t.falsy(r.error);
    const listed = (r.value?.domains ?? []).filter((d) => d.startsWith('dom-')).sort();
    t.deepEqual(listed, ['dom-forever', 'dom-fresh']);
    // Upserted again, it is fresh again.
    await up('dom-expired', 300);
    const again = await store.execute({ f: 'Domains', args: {} });
    t.deepEqual((again.value?.domains ?? []).filter((d) => d.startsWith('dom-')).sort(), [
      'dom-expired',
      'dom-forever',
      'dom-fresh',
    ]);
  },
);

test.serial(
  'row locks serialise two starts on one node: the second sees the first and is refused',
  async (t) => {
    const h = await doubleStartOnOneNode({ version: '2016-05' }, 'lock-t1');
    t.is(h[1][1]?.shouldStart, true);
    t.is(h[2][1]?.error, 'InvalidStateTransition');
    t.true(linearizable(h));
  },
);

test.serial(
  'without row locks (planted bug) both starts succeed, and the task spec rejects the history',
  async (t) => {
    const h = await doubleStartOnOneNode(
      { version: '2016-05', unsafeNoRowLocks: true },
      'nolock-t1',
    );
    t.log(JSON.stringify(h.map(([op, out]) => [op.f, op.args, out])));
    t.is(h[1][1]?.shouldStart, true);
    t.is(
      h[2][1]?.shouldStart,
      true,
      'the second start read PENDING from its snapshot and overwrote the first',
    );
    t.false(linearizable(h));
  },
);

// --- the same task started through two nodes ------------------------------------------------

/**
 * StartTask through n2 is held before its COMMIT while the same task is started through n1; n1
 * commits first, so n2's transaction is aborted by certification (or brute force) and its COMMIT
 * gets 1213.
 */
async function crossNodeStart(opts: Partial<StoreOptions>, guid: string) {
  const s1 = new SqlBbsStore(pool(0), { version: '2016-05', syncWait: 1 });
  const s2 = new SqlBbsStore(pool(1), { syncWait: 1, deadlockRetryDelayMs: 100, ...opts });
  const desired = await s1.execute({
    f: 'DesireTask',
    args: { taskGuid: guid, domain: 'cf-tasks' },
  });
  const g = gate();
  const onN2 = s2.execute(
    { f: 'StartTask', args: { taskGuid: guid, cellId: 'cell-b' } },
    {
      beforeCommit: async (attempt) => {
        if (attempt > 1) return;
        g.reach();
        await g.opened;
      },
    },
  );
  await g.reached;
  const onN1 = await s1.execute({ f: 'StartTask', args: { taskGuid: guid, cellId: 'cell-a' } });
  g.open();
  const r2 = await onN2;
  const read = await s2.execute({ f: 'TaskByGuid', args: { taskGuid: guid } });
  return { desired, onN1, r2, read };
}

test.serial(
  '3 nodes: the same task started through two nodes at once fails one start with 1213 on COMMIT',
  async (t) => {
    const { desired, onN1, r2, read } = await crossNodeStart(
      { deadlockRetry: 'none' },
      'galera-t1',
    );
    t.truthy(desired.value?.record);
    t.is(onN1.node, 'n1');
    t.is(onN1.value?.shouldStart, true);
    t.is(r2.node, 'n2');
    t.is(r2.value, undefined);
    t.is(r2.error?.errno, 1213, r2.error?.message);
    t.is(r2.error?.phase, 'commit');
    t.is(r2.attempts, 1);
    t.is(typeof r2.conn, 'number');
    t.like(read.value?.record, { state: 'RUNNING', cellId: 'cell-a' });
  },
);

for (const policy of ['all-2016-11', 'commit-only-2016-04'] as const) {
  test.serial(
    `3 nodes: with deadlock retry ${policy} the retried start sees the other cell's start instead of failing`,
    async (t) => {
      const { onN1, r2, read } = await crossNodeStart(
        { deadlockRetry: policy },
        `galera-${policy}`,
      );
      t.is(onN1.value?.shouldStart, true);
      t.is(r2.error, undefined);
      t.deepEqual(r2.value, { error: 'InvalidStateTransition' });
      t.is(r2.attempts, 2);
      t.is(r2.retried?.[0]?.errno, 1213);
      t.like(read.value?.record, { state: 'RUNNING', cellId: 'cell-a' });
    },
  );
}

// --- a COMMIT whose answer is lost ---------------------------------------------------------

/**
 * A TCP relay to a node that, once armed, swallows the next answer from the server and closes the
 * client's connection: the client sees its connection lost while the server has executed the
 * statement (here: a COMMIT).
 */
async function answerEatingRelay(
  host: string,
  port: number,
): Promise<{ port: number; arm(): void; close(): Promise<void> }> {
  let armed = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host, port });
    sockets.add(client).add(upstream);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => {
      if (!armed) {
        client.write(d);
        return;
      }
      armed = false;
      client.destroy();
      upstream.destroy();
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  return {
    port: (server.address() as net.AddressInfo).port,
    arm: () => {
      armed = true;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function completeWithLostCommitAnswer(opts: Partial<StoreOptions>, guid: string) {
  const n1 = cluster!.nodes[0]!;
  const relay = await answerEatingRelay(n1.host, n1.port);
  const viaRelay = mysql.createPool({
    host: n1.host,
    port: relay.port,
    user: cluster!.user,
    password: cluster!.password,
    database: cluster!.database,
    connectionLimit: 2,
  });
  try {
    const store = new SqlBbsStore(viaRelay, { deadlockRetryDelayMs: 50, ...opts });
    const direct = new SqlBbsStore(pool(0));
    const history: Done[] = [];
    const run = async (s: SqlBbsStore, op: BbsOp, armBeforeCommit = false) => {
      const r = await s.execute(
        op,
        armBeforeCommit
          ? { beforeCommit: async (attempt) => (attempt === 1 ? relay.arm() : undefined) }
          : {},
      );
      history.push([op, r.error ? undefined : r.value]);
      return r;
    };
    await run(direct, { f: 'DesireTask', args: { taskGuid: guid, domain: 'cf-tasks' } });
    await run(direct, { f: 'StartTask', args: { taskGuid: guid, cellId: 'cell-a' } });
    const complete = await run(
      store,
      {
        f: 'CompleteTask',
        args: {
          taskGuid: guid,
          cellId: 'cell-a',
          failed: false,
          failureReason: '',
          result: 'out-1',
        },
      },
      true,
    );
    await run(direct, { f: 'TaskByGuid', args: { taskGuid: guid } });
    return { complete, history, accepted: replayTask(history) };
  } finally {
    await viaRelay.end().catch(() => {});
    await relay.close();
  }
}

function replayTask(h: Done[]): boolean {
  let s = taskModel.init();
  for (const [op, out] of h) {
    const [ok, next] = taskModel.step(s, op, out);
    if (!ok) return false;
    s = next;
  }
  return true;
}

test.serial(
  'a lost COMMIT answer is an unknown outcome; the spec accepts the completion having happened',
  async (t) => {
    const { complete, history, accepted } = await completeWithLostCommitAnswer(
      { deadlockRetry: 'all-2016-11' },
      'lost-commit-1',
    );
    t.is(complete.error?.phase, 'commit');
    t.true(
      ['PROTOCOL_CONNECTION_LOST', 'ECONNRESET'].includes(complete.error?.code ?? ''),
      complete.error?.code,
    );
    t.is(complete.attempts, 1);
    t.like(
      history[3]![1]?.record,
      { state: 'COMPLETED', result: 'out-1' },
      'the COMMIT had applied',
    );
    t.true(accepted);
  },
);

test.serial(
  'the 2017 bad-connection retry runs a committed CompleteTask again, and the task spec rejects its answer',
  async (t) => {
    const { complete, history, accepted } = await completeWithLostCommitAnswer(
      { deadlockRetry: 'all-and-bad-conn-2017-06' },
      'lost-commit-2',
    );
    t.is(complete.attempts, 2);
    t.is(complete.retried?.[0]?.phase, 'commit');
    t.is(complete.error, undefined);
    t.deepEqual(
      complete.value,
      { error: 'InvalidStateTransition' },
      'the second run found the task already completed',
    );
    t.like(history[3]![1]?.record, { state: 'COMPLETED', result: 'out-1' });
    t.false(
      accepted,
      'an op that answered "refused" but whose effect is visible is not linearizable',
    );
  },
);
