// Run statistics from a history alone (no cluster): what ran, what failed and why, which node
// served what, throughput and latency. Pure: history in, numbers out.

import {
  FINAL_READ,
  pairOps,
  workloadStart,
  type HistoryEvent,
  type NemesisEvent,
  type Op,
} from '../history/event.ts';
import { delayedShare, type Delayed } from './delayed.ts';
import { writeWindows, type TimedWrite, type WriteWindows } from './write-windows.ts';
import { READ_OPS, type BbsOpName } from '../../bbs/ops.ts';
import { quorumLoss, type QuorumLoss } from './quorum-loss.ts';
import { observe } from './effect-seen.ts';
import { computeAvailability, faultSpans, windowEnd, type Availability } from './availability.ts';
import { errorLabel } from './labels.ts';
import { computeRetries, type RetryStats } from './retries.ts';

export type { Availability, FaultOutage, Gap } from './availability.ts';
export type { RetryStats } from './retries.ts';
export { errorLabel };

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
  /**
   * Error label → second of the workload (since the first invoke) → count: when each kind of error
   * happened.
   */
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
  /**
   * Fault windows from the nemesis events, in seconds since the workload's first op (as a
   * scenario's `at`).
   */
  faults: FaultWindow[];
  /**
   * Failed or unknown ops completed inside some fault window (start until the system was back to
   * its pre-fault state, else its heal, else the end), and outside every one.
   */
  errorsInFaults: number;
  errorsOutsideFaults: number;
  /**
   * Writes by node over time: of the one-second windows in which ok writes completed, how many
   * had writes served by more than one node (the multi-master windows).
   */
  writeWindows: WriteWindows;
  /** Completed ops that took at least the BBS's retry pause (delayed.ts). */
  delayed: Delayed;
  /**
   * Completions per second of the workload (index = second since the first invoke), for the
   * timeline chart.
   */
  perSecond: { ok: number; fail: number; info: number }[];
  /**
   * Share of the workload's whole seconds in which at least one op succeeded (op-based, coarse).
   */
  secondShare: number;
  /**
   * The clients' side: no-success gaps per client and for the whole BBS, and each fault's outage.
   */
  availability: Availability;
  /** Errors a retry policy absorbed (never seen by the caller) and what the retries cost. */
  retries: RetryStats;
  /**
   * Lab events (proxy active-backend changes, Consul leadership, a fault's recovery) with their
   * time.
   */
  labEvents: LabEvent[];
  /**
   * Intervals in which a node answered 1047; planned: false when no active fault meant it
   * (quorum-loss.ts).
   */
  quorumLoss: QuorumLoss[];
}

export interface LabEvent {
  /** Seconds since the workload's first invoke (negative: before the workload started). */
  at: number;
  /** The proxy or fault the event is about. */
  source: string;
  kind: string;
  text: string;
  /** proxy-active-changed: the backend the proxy moved to (null: none). */
  to?: string | null;
}

export interface FaultWindow {
  id: string;
  kind: string;
  target: string;
  start: number;
  /** null when the run ended before the heal was recorded. */
  end: number | null;
  /**
   * When the system was back to its pre-fault state after the heal (null or missing: not recorded).
   */
  recovered?: number | null;
  /** The node a role target resolved to, when the start event names one. */
  node?: string;
}

// Where reports have always imported it from.
export { workloadStart };

export function faultWindows(
  events: readonly HistoryEvent[],
  t0 = workloadStart(events),
): FaultWindow[] {
  const nemesis = events.filter((e): e is NemesisEvent => e.type === 'nemesis');
  return faultSpans(nemesis, t0).map((f) => {
    const w: FaultWindow = {
      id: f.id,
      kind: f.kind,
      target: f.target,
      start: f.start,
      end: f.healed,
      recovered: f.recovered,
    };
    if (f.node !== undefined) w.node = f.node;
    return w;
  });
}

/**
 * The lab events worth a line in a report, with their times (seconds since the workload's start).
 */
export function labEvents(events: readonly HistoryEvent[], t0 = workloadStart(events)): LabEvent[] {
  const out: LabEvent[] = [];
  for (const e of events) {
    if (e.type !== 'nemesis' || e.phase !== 'event') continue;
    const d = (e.detail ?? {}) as Record<string, unknown>;
    const at = (e.time - t0) / 1e9;
    let text: string | null = null;
    if (e.kind === 'proxy-active-changed')
      text = `${e.fault}: active backend ${String(d.from ?? 'none')} → ${String(d.to ?? 'none')}${typeof d.reason === 'string' ? ` (${d.reason})` : ''}`;
    else if (e.kind === 'consul-leader') text = `${e.fault}: took the Consul lock and serves`;
    else if (e.kind === 'consul-lost-leadership')
      text = `${e.fault}: lost the Consul lock${typeof d.detail === 'string' ? ` (${d.detail})` : ''}`;
    else if (e.kind === 'recovered')
      text = `${e.fault}: the system is back to its pre-fault state (every node Synced and serving, proxies on healthy backends)`;
    if (text === null) continue;
    const ev: LabEvent = { at, source: e.fault, kind: e.kind, text };
    if (e.kind === 'proxy-active-changed') ev.to = typeof d.to === 'string' ? d.to : null;
    out.push(ev);
  }
  return out;
}

/** Reads change nothing; every other op (BBS mutations, list-append transactions) is a write. */
function isWrite(f: string): boolean {
  return !READ_OPS.has(f as BbsOpName);
}

function percentiles(xs: number[]): Percentiles {
  if (xs.length === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { count: s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s[s.length - 1]! };
}

function bump(m: Record<string, Record<string, number>>, a: string, b: string): void {
  const inner = m[a] ?? {};
  m[a] = inner;
  inner[b] = (inner[b] ?? 0) + 1;
}

/** The pause between the BBS's retry attempts: 500 ms at every version (bbs/versions). */
export const RETRY_PAUSE_MS = 500;

export interface StatsOptions {
  /** The run's BBS retry pause (its profile's deadlockRetryDelayMs). */
  retryPauseMs?: number;
}

export function computeStats(events: readonly HistoryEvent[], opts: StatsOptions = {}): RunStats {
  const ops = pairOps(events).filter((o) => o.f !== FINAL_READ);
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
    writeWindows: writeWindows([], 0),
    delayed: delayedShare([], opts.retryPauseMs ?? RETRY_PAUSE_MS),
    perSecond: [],
    secondShare: 0,
    availability: { bbs: { longest: null, gaps: [] }, perClient: {}, timeShare: 0, faults: [] },
    retries: computeRetries(ops),
    labEvents: labEvents(events),
    quorumLoss: quorumLoss(events),
  };
  const t0 = workloadStart(events);
  const lastTime = (events.reduce((m, e) => Math.max(m, e.time), 0) - t0) / 1e9;
  // A fault's aftermath (a rejoining node's 1047s, the proxy moving back) belongs to it.
  const inFault = (t: number) =>
    stats.faults.some(
      (w) =>
        t >= w.start && t <= windowEnd({ healed: w.end, recovered: w.recovered ?? null }, lastTime),
    );
  const writes: TimedWrite[] = [];
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
    if (c.type === 'ok' && c.node && isWrite(o.f)) writes.push({ time: c.time, node: c.node });
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
    if (c.type === 'ok' && v && typeof v.error === 'string')
      stats.bbsErrors[v.error] = (stats.bbsErrors[v.error] ?? 0) + 1;
  }
  stats.durationSec =
    Number.isFinite(first) && Number.isFinite(last) ? Math.max(0, (last - first) / 1e9) : 0;
  stats.throughput = stats.durationSec > 0 ? stats.byOutcome.ok / stats.durationSec : 0;
  stats.writeWindows = writeWindows(writes, t0);
  stats.delayed = delayedShare(
    [...lat.ok, ...lat.fail, ...lat.info],
    opts.retryPauseMs ?? RETRY_PAUSE_MS,
  );
  stats.latencyMs = {
    ok: percentiles(lat.ok),
    fail: percentiles(lat.fail),
    info: percentiles(lat.info),
  };
  // The last second is cut short by the end of the run; it does not count against the share.
  const whole = stats.perSecond.slice(0, -1);
  stats.secondShare =
    whole.length > 0
      ? whole.filter((x) => x.ok > 0).length / whole.length
      : stats.perSecond.length > 0 && stats.perSecond[0]!.ok > 0
        ? 1
        : 0;
  stats.availability = computeAvailability(
    ops,
    events.filter((e): e is NemesisEvent => e.type === 'nemesis'),
    t0,
    workloadEnd(ops, t0),
    // Later sightings, the final read included, tell whether an in-flight unknown op committed.
    observe(pairOps(events)),
  );
  return stats;
}

/**
 * The workload's end, seconds since t0: its last invoke or completion (the final read left out).
 */
export function workloadEnd(ops: readonly Op[], t0: number): number {
  let last = t0;
  for (const o of ops) last = Math.max(last, o.invoke.time, o.complete?.time ?? 0);
  return (last - t0) / 1e9;
}
