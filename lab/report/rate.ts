// The offered load as the history shows it: what was offered (clients.rate), what was achieved,
// how late ops started, and whether the run kept its rate. Pure: the history in (its `schedule`
// event, each invoke's `slot` and `due`), the record results.json stores as `rate` out.
//
// Every slot a client was offered is issued or skipped (lab/workload/pacing.ts). A skipped slot is
// put down to the op it was skipped behind:
//   paused  in the client's backoff pause after that op failed or ended unknown
//   (clients.backoffMs);
//   held    the system under test held the client: that op failed, ended unknown, was retried by
//           the BBS's retry loop (its latency includes the BBS's own pause), overlapped a fault
//           window, or never completed; any machine would have skipped it too;
//   missed  that op ended ok at its first attempt outside any fault, or the client woke late:
//           the machine was too slow for the rate.
// The keep-up rule judges only what the machine answers for (KEPT_UP below, README "Offered load").

import {
  FINAL_READ,
  pairOps,
  type HistoryEvent,
  type NemesisEvent,
  type Op,
} from '../history/event.ts';
import { slotsBefore, slotTime, type Grid } from '../workload/pacing.ts';
import { faultWindows } from './stats.ts';

/** The lab event the runner writes at the workload's start (its time is the schedule's zero). */
export const SCHEDULE_KIND = 'schedule';
/** …and the one it writes when every client has stopped: without it the run was interrupted. */
export const SCHEDULE_END_KIND = 'schedule-end';

export interface ScheduleDetail {
  /** ops/s per client, or null for the closed loop. */
  ratePerClient: number | null;
  clients: number;
  durationSec: number;
  /** Each client's slot 0, seconds after the start (empty for the closed loop). */
  offsetsSec: number[];
  /**
   * Date.now() at this event, so the nodes' logs (wall clock) can be placed on the history's clock;
   * missing in older runs.
   */
  wallMs?: number;
}

/** The keep-up rule's bounds. */
export const KEPT_UP = {
  /** At most this share of the slots the machine answers for may be missed. */
  maxMissedShare: 0.05,
  /**
   * The p99 start delay behind schedule may be at most this: half a second, within the 1-s grain of
   * the availability figures. Later, the load generator itself was starved (its timers fired that
   * late); a shorter delay past one interval already shows as missed slots, judged by the first
   * bound.
   */
  maxLagP99Ms: 500,
} as const;

export const KEPT_UP_RULE =
  `kept up when at most ${KEPT_UP.maxMissedShare * 100}% of the offered slots were missed (slots skipped behind an op that failed, ended unknown, was retried or overlapped a fault, ` +
  `or in the backoff pause, are the system's and not counted) and the p99 start delay behind schedule is at most ${KEPT_UP.maxLagP99Ms} ms`;
export const CLOSED_RULE =
  "closed loop (clients.rate: closed): no rate was offered, so there is none to keep; the op count follows the machine's speed";

export interface LagMs {
  p50: number;
  p99: number;
  max: number;
}

export interface RateRecord {
  /** ops/s per client; null for the closed loop. */
  offeredPerClient: number | null;
  clients: number;
  /** ops/s over all clients; null for the closed loop. */
  offered: number | null;
  /** ops issued per second of the workload. */
  achieved: number;
  /** Seconds of workload the figures cover (the duration, or less for an interrupted run). */
  spanSec: number;
  slots: { scheduled: number; issued: number; missed: number; held: number; paused: number } | null;
  /** Start delay behind schedule: an op's invoke minus when it was due. */
  lagMs: LagMs | null;
  keptUp: boolean;
  rule: string;
  /** What the rule judged: the slots the machine answers for (scheduled − held − paused). */
  judged: {
    slots: number;
    missed: number;
    missedShare: number;
    lagP99Ms: number;
    lagBoundMs: number;
  } | null;
}

/** Nearest-rank percentile of sorted values: the value at floor(q·n) (as stats.ts). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export function scheduleOf(
  events: readonly HistoryEvent[],
): { at: number; detail: ScheduleDetail } | null {
  const e = events.find(
    (x): x is NemesisEvent =>
      x.type === 'nemesis' && x.phase === 'event' && x.kind === SCHEDULE_KIND,
  );
  return e ? { at: e.time, detail: e.detail as ScheduleDetail } : null;
}

type SkipCause = 'missed' | 'held' | 'paused';

export function computeRate(
  events: readonly HistoryEvent[],
  opts: { backoffMs: number },
): RateRecord | null {
  const sched = scheduleOf(events);
  if (!sched) return null;
  const { detail, at: startNs } = sched;
  const ops = pairOps(events).filter((o) => o.f !== FINAL_READ && o.invoke.time >= startNs);
  const lastNs = ops.reduce((m, o) => Math.max(m, o.invoke.time, o.complete?.time ?? 0), startNs);
  // An interrupted run (no end event) offered slots only until its last event.
  const ended = events.some(
    (e) => e.type === 'nemesis' && e.phase === 'event' && e.kind === SCHEDULE_END_KIND,
  );
  const spanSec = ended
    ? detail.durationSec
    : Math.max(0, Math.min(detail.durationSec, (lastNs - startNs) / 1e9));
  const achieved = spanSec > 0 ? ops.length / spanSec : 0;
  const base = { clients: detail.clients, achieved, spanSec };
  if (detail.ratePerClient === null) {
    return {
      offeredPerClient: null,
      offered: null,
      ...base,
      slots: null,
      lagMs: null,
      keptUp: true,
      rule: CLOSED_RULE,
      judged: null,
    };
  }
  const rate = detail.ratePerClient;
  const sec = (ns: number) => (ns - startNs) / 1e9;
  // Fault windows on the schedule's clock, each until its recovery (else heal, else the end).
  const windows = faultWindows(events, startNs).map(
    (w) => [w.start, w.recovered ?? w.end ?? Infinity] as const,
  );
  const held = (o: Op): boolean => {
    const c = o.complete;
    if (c?.type !== 'ok' || (c.attempts ?? 1) > 1) return true;
    const from = sec(o.invoke.time);
    const to = sec(c.time);
    return windows.some(([s, e]) => from <= e && to >= s);
  };
  const count = { scheduled: 0, issued: 0, missed: 0, held: 0, paused: 0 };
  const lags: number[] = [];
  for (let client = 0; client < detail.clients; client++) {
    const grid: Grid = { rate, origin: detail.offsetsSec[client] ?? 0 };
    const scheduled = slotsBefore(grid, spanSec);
    count.scheduled += scheduled;
    const mine = ops
      .filter((o) => o.client === client && o.invoke.slot !== undefined)
      .sort((a, b) => a.invoke.slot! - b.invoke.slot!);
    const cause = (behind: Op | undefined, j: number): SkipCause => {
      if (!behind) return 'missed';
      const c = behind.complete;
      if (c && c.type !== 'ok' && opts.backoffMs > 0 && slotTime(grid, j) > sec(c.time))
        return 'paused';
      return held(behind) ? 'held' : 'missed';
    };
    let prev: Op | undefined;
    let prevSlot = -1;
    const skip = (upTo: number) => {
      for (let j = prevSlot + 1; j < upTo; j++) count[cause(prev, j)]++;
    };
    for (const o of mine) {
      if (o.invoke.slot! >= scheduled) break;
      skip(o.invoke.slot!);
      count.issued++;
      if (o.invoke.due !== undefined) lags.push(Math.max(0, (o.invoke.time - o.invoke.due) / 1e6));
      prev = o;
      prevSlot = o.invoke.slot!;
    }
    skip(scheduled);
  }
  lags.sort((a, b) => a - b);
  const lagMs =
    lags.length > 0
      ? { p50: percentile(lags, 0.5), p99: percentile(lags, 0.99), max: lags[lags.length - 1]! }
      : null;
  const judgedSlots = count.scheduled - count.held - count.paused;
  const lagBoundMs = KEPT_UP.maxLagP99Ms;
  const missedShare = judgedSlots > 0 ? count.missed / judgedSlots : 0;
  const lagP99Ms = lagMs?.p99 ?? 0;
  return {
    offeredPerClient: rate,
    offered: rate * detail.clients,
    ...base,
    slots: count,
    lagMs,
    keptUp: missedShare <= KEPT_UP.maxMissedShare && lagP99Ms <= lagBoundMs,
    rule: KEPT_UP_RULE,
    judged: { slots: judgedSlots, missed: count.missed, missedShare, lagP99Ms, lagBoundMs },
  };
}
