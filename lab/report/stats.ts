// Run statistics from a history alone (no cluster): what ran, what failed and why, which node
// served what, throughput and latency. Pure: history in, numbers out.

import { classifyError } from '../client/errors.ts';
import { pairOps, type HistoryEvent, type NemesisEvent, type Op, type OpError } from '../history/event.ts';
import { READ_OPS, type BbsOpName } from '../../models/bbs/ops.ts';
import { quorumLoss, type QuorumLoss } from './quorum-loss.ts';

export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface RunStats {
  ops: number;
  /** Invokes with no completion: the run was interrupted while they were in flight. */
  unfinished: number;
  byOutcome: Record<'ok' | 'fail' | 'info', number>;
  /** f → outcome → count */
  byOp: Record<string, Record<string, number>>;
  /** Error label ('1213 deadlock', 'connection lost', …) → count, and split by op and by node. */
  errors: Record<string, number>;
  errorsByOp: Record<string, Record<string, number>>;
  errorsByNode: Record<string, Record<string, number>>;
  /** Error label → second of the workload (since the first invoke) → count: when each kind of error happened. */
  errorsBySecond: Record<string, Record<string, number>>;
  /** Node → completions it served (ok, fail, info). */
  servedByNode: Record<string, Record<string, number>>;
  /** Ops that ended with a BBS state-check error (ok outcome, value.error). */
  bbsErrors: Record<string, number>;
  durationSec: number;
  /** ok ops per second over the run. */
  throughput: number;
  /** Latency of completed ops in ms, by outcome. */
  latencyMs: Record<'ok' | 'fail' | 'info', Percentiles>;
  nemesis: number;
  /** Fault windows from the nemesis events, in seconds since the workload's first op (as a scenario's `at`). */
  faults: FaultWindow[];
  /** Failed or unknown ops completed inside some fault window, and outside every one. */
  errorsInFaults: number;
  errorsOutsideFaults: number;
  /**
   * Writes by node over time: of the one-second windows in which ok writes completed, how many
   * had writes served by more than one node (the multi-master windows).
   */
  writeWindows: { total: number; multiNode: number; seconds: number[] };
  /** Completions per second of the workload (index = second since the first invoke), for the timeline chart. */
  perSecond: { ok: number; fail: number; info: number }[];
  /** Share of the workload's whole seconds in which at least one op succeeded. */
  availability: number;
  /**
   * Per fault: the last ok completion before it started and the first ok of an op invoked after
   * it started (seconds since the first op); the gap between them is how long the BBS could not
   * get anything done. firstOkAfter is null when nothing succeeded again.
   */
  failover: { fault: string; kind: string; target: string; lastOkBefore: number | null; firstOkAfter: number | null; gapSec: number | null }[];
  /** Intervals in which a node answered 1047; planned: false when no active fault meant it (quorum-loss.ts). */
  quorumLoss: QuorumLoss[];
}

export interface FaultWindow {
  id: string;
  kind: string;
  target: string;
  /** The node a role target (active-of:proxy1, most-written, a-non-active) resolved to at the start. */
  node?: string;
  start: number;
  /** null when the run ended before the heal was recorded. */
  end: number | null;
}

/** The workload's time zero: the first invoke (the history's clock also spans cluster start-up). */
export function workloadStart(events: readonly HistoryEvent[]): number {
  const first = events.find((e) => e.type === 'invoke');
  return first ? first.time : 0;
}

export function faultWindows(events: readonly HistoryEvent[], t0 = workloadStart(events)): FaultWindow[] {
  const open = new Map<string, FaultWindow>();
  const out: FaultWindow[] = [];
  for (const e of events) {
    if (e.type !== 'nemesis') continue;
    const n = e as NemesisEvent;
    if (n.phase === 'start') {
      const d = n.detail as { target?: unknown; node?: unknown } | undefined;
      const w: FaultWindow = { id: n.fault, kind: n.kind, target: typeof d?.target === 'string' ? d.target : '', ...(typeof d?.node === 'string' ? { node: d.node } : {}), start: (n.time - t0) / 1e9, end: null };
      open.set(n.fault, w);
      out.push(w);
    } else if (n.phase === 'stop') {
      const w = open.get(n.fault);
      if (w) w.end = (n.time - t0) / 1e9;
      open.delete(n.fault);
    }
  }
  return out;
}

/** Reads change nothing; every other op (BBS mutations, list-append transactions) is a write. */
function isWrite(f: string): boolean {
  return !READ_OPS.has(f as BbsOpName);
}

/** A label that names the MySQL code where there is one: '1213 deadlock', '1047 non-primary', 'connection-lost'. */
export function errorLabel(e: OpError): string {
  const c = classifyError(e);
  return e.errno !== undefined ? `${e.errno} ${c.kind}` : c.kind;
}

function percentiles(xs: number[]): Percentiles {
  if (xs.length === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { count: s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s[s.length - 1]! };
}

function bump(m: Record<string, Record<string, number>>, a: string, b: string): void {
  const inner = (m[a] ??= {});
  inner[b] = (inner[b] ?? 0) + 1;
}

export function computeStats(events: readonly HistoryEvent[]): RunStats {
  const ops = pairOps(events).filter((o) => o.f !== 'FinalRead');
  const stats: RunStats = {
    ops: ops.length,
    unfinished: 0,
    byOutcome: { ok: 0, fail: 0, info: 0 },
    byOp: {},
    errors: {},
    errorsByOp: {},
    errorsByNode: {},
    errorsBySecond: {},
    servedByNode: {},
    bbsErrors: {},
    durationSec: 0,
    throughput: 0,
    latencyMs: { ok: percentiles([]), fail: percentiles([]), info: percentiles([]) },
    nemesis: events.filter((e) => e.type === 'nemesis').length,
    faults: faultWindows(events),
    errorsInFaults: 0,
    errorsOutsideFaults: 0,
    writeWindows: { total: 0, multiNode: 0, seconds: [] },
    perSecond: [],
    availability: 0,
    failover: [],
    quorumLoss: quorumLoss(events),
  };
  const t0 = workloadStart(events);
  const lastTime = (events.reduce((m, e) => Math.max(m, e.time), 0) - t0) / 1e9;
  const inFault = (t: number) => stats.faults.some((w) => t >= w.start && t <= (w.end ?? lastTime));
  const writersBySecond = new Map<number, Set<string>>();
  const lat: Record<'ok' | 'fail' | 'info', number[]> = { ok: [], fail: [], info: [] };
  let first = Infinity;
  let last = -Infinity;
  for (const o of ops) {
    first = Math.min(first, o.invoke.time);
    const c = o.complete;
    if (!c) {
      stats.unfinished++;
      bump(stats.byOp, o.f, 'unfinished');
      continue;
    }
    last = Math.max(last, c.time);
    stats.byOutcome[c.type]++;
    const second = Math.max(0, Math.floor((c.time - t0) / 1e9));
    while (stats.perSecond.length <= second) stats.perSecond.push({ ok: 0, fail: 0, info: 0 });
    stats.perSecond[second]![c.type]++;
    bump(stats.byOp, o.f, c.type);
    lat[c.type].push((c.time - o.invoke.time) / 1e6);
    if (c.node) bump(stats.servedByNode, c.node, c.type);
    if (c.type === 'ok' && c.node && isWrite(o.f)) {
      const sec = Math.floor((c.time - t0) / 1e9);
      let set = writersBySecond.get(sec);
      if (!set) writersBySecond.set(sec, (set = new Set()));
      set.add(c.node);
    }
    if (c.type !== 'ok') {
      if (inFault((c.time - t0) / 1e9)) stats.errorsInFaults++;
      else stats.errorsOutsideFaults++;
    }
    if (c.error) {
      const label = errorLabel(c.error);
      stats.errors[label] = (stats.errors[label] ?? 0) + 1;
      bump(stats.errorsByOp, label, o.f);
      bump(stats.errorsByNode, label, c.node ?? '(unknown)');
      bump(stats.errorsBySecond, label, String(second));
    }
    const v = c.value as { error?: unknown } | undefined;
    if (c.type === 'ok' && v && typeof v.error === 'string') stats.bbsErrors[v.error] = (stats.bbsErrors[v.error] ?? 0) + 1;
  }
  stats.durationSec = Number.isFinite(first) && Number.isFinite(last) ? Math.max(0, (last - first) / 1e9) : 0;
  stats.throughput = stats.durationSec > 0 ? stats.byOutcome.ok / stats.durationSec : 0;
  const multi = [...writersBySecond.entries()].filter(([, set]) => set.size > 1).map(([sec]) => sec).sort((a, b) => a - b);
  stats.writeWindows = { total: writersBySecond.size, multiNode: multi.length, seconds: multi };
  stats.latencyMs = { ok: percentiles(lat.ok), fail: percentiles(lat.fail), info: percentiles(lat.info) };
  // The last second is cut short by the end of the run; it does not count against availability.
  const whole = stats.perSecond.slice(0, -1);
  stats.availability = whole.length > 0 ? whole.filter((x) => x.ok > 0).length / whole.length : stats.perSecond.length > 0 && stats.perSecond[0]!.ok > 0 ? 1 : 0;
  stats.failover = failoverGaps(ops, stats.faults, t0);
  return stats;
}

function failoverGaps(ops: readonly Op[], faults: readonly FaultWindow[], t0: number): RunStats['failover'] {
  const oks = ops
    .filter((o) => o.complete?.type === 'ok')
    .map((o) => ({ invoke: (o.invoke.time - t0) / 1e9, done: (o.complete!.time - t0) / 1e9 }))
    .sort((a, b) => a.done - b.done);
  return faults.map((f) => {
    let before: number | null = null;
    let after: number | null = null;
    for (const o of oks) {
      if (o.done <= f.start) before = o.done;
      else if (o.invoke >= f.start) {
        after = o.done;
        break;
      }
    }
    return { fault: f.id, kind: f.kind, target: f.target, lastOkBefore: before, firstOkAfter: after, gapSec: before !== null && after !== null ? after - before : null };
  });
}
