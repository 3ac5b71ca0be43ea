// What each anomaly's history shows about its cause, so a planted bug and Galera's own behaviour
// no longer give the same verdict. Pure: the checkers' findings and the ops in, one cause per
// anomaly out.
//
// - stale read: an op served by node B saw a state older than a write acknowledged on node A
//   before the op began. B had not applied A's commit: it lagged by at least the time between
//   the write's acknowledgement and the op's invoke (the history's times, the completions' node).
// - lost write: the same, but the op that saw the older state ran on the node that acknowledged
//   the write (or the final read lacked it): the write was acknowledged, then absent.
// - single-node logic: no such pair, and every op that shows the anomaly was served by one node.
//   Replication cannot produce what one node did alone: a state the BBS rules forbid was reached
//   by the store's own code (a logic bug, not replication).
// - both acknowledged: two writes of one row on different nodes, overlapping in time, each acked
//   with a state that needed the other not to have happened. The BBS's row lock would have made
//   the later one wait and see the other (its writeset then certifies after the other's), and
//   certification aborts one of two truly concurrent ones; so either a state check read the row
//   without the lock (an older snapshot), a COMMIT error was answered as success, or Galera let a
//   write-write conflict through. All three are the store's or the database's, not a lag.
// - failed but applied: an op answered as failed whose effect a later op saw.
// - store logic: the op that saw or did what the rules forbid ran on a node that had applied the
//   earlier write (wsrep_sync_wait covering its first statement, or an earlier op on that node saw
//   the write): no lag explains it, the store's check let it through.
// - unattributed: ops on several nodes (or of unknown node) and none of the patterns above.
//
// Every cause checks its premise against the history and the run's settings (causal-wait.ts): a
// stale read needs a node that could lag, which wsrep_sync_wait rules out for the ops it covers,
// and which an earlier op on the same node that saw the write refutes.

import {
  READ_OPS,
  type ActualLRPRecord,
  type BbsOpName,
  type BbsResult,
  type DesiredLRPRecord,
  type TaskRecord,
} from '../../specs/vocabulary.ts';
import type { Op } from '../history/event.ts';
import { DEFAULT_CAUSE_SETTINGS, waitsForCausality, type CauseSettings } from './causal-wait.ts';
import type { FailedButApplied } from './failed-applied.ts';
import type { InvariantResult, InvariantName } from './invariants/index.ts';
import { byKey, mayFallBetween, type Timed } from './invariants/timeline.ts';
import type { CommitFailRecheck } from './linearizability/commit-fails.ts';
import type { LinResult } from './linearizability/index.ts';

export type CauseKind =
  | 'stale-read'
  | 'lost-write'
  | 'both-acknowledged'
  | 'single-node-logic'
  | 'store-logic'
  | 'failed-but-applied'
  | 'unattributed';

export const CAUSES: Record<CauseKind, string> = {
  'stale-read':
    'stale read: a node served a state older than a write another node had acknowledged',
  'lost-write':
    'lost write: a write was acknowledged, then absent on the node that acknowledged it',
  'both-acknowledged':
    'both acknowledged: two concurrent writes of one row on different nodes both committed, each as if the other had not happened',
  'single-node-logic':
    'logic bug: a state the BBS rules forbid, reached through ops on one node alone',
  'store-logic':
    'logic bug across nodes: the op ran on a node that had applied the write before it (causal reads, or an earlier op there saw it), yet did what the BBS rules forbid',
  'failed-but-applied': 'failed but applied: an op answered as failed took effect',
  unattributed:
    'unattributed: ops on several nodes, and neither a stale read nor a lost write shows in them',
};

export type AnomalyKind = 'not-linearizable' | InvariantName | 'failed-but-applied';

export interface AnomalyCause {
  anomaly: AnomalyKind;
  key: string;
  cause: CauseKind;
  /**
   * The ops the cause rests on (the write, then the op that saw an older state; or the ops of the
   * anomaly).
   */
  ops: number[];
  /** The node that acknowledged the write (stale read, lost write). */
  writerNode?: string;
  /** The node that served the older state. */
  readerNode?: string;
  /**
   * Stale read: the reader's node lagged by at least this many ms (write acknowledged → read
   * invoked).
   */
  lagMs?: number;
  /** Every node that served an op of the anomaly. */
  nodes: string[];
  explanation: string;
}

export interface CauseInput {
  linearizability: LinResult | null;
  invariants: InvariantResult | null;
  failedApplied: readonly FailedButApplied[];
  /** Non-linearizable keys re-checked with their COMMIT-time failures taken as unknown. */
  commitFailRechecks?: readonly CommitFailRecheck[];
  /** The run's sync wait and BBS form (DEFAULT_CAUSE_SETTINGS when the history came alone). */
  settings?: CauseSettings;
}

const TASK_RANK: Record<string, number> = { PENDING: 1, RUNNING: 2, COMPLETED: 3, RESOLVING: 4 };
/**
 * Ops that may make a record absent or start a new incarnation: an older-looking state after one is
 * not stale.
 */
const RESETS = new Set([
  'DeleteTask',
  'DesireTask',
  'RemoveDesiredLRP',
  'DesireLRP',
  'RemoveActualLRP',
  'CreateUnclaimedActualLRP',
]);

type Rec = TaskRecord | DesiredLRPRecord | ActualLRPRecord | null;

function recordOf(t: Timed): Rec | undefined {
  if (t.op.complete?.type !== 'ok') return undefined;
  const v = t.op.complete.value as BbsResult | undefined;
  if (!v || v.error !== undefined || v.record === undefined) return undefined;
  return v.record as Rec;
}

/**
 * Is `seen` a state the record had before `written`? By modification index within one epoch
 * (LRPs), by the task's one-way state order (tasks), or absent where the write left a record.
 */
export function olderThan(key: string, seen: Rec, written: Rec): boolean {
  if (written === null) return false;
  if (seen === null) return true;
  if (key.startsWith('task/'))
    return (
      (TASK_RANK[(seen as TaskRecord).state] ?? 0) < (TASK_RANK[(written as TaskRecord).state] ?? 0)
    );
  const a = (seen as DesiredLRPRecord).modificationTag;
  const b = (written as DesiredLRPRecord).modificationTag;
  return !!a && !!b && a.epoch === b.epoch && a.index < b.index;
}

/**
 * The state an op saw: its record, or absent when the BBS refused it with ResourceNotFound (its
 * state check found no row: a Claim or Crash on a node that had not applied the row's creation
 * saw the record absent as surely as a read would).
 */
function seenOf(t: Timed): Rec | undefined {
  const v =
    t.op.complete?.type === 'ok' ? (t.op.complete.value as BbsResult | undefined) : undefined;
  if (v?.error === 'ResourceNotFound') return null;
  return recordOf(t);
}

const nodeOf = (o: Op): string | undefined => o.complete?.node;
const ms = (ns: number) => Math.round(ns / 1e6);

interface Pair {
  writer: Timed;
  reader: Timed;
}

/**
 * Does `seen` hold `written`'s effect: the same LRP version or a later one, a later task state, or
 * the same task state on the same cell?
 */
function includes(key: string, seen: Rec, written: Rec): boolean {
  if (seen === null || written === null) return false;
  if (key.startsWith('task/')) {
    const a = seen as TaskRecord;
    const b = written as TaskRecord;
    const ra = TASK_RANK[a.state] ?? 0;
    const rb = TASK_RANK[b.state] ?? 0;
    return ra > rb || (ra === rb && a.state === b.state && a.cellId === b.cellId);
  }
  const x = (seen as DesiredLRPRecord).modificationTag;
  const y = (written as DesiredLRPRecord).modificationTag;
  return !!x && !!y && x.epoch === y.epoch && x.index >= y.index;
}

/**
 * An op served by `node`, invoked after `w` was acknowledged and done before `before`, that saw
 * `w`'s effect (with no reset of the record in between): `node` had applied `w` by then, so an op
 * there after it cannot have missed it through lag.
 */
export function appliedOnBefore(
  key: string,
  node: string,
  w: Timed,
  before: number,
  all: readonly Timed[],
): Timed | undefined {
  const written = recordOf(w);
  if (written === undefined) return undefined;
  return all.find((z) => {
    if (z === w || nodeOf(z.op) !== node || z.start <= w.end || z.end >= before) return false;
    const seen = seenOf(z);
    if (seen === undefined || !includes(key, seen, written)) return false;
    return !all.some((x) => RESETS.has(x.op.f) && mayFallBetween(x, w, z));
  });
}

/** Why a node cannot have lagged behind `w` when `r` ran there, or null when it could have. */
function noLagPremise(
  key: string,
  w: Timed,
  r: Timed,
  all: readonly Timed[],
  s: CauseSettings,
): string | null {
  if (waitsForCausality(r.op.f, s))
    return `with wsrep_sync_wait ${s.syncWait} ${r.op.f}'s node applied every commit acknowledged before it began`;
  const rn = nodeOf(r.op);
  const z = rn === undefined ? undefined : appliedOnBefore(key, rn, w, r.start, all);
  return z
    ? `${z.op.f} (op ${z.op.op}) on ${rn}, done before it, had already seen ${w.op.f} (op ${w.op.op})`
    : null;
}

type OlderState =
  | { pair: Pair; kind: 'stale' }
  | { pair: Pair; kind: 'same-node' }
  | { pair: Pair; kind: 'applied'; why: string };

/**
 * The first op of `shown` (by invoke) that saw a state older than a write acknowledged before it
 * began, with no op in between that could have removed or re-created the record. Of the writes it
 * missed, one on another node its node could have lagged behind (the earliest: the longest lag
 * it proves) is preferred; then one its node is known to have applied (causal reads, or an earlier
 * op there saw it): absent there after that, as on the node that acknowledged it, is a lost write.
 */
function olderStatePair(
  all: Timed[],
  shown: ReadonlySet<number>,
  s: CauseSettings,
): OlderState | null {
  // A write's record is the state it left: an absent one is its own removal, not an old state seen
  // (a refusal for a missing row, though, is what the op saw).
  const sawAbsent = (t: Timed) => READ_OPS.has(t.op.f as BbsOpName) || recordOf(t) === undefined;
  const readers = all
    .filter(
      (t) => shown.has(t.op.op) && seenOf(t) !== undefined && (seenOf(t) !== null || sawAbsent(t)),
    )
    .sort((a, b) => a.start - b.start);
  for (const r of readers) {
    const seen = seenOf(r)!;
    const missed = all.filter((w) => {
      if (w === r || w.end >= r.start) return false;
      const written = recordOf(w);
      if (written === undefined || !olderThan(r.op.key!, seen, written)) return false;
      return !all.some((x) => RESETS.has(x.op.f) && mayFallBetween(x, w, r));
    });
    if (missed.length === 0) continue;
    const rn = nodeOf(r.op);
    const other = missed
      .filter((w) => nodeOf(w.op) !== undefined && rn !== undefined && nodeOf(w.op) !== rn)
      .sort((a, b) => a.end - b.end);
    const lagging = other.filter((w) => noLagPremise(r.op.key!, w, r, all, s) === null);
    if (lagging.length > 0) return { pair: { writer: lagging[0]!, reader: r }, kind: 'stale' };
    const same = missed
      .filter((w) => rn !== undefined && nodeOf(w.op) === rn)
      .sort((a, b) => b.end - a.end);
    if (same.length > 0) return { pair: { writer: same[0]!, reader: r }, kind: 'same-node' };
    if (other.length > 0)
      return {
        pair: { writer: other[0]!, reader: r },
        kind: 'applied',
        why: noLagPremise(r.op.key!, other[0]!, r, all, s)!,
      };
  }
  return null;
}

/**
 * The anomaly's ops when they are exactly two acknowledged writes (a record returned, no error) on
 * different nodes whose intervals overlap, earlier invoke first; else null. On one node the row
 * lock serializes them, and one after the other the second would have seen the first.
 */
function bothAcknowledged(ops: readonly Op[]): [Op, Op] | null {
  if (ops.length !== 2) return null;
  const [x, y] = [...ops].sort((a, b) => a.invoke.time - b.invoke.time) as [Op, Op];
  const write = (o: Op) =>
    !READ_OPS.has(o.f as BbsOpName) &&
    o.complete?.type === 'ok' &&
    (o.complete.value as BbsResult | undefined)?.error === undefined &&
    (o.complete.value as BbsResult | undefined)?.record != null;
  if (!write(x) || !write(y)) return null;
  const nx = nodeOf(x);
  const ny = nodeOf(y);
  if (!nx || !ny || nx === ny) return null;
  return y.invoke.time < x.complete!.time ? [x, y] : null;
}

/**
 * A cause that rests on a write and a later op that missed it (a stale read, a lost write, or the
 * store's own check): the two ops and their nodes, the lag only where a node lagged.
 */
function pairCause(
  anomaly: AnomalyKind,
  key: string,
  nodes: string[],
  cause: CauseKind,
  [writer, reader]: readonly [Op, Op],
  explanation: string,
  lagMs?: number,
): AnomalyCause {
  return {
    anomaly,
    key,
    cause,
    ops: [writer.op, reader.op],
    writerNode: nodeOf(writer)!,
    readerNode: nodeOf(reader)!,
    ...(lagMs === undefined ? {} : { lagMs }),
    nodes,
    explanation,
  };
}

function nodesOf(ops: readonly Op[]): { nodes: string[]; allKnown: boolean } {
  const served = ops.filter((o) => o.complete?.type === 'ok');
  const nodes = [...new Set(served.map(nodeOf).filter((n): n is string => n !== undefined))].sort();
  return { nodes, allKnown: served.length > 0 && served.every((o) => nodeOf(o) !== undefined) };
}

/**
 * The cause of one anomaly on `key` shown by the ops `shown` (op ids), judged against all of the
 * key's ops and the run's settings.
 */
export function attributeOne(
  anomaly: AnomalyKind,
  key: string,
  shown: readonly number[],
  timeline: Timed[],
  byId: ReadonlyMap<number, Op>,
  settings: CauseSettings = DEFAULT_CAUSE_SETTINGS,
): AnomalyCause {
  const shownOps = shown.map((id) => byId.get(id)).filter((o): o is Op => o !== undefined);
  const { nodes, allKnown } = nodesOf(shownOps);
  const found = olderStatePair(timeline, new Set(shown), settings);
  if (found) {
    const { writer: w, reader: r } = found.pair;
    const a = nodeOf(w.op)!;
    const b = nodeOf(r.op)!;
    const what = `${w.op.f} (op ${w.op.op})`;
    const read = `${r.op.f} (op ${r.op.op})`;
    if (found.kind === 'stale') {
      const lag = ms(r.start - w.end);
      return pairCause(
        anomaly,
        key,
        nodes,
        'stale-read',
        [w.op, r.op],
        `${what} was acknowledged by ${a}; ${lag} ms later ${read} on ${b} saw the state before it: ${b} had not applied ${a}'s commit (lag of at least ${lag} ms)`,
        lag,
      );
    }
    return pairCause(
      anomaly,
      key,
      nodes,
      'lost-write',
      [w.op, r.op],
      found.kind === 'same-node'
        ? `${what} was acknowledged by ${a}; ${read}, begun ${ms(r.start - w.end)} ms later on the same node, saw the state before it: the acknowledged write was absent`
        : `${what} was acknowledged by ${a}; ${read}, begun ${ms(r.start - w.end)} ms later on ${b}, saw the state before it, though ${found.why}: no lag explains it, the acknowledged write was absent`,
    );
  }
  // Two writes that each needed the other absent (two cells started one task, or held one
  // instance), the second begun after the first was acknowledged, on another node: a stale read
  // when the second's node could lag behind the first's commit, else the store's own check let
  // the second through with the first in view.
  if (
    (anomaly === 'task-started-on-two-cells' || anomaly === 'instance-held-by-two-cells') &&
    shownOps.length === 2
  ) {
    const [x, y] = [...shownOps].sort((p, q) => p.invoke.time - q.invoke.time) as [Op, Op];
    const nx = nodeOf(x);
    const ny = nodeOf(y);
    if (nx && ny && nx !== ny && x.complete && x.complete.time < y.invoke.time) {
      const lag = ms(y.invoke.time - x.complete.time);
      const tx = timeline.find((t) => t.op === x);
      const ty = timeline.find((t) => t.op === y);
      const why =
        tx && ty
          ? noLagPremise(key, tx, ty, timeline, settings)
          : waitsForCausality(y.f, settings)
            ? `with wsrep_sync_wait ${settings.syncWait} ${y.f}'s node applied every commit acknowledged before it began`
            : null;
      const passed = `${x.f} (op ${x.op}) was acknowledged by ${nx}; ${lag} ms later ${y.f} (op ${y.op}) on ${ny} passed its state check`;
      return why !== null
        ? pairCause(
            anomaly,
            key,
            nodes,
            'store-logic',
            [x, y],
            `${passed}, though ${why}: not a lag; the store let it through with the first in view (or the first's write was lost)`,
          )
        : pairCause(
            anomaly,
            key,
            nodes,
            'stale-read',
            [x, y],
            `${passed} as if it had not happened: ${ny} had not applied ${nx}'s commit (lag of at least ${lag} ms)`,
            lag,
          );
    }
  }
  const both = bothAcknowledged(shownOps);
  if (both) {
    const [x, y] = both;
    return {
      anomaly,
      key,
      cause: 'both-acknowledged',
      ops: [x.op, y.op],
      nodes,
      explanation: `${x.f} (op ${x.op}) on ${nodeOf(x)} and ${y.f} (op ${y.op}) on ${nodeOf(y)} overlapped in time and both were acknowledged, each as if the other had not happened: one checked the row's state without the lock that would have made it see the other, or its COMMIT error was answered as success, or Galera let a write-write conflict through`,
    };
  }
  if (allKnown && nodes.length === 1) {
    return {
      anomaly,
      key,
      cause: 'single-node-logic',
      ops: [...shown],
      nodes,
      explanation: `every op that shows it was served by ${nodes[0]}: replication cannot explain it; the store's own checks let a state the BBS rules forbid through`,
    };
  }
  return {
    anomaly,
    key,
    cause: 'unattributed',
    ops: [...shown],
    nodes,
    explanation:
      nodes.length === 0
        ? 'no op of it says which node served it'
        : `ops on ${nodes.join(', ')}${allKnown ? '' : ' (and some of unknown node)'}; none saw a state older than a write acknowledged before it`,
  };
}

/**
 * A Domains read (the last of `shown`) that did not list a domain an upsert of `shown` had made
 * fresh: the upsert acknowledged before the read began on another node is a stale read (the
 * earliest: the longest lag), on the read's own node a lost write. Null when the read listed the
 * domain (the other direction), or the nodes are unknown: the general attribution then answers.
 */
function missingDomainCause(
  key: string,
  shown: readonly number[],
  byId: ReadonlyMap<number, Op>,
  settings: CauseSettings,
): AnomalyCause | null {
  const r = byId.get(shown[shown.length - 1]!);
  const listed = (r?.complete?.value as BbsResult | undefined)?.domains;
  if (r?.f !== 'Domains' || !Array.isArray(listed) || listed.includes(key.slice('domain/'.length)))
    return null;
  const rn = nodeOf(r);
  if (rn === undefined) return null;
  const acked = shown
    .map((id) => byId.get(id))
    .filter(
      (o): o is Op =>
        o !== undefined &&
        o !== r &&
        o.complete?.type === 'ok' &&
        o.complete.time < r.invoke.time &&
        nodeOf(o) !== undefined,
    )
    .sort((a, b) => a.complete!.time - b.complete!.time);
  const { nodes } = nodesOf([...acked, r]);
  // With causal reads the Domains read's node applied every upsert acknowledged before it: no lag.
  const causal = waitsForCausality('Domains', settings);
  const other = causal ? undefined : acked.find((o) => nodeOf(o) !== rn);
  if (other) {
    const a = nodeOf(other)!;
    const lag = ms(r.invoke.time - other.complete!.time);
    return pairCause(
      'domains-read-wrong',
      key,
      nodes,
      'stale-read',
      [other, r],
      `UpsertDomain (op ${other.op}) was acknowledged by ${a}; ${lag} ms later Domains (op ${r.op}) on ${rn} did not list the domain: ${rn} had not applied ${a}'s commit (lag of at least ${lag} ms)`,
      lag,
    );
  }
  const same = causal ? acked[acked.length - 1] : acked.filter((o) => nodeOf(o) === rn).pop();
  if (!same) return null;
  const wn = nodeOf(same)!;
  return pairCause(
    'domains-read-wrong',
    key,
    nodes,
    'lost-write',
    [same, r],
    wn === rn
      ? `UpsertDomain (op ${same.op}) was acknowledged by ${rn}; Domains (op ${r.op}), begun ${ms(r.invoke.time - same.complete!.time)} ms later on the same node, did not list the domain it had made fresh`
      : `UpsertDomain (op ${same.op}) was acknowledged by ${wn}; Domains (op ${r.op}), begun ${ms(r.invoke.time - same.complete!.time)} ms later on ${rn}, did not list the domain, though with wsrep_sync_wait ${settings.syncWait} ${rn} applied every commit acknowledged before the read: no lag explains it`,
  );
}

/**
 * One cause per anomaly the checkers found: non-linearizable keys, broken invariants,
 * failed-but-applied ops.
 */
export function attributeCauses(ops: readonly Op[], found: CauseInput): AnomalyCause[] {
  // Built on the first anomaly to attribute: a clean history of a million ops does not need it.
  let byIdMap: Map<number, Op> | undefined;
  const byId = (): Map<number, Op> => (byIdMap ??= new Map(ops.map((o) => [o.op, o])));
  const settings = found.settings ?? DEFAULT_CAUSE_SETTINGS;
  const timelines = new Map<string, Timed[]>();
  const timelineOf = (key: string): Timed[] => {
    let t = timelines.get(key);
    if (!t) {
      // byKey groups the ops whose key starts with the prefix by their exact key.
      t = byKey(ops, key).get(key) ?? [];
      timelines.set(key, t);
    }
    return t;
  };
  const out: AnomalyCause[] = [];
  for (const k of found.linearizability?.keys ?? []) {
    if (k.verdict !== 'not-linearizable') continue;
    const shown = k.failure ? k.failure.ops.map((o) => o.op) : [];
    const c = attributeOne('not-linearizable', k.key, shown, timelineOf(k.key), byId(), settings);
    const re = found.commitFailRechecks?.find((r) => r.key === k.key);
    // A pattern the history shows outright comes first; else a failed COMMIT that, taken as
    // possibly applied, makes the key linearizable is the cause the history allows.
    if (
      re &&
      re.deciding.length > 0 &&
      c.cause !== 'stale-read' &&
      c.cause !== 'lost-write' &&
      c.cause !== 'store-logic'
    ) {
      const ids = re.deciding.map((id) => `op ${id}`).join(', ');
      out.push({
        ...c,
        cause: 'failed-but-applied',
        ops: [...re.deciding, ...shown.filter((id) => !re.deciding.includes(id))],
        explanation: `taken as of unknown outcome instead of failed, ${ids} (failed at COMMIT) make the key linearizable: a COMMIT answered as failed but applied explains it (${re.commitFails.length} COMMIT-time failure${re.commitFails.length === 1 ? '' : 's'} on the key; ${re.minimal ? `${ids} decide${re.deciding.length === 1 ? 's' : ''} the verdict` : 'too many to tell which decide it one by one'})`,
      });
      continue;
    }
    out.push(c);
  }
  for (const v of found.invariants?.violations ?? []) {
    if (v.invariant === 'acknowledged-write-lost') {
      const last = byId().get(v.ops[0]!);
      const n = last ? nodeOf(last) : undefined;
      out.push({
        anomaly: v.invariant,
        key: v.key,
        cause: 'lost-write',
        ops: v.ops,
        ...(n ? { writerNode: n } : {}),
        nodes: n ? [n] : [],
        explanation: `${last?.f ?? 'the last op'} (op ${v.ops[0]}) was acknowledged${n ? ` by ${n}` : ''} and no later op could have changed it, yet the final read (op ${v.ops[1]}) did not find its state`,
      });
      continue;
    }
    const dc =
      v.invariant === 'domains-read-wrong'
        ? missingDomainCause(v.key, v.ops, byId(), settings)
        : null;
    out.push(dc ?? attributeOne(v.invariant, v.key, v.ops, timelineOf(v.key), byId(), settings));
  }
  for (const f of found.failedApplied) {
    const o = byId().get(f.op);
    const n = o ? nodeOf(o) : undefined;
    out.push({
      anomaly: 'failed-but-applied',
      key: f.key,
      cause: 'failed-but-applied',
      ops: [f.op, f.seenBy],
      ...(n ? { writerNode: n } : {}),
      nodes: n ? [n] : [],
      explanation: f.explanation,
    });
  }
  return out;
}

/** Anomalies grouped by cause, in the order of CAUSES. */
export function groupByCause(causes: readonly AnomalyCause[]): [CauseKind, AnomalyCause[]][] {
  return (Object.keys(CAUSES) as CauseKind[])
    .map((c) => [c, causes.filter((x) => x.cause === c)] as [CauseKind, AnomalyCause[]])
    .filter(([, l]) => l.length > 0);
}
