// LRP convergence of the legacy etcd store, as the 2016 BBS ran it (db3234a7 2016-05-03
// db/etcd/lrp_convergence.go, the same steps at 47049111 2016-11-30, with the handler
// handlers/lrp_convergence_handlers.go): gather is three GETs of whole trees (every actual LRP,
// every desired LRP's two halves, the domains); the comparison is done in the BBS's memory
// (CalculateConvergence); the fixes are single-key writes, each a compare-and-swap on the index the
// gather read: missing instances created (create-only PUT), restartable CRASHED ones unclaimed (CAS),
// then the handler retires the extras (read, then compare-and-delete, or the cell is asked to stop
// it) and unclaims the LRPs on missing cells (read, CAS), 20 at a time (convergenceWorkers).
//
// Not modelled: the prune of undecodable values and empty directories (the lab writes none), the
// orphaned run infos' prune (desiredLRPCreationTimeout), metrics, events, the auctioneer (start
// requests are counted).

import type { BbsVersion } from '../versions/index.ts';
import {
  emptyGather,
  type ConvergenceFixes,
  type ConvergenceGather,
  type ConvergenceReport,
  type LrpKey,
  limiter,
  shouldRestartCrash,
} from '../sql/convergence.ts';
import { type EtcdClient, EtcdError, type EtcdNode, leaves, NODE_EXISTS } from './client.ts';
import type { EtcdActualValue } from './bulk.ts';
import { ACTUAL_ROOT, DOMAIN_ROOT, RUN_ROOT, SCHEDULE_ROOT, type ScheduleInfo } from './store.ts';
import { unclaimedActualLRP } from '../ops.ts';

const STALE_UNCLAIMED_NS = 30e9; // models.StaleUnclaimedActualLRPDuration

export interface EtcdActual {
  value: EtcdActualValue;
  /** The key's modifiedIndex: the CAS the fixes send. */
  modifiedIndex: number;
}

/** What the gather read, as CalculateConvergence gets it (ConvergenceInput). */
export interface EtcdConvergenceInput {
  /** Every guid with an actual LRP (instance or evacuating) or a scheduling info. */
  allGuids: readonly string[];
  /** Desired LRPs with both halves: guid → (domain, instances). */
  desired: ReadonlyMap<string, { domain: string; instances: number }>;
  /** The `instance` actual LRPs (not evacuating) by guid, then index. */
  actuals: ReadonlyMap<string, ReadonlyMap<number, EtcdActual>>;
  freshDomains: ReadonlySet<string>;
  cells: ReadonlySet<string>;
}

export interface EtcdConvergenceChanges {
  missing: LrpKey[];
  /** Extra indices and no-longer-desired LRPs (fresh domains only): the handler retires them. */
  toRetire: LrpKey[];
  onMissingCells: LrpKey[];
  crashedToRestart: LrpKey[];
  staleUnclaimed: LrpKey[];
}

const keyOf = (a: EtcdActualValue): LrpKey => ({
  processGuid: a.processGuid,
  index: a.index,
  domain: a.domain,
});

/**
 * CalculateConvergence (db3234a7 db/etcd/lrp_convergence.go), pure. Per guid: with a desired LRP,
 * each index below `instances` without an actual is missing; each actual is, first match wins, on a
 * missing cell (CLAIMED or RUNNING on a cell not present: models.ActualLRP.CellIsMissing), extra
 * (index ≥ instances, fresh domain), a restartable crash, or a stale UNCLAIMED (> 30 s); without a
 * desired LRP every actual in a fresh domain is retired.
 */
export function calculateEtcdConvergence(
  input: EtcdConvergenceInput,
  nowNs: number,
): EtcdConvergenceChanges {
  const ch: EtcdConvergenceChanges = {
    missing: [],
    toRetire: [],
    onMissingCells: [],
    crashedToRestart: [],
    staleUnclaimed: [],
  };
  for (const guid of [...input.allGuids].sort()) {
    const desired = input.desired.get(guid);
    const byIndex = input.actuals.get(guid) ?? new Map<number, EtcdActual>();
    const actuals = [...byIndex.values()].map((x) => x.value).sort((a, b) => a.index - b.index);
    if (desired) {
      for (let i = 0; i < desired.instances; i++)
        if (!byIndex.has(i))
          ch.missing.push({ processGuid: guid, index: i, domain: desired.domain });
      for (const a of actuals) {
        const cellMissing =
          a.state !== 'UNCLAIMED' && a.state !== 'CRASHED' && !input.cells.has(a.cellId);
        if (cellMissing) ch.onMissingCells.push(keyOf(a));
        else if (a.index >= desired.instances && input.freshDomains.has(desired.domain))
          ch.toRetire.push(keyOf(a));
        else if (
          a.state === 'CRASHED' &&
          shouldRestartCrash(nowNs, a.since ?? 0, a.crashCount ?? 0)
        )
          ch.crashedToRestart.push(keyOf(a));
        else if (a.state === 'UNCLAIMED' && nowNs - (a.since ?? 0) > STALE_UNCLAIMED_NS)
          ch.staleUnclaimed.push(keyOf(a));
      }
    } else {
      for (const a of actuals) if (input.freshDomains.has(a.domain)) ch.toRetire.push(keyOf(a));
    }
  }
  return ch;
}

const lastSegment = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

/** The gather's three GETs turned into CalculateConvergence's input; also the keys they transferred. */
export function etcdConvergenceInput(
  actualNodes: readonly EtcdNode[],
  desiredNodes: readonly EtcdNode[],
  domainNodes: readonly EtcdNode[],
  cells: readonly string[],
): { input: EtcdConvergenceInput; fetched: number } {
  const guids = new Set<string>();
  const actuals = new Map<string, Map<number, EtcdActual>>();
  for (const n of actualNodes) {
    const a = JSON.parse(n.value ?? '{}') as EtcdActualValue;
    guids.add(a.processGuid);
    if (lastSegment(n.key) !== 'instance') continue;
    let m = actuals.get(a.processGuid);
    if (!m) {
      m = new Map();
      actuals.set(a.processGuid, m);
    }
    m.set(a.index, { value: a, modifiedIndex: n.modifiedIndex });
  }
  const sched = new Map<string, ScheduleInfo>();
  const runs = new Set<string>();
  for (const n of desiredNodes) {
    if (n.key.startsWith(`${SCHEDULE_ROOT}/`)) {
      const s = JSON.parse(n.value ?? '{}') as ScheduleInfo;
      sched.set(lastSegment(n.key), s);
      guids.add(lastSegment(n.key));
    } else if (n.key.startsWith(`${RUN_ROOT}/`)) runs.add(lastSegment(n.key));
  }
  const desired = new Map<string, { domain: string; instances: number }>();
  for (const [g, s] of sched)
    if (runs.has(g)) desired.set(g, { domain: s.domain, instances: Number(s.instances) });
  return {
    input: {
      allGuids: [...guids],
      desired,
      actuals,
      freshDomains: new Set(domainNodes.map((n) => lastSegment(n.key))),
      cells: new Set(cells),
    },
    fetched: actualNodes.length + desiredNodes.length + domainNodes.length,
  };
}

const path = (k: { processGuid: string; index: number }): string =>
  `${ACTUAL_ROOT}/${k.processGuid}/${k.index}/instance`;

/** One ConvergeLRPs of the etcd store against the live cells: gather, calculate, fix. */
export async function convergeEtcdLRPs(
  client: EtcdClient,
  version: BbsVersion,
  cells: readonly string[],
  o: { workers?: number } = {},
): Promise<ConvergenceReport> {
  const gather: ConvergenceGather = emptyGather();
  const fixes: ConvergenceFixes = {
    created: 0,
    removed: 0,
    stoppedByCell: 0,
    unclaimed: 0,
    startRequests: 0,
    errors: {},
  };
  const notes = [
    'the legacy etcd store (db3234a7 db/etcd/lrp_convergence.go): whole trees fetched, compared in memory, fixed by compare-and-swap',
  ];
  const t0 = performance.now();
  // "always fetch actualLRPs before desiredLRPs to ensure correctness" (GatherAndPruneLRPs); a
  // failed GET ends convergence with nothing done, as the BBS returned.
  let input: EtcdConvergenceInput;
  try {
    const actualNodes = leaves(await client.get(ACTUAL_ROOT, true));
    const desiredNodes = leaves(await client.get('/v1/desired_lrp', true));
    const domainNodes = leaves(await client.get(DOMAIN_ROOT, true));
    const r = etcdConvergenceInput(actualNodes, desiredNodes, domainNodes, cells);
    input = r.input;
    gather.rows = r.fetched;
  } catch (e) {
    return {
      version,
      modelled: true,
      notes: [
        ...notes,
        'the gather failed: convergence returned with nothing done, as the BBS does',
      ],
      gather,
      fixes,
      gatherMs: performance.now() - t0,
      fixMs: 0,
      gatherErrors: [{ message: (e as Error).message }],
    };
  }
  const now = Date.now() * 1e6;
  const ch = calculateEtcdConvergence(input, now);
  gather.freshDomains = input.freshDomains.size;
  gather.staleUnclaimed = ch.staleUnclaimed.length;
  gather.missing = ch.missing;
  // The etcd store does not tell extras from orphans: both are "keys to retire".
  gather.extra = ch.toRetire.filter((k) => input.desired.has(k.processGuid));
  gather.orphaned = ch.toRetire.filter((k) => !input.desired.has(k.processGuid));
  gather.onMissingCells = ch.onMissingCells;
  gather.crashedToRestart = ch.crashedToRestart;
  const gatherMs = performance.now() - t0;

  const t1 = performance.now();
  const fail = (what: string): void => {
    fixes.errors[what] = (fixes.errors[what] ?? 0) + 1;
  };
  const msg = (e: unknown): string =>
    e instanceof EtcdError ? `etcd ${e.errorCode ?? e.status}` : (e as Error).message;
  // ResolveConvergence: the DB's workpool creates the missing and unclaims the crashed ones.
  const dbPool = limiter(o.workers ?? 20);
  await Promise.all([
    ...ch.missing.map((k) =>
      dbPool(async () => {
        try {
          await client.set(
            path(k),
            JSON.stringify({
              ...unclaimedActualLRP(k, crypto.randomUUID()),
              since: Date.now() * 1e6,
            }),
            {
              prevExist: false,
            },
          );
          fixes.created++;
          fixes.startRequests++;
        } catch (e) {
          fail(
            `create: ${e instanceof EtcdError && e.errorCode === NODE_EXISTS ? 'ResourceExists' : msg(e)}`,
          );
        }
      }),
    ),
    ...ch.crashedToRestart.map((k) =>
      dbPool(async () => {
        const a = input.actuals.get(k.processGuid)?.get(k.index);
        const r = await unclaimAt(client, k, a);
        if (r === 'unclaimed') {
          fixes.unclaimed++;
          fixes.startRequests++;
        } else fail(`unclaim crashed: ${r}`);
      }),
    ),
  ]);
  // The handler: retire the extras, unclaim those on missing cells (its own throttler).
  const handler = limiter(o.workers ?? 20);
  const cellSet = new Set(cells);
  await Promise.all([
    ...ch.toRetire.map((k) =>
      handler(async () => {
        const r = await retireEtcdActualLRP(client, k, cellSet);
        if (r === 'removed') fixes.removed++;
        else if (r === 'stopped-by-cell') fixes.stoppedByCell++;
        else fail(`retire: ${r}`);
      }),
    ),
    ...ch.onMissingCells.map((k) =>
      handler(async () => {
        const r = await unclaimAt(client, k, await readActual(client, k));
        if (r === 'unclaimed') {
          fixes.unclaimed++;
          fixes.startRequests++;
        } else fail(`unclaim on missing cell: ${r}`);
      }),
    ),
  ]);
  fixes.startRequests += ch.staleUnclaimed.length;
  return {
    version,
    modelled: true,
    notes,
    gather,
    fixes,
    gatherMs,
    fixMs: performance.now() - t1,
    gatherErrors: [],
  };
}

async function readActual(client: EtcdClient, k: LrpKey): Promise<EtcdActual | undefined> {
  const n = await client.get(path(k));
  if (!n?.value) return undefined;
  return { value: JSON.parse(n.value) as EtcdActualValue, modifiedIndex: n.modifiedIndex };
}

/** UnclaimActualLRP (db3234a7 db/etcd/actual_lrp_db.go): refuse an UNCLAIMED one, else CAS it to UNCLAIMED. */
async function unclaimAt(
  client: EtcdClient,
  k: LrpKey,
  a: EtcdActual | undefined,
): Promise<'unclaimed' | string> {
  if (!a) return 'ResourceNotFound';
  if (a.value.state === 'UNCLAIMED') return 'ActualLRPCannotBeUnclaimed';
  const next: EtcdActualValue = {
    ...a.value,
    state: 'UNCLAIMED',
    instanceGuid: '',
    cellId: '',
    since: Date.now() * 1e6,
    modificationTag: { ...a.value.modificationTag, index: a.value.modificationTag.index + 1 },
  };
  try {
    await client.set(path(k), JSON.stringify(next), { prevIndex: a.modifiedIndex });
    return 'unclaimed';
  } catch (e) {
    return e instanceof EtcdError ? `etcd ${e.errorCode ?? e.status}` : (e as Error).message;
  }
}

/**
 * RetireActualLRP with the etcd store (handlers/actual_lrp_retirer at db3234a7 over
 * db/etcd/actual_lrp_db.go): read the instance; UNCLAIMED or CRASHED, or its cell gone →
 * RemoveActualLRP (compare-and-delete on the index read); else its cell stops it, and the lab's
 * simulated cell then removes it the same way.
 */
export async function retireEtcdActualLRP(
  client: EtcdClient,
  k: LrpKey,
  cells: ReadonlySet<string>,
): Promise<'removed' | 'stopped-by-cell' | string> {
  const a = await readActual(client, k);
  if (!a) return 'ResourceNotFound';
  try {
    await client.delete(path(k), false, a.modifiedIndex);
  } catch (e) {
    return e instanceof EtcdError ? 'ActualLRPCannotBeRemoved' : (e as Error).message;
  }
  const s = a.value.state;
  return s === 'UNCLAIMED' || s === 'CRASHED' || !cells.has(a.value.cellId)
    ? 'removed'
    : 'stopped-by-cell';
}
