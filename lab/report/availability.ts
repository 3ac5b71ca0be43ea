// Availability as the clients saw it, from the history alone: the intervals in which a client (or
// the whole BBS, any client) had no successful op, and per fault how long each client was without
// one. Pure. The old "failover gap" (fault start to the first success of any client) hid a third
// of the clients stalled for 19 s behind one client that kept succeeding; per-client gaps do not.
//
// Times are seconds since the workload's first invoke. A gap starts at an ok completion (or the
// workload start) and ends at the next ok completion (or the workload end): ok *completions* are
// the moments a client got something done, whatever the op's invoke time.

import { effectSeen, observe, type Observations } from './effect-seen.ts';
import { errorLabel } from './labels.ts';
import { medianOf } from './intervals.ts';
import type { NemesisEvent, Op } from '../history/event.ts';
import {
  bbsStretches,
  intervalsBetween,
  MIN_GAP_SEC,
  type Gap,
  type Stretch,
} from './stretches.ts';

export { MIN_GAP_SEC };

export type { Gap };

/** A fault's span (its id named `fault`) and what the clients saw during it. */
export interface FaultOutage extends Omit<FaultSpan, 'id'> {
  fault: string;
  /**
   * Per client: seconds from the fault's start to its first ok op invoked after it (null: none).
   */
  firstOkAfterSec: Record<string, number | null>;
  /**
   * The longest no-success gap of each client that overlaps the fault window [start, recovered ??
   * healed ?? end].
   */
  clientOutageSec: Record<string, number>;
  medianClientOutageSec: number;
  worstClientOutageSec: number;
  worstClient: string | null;
  /**
   * Longest interval overlapping the window in which NO client had an ok completion (lone successes
   * merged over: stretches.ts).
   */
  bbsOutageSec: number;
  /**
   * Every such stretch of 1 s or more that overlaps the window (optional: results.json of earlier
   * runs lack it).
   */
  bbsStretches?: Stretch[];
  /**
   * Ops in flight when the fault started, by outcome; of those that ended unknown (or never), what
   * later reads say (optional: results.json of earlier runs lack it).
   */
  inFlight: {
    ops: number;
    ok: number;
    fail: number;
    info: number;
    unfinished: number;
    unknown?: { seen: number; notSeen: number; cannotTell: number };
  };
  /** Failed/unknown completions inside [start, recovered ?? healed ?? end], by error label. */
  errors: Record<string, number>;
}

export interface Availability {
  /**
   * Longest no-success interval of the whole BBS (any client), and every gap ≥ 1 s; lone successes
   * merged over (stretches.ts).
   */
  bbs: { longest: Stretch | null; gaps: Stretch[] };
  /** Per client (key = client id as string): its longest no-success gap. */
  perClient: Record<string, { longest: Gap | null; oks: number }>;
  /** Fraction of the workload's time in which the BBS was available (not inside a gap ≥ 1 s). */
  timeShare: number;
  faults: FaultOutage[];
}

/** A fault as the nemesis events record it (see faultSpans). */
export interface FaultSpan {
  id: string;
  kind: string;
  target: string;
  /**
   * The node a role target (active-of:proxy1, most-written, a-non-active) resolved to, when any.
   */
  node?: string;
  /**
   * How the role was resolved, in words, and most-written's margin over the runner-up
   * (nemesis/roles.ts).
   */
  resolution?: string;
  margin?: number;
  start: number;
  /** When its heal began (null: never healed in the run). */
  healed: number | null;
  /**
   * When the system was back to its pre-fault state (node Synced and serving, proxies back); null
   * if never.
   */
  recovered: number | null;
}

/** Fault start, heal and recovery times from the nemesis events, in seconds since t0. */
export function faultSpans(nemesis: readonly NemesisEvent[], t0: number): FaultSpan[] {
  const byId = new Map<string, FaultSpan>();
  const out: FaultSpan[] = [];
  const sec = (ns: number) => (ns - t0) / 1e9;
  for (const n of nemesis) {
    if (n.phase === 'start') {
      const d = (n.detail ?? {}) as {
        target?: unknown;
        node?: unknown;
        resolution?: { text?: unknown; margin?: unknown };
      };
      const span: FaultSpan = {
        id: n.fault,
        kind: n.kind,
        target: typeof d.target === 'string' ? d.target : '',
        start: sec(n.time),
        healed: null,
        recovered: null,
      };
      if (typeof d.node === 'string') span.node = d.node;
      if (typeof d.resolution?.text === 'string') span.resolution = d.resolution.text;
      if (typeof d.resolution?.margin === 'number') span.margin = d.resolution.margin;
      byId.set(n.fault, span);
      out.push(span);
    } else if (n.phase === 'stop') {
      const s = byId.get(n.fault);
      if (s && s.healed === null) s.healed = sec(n.time);
    } else if (n.kind === 'recovered') {
      const s = byId.get(n.fault);
      if (s && s.recovered === null) s.recovered = sec(n.time);
    }
  }
  return out;
}

/** The end of a fault's window: back to the pre-fault state, else its heal, else the run's end. */
export function windowEnd(f: Pick<FaultSpan, 'healed' | 'recovered'>, end: number): number {
  return f.recovered ?? f.healed ?? end;
}

/** The no-success gaps between consecutive ok times (sorted) within [0, end]. */
export function gapsBetween(okTimes: readonly number[], end: number): Gap[] {
  return intervalsBetween(okTimes, end).filter((g) => g.sec > 0);
}

function longestOf<G extends Gap>(gaps: readonly G[]): G | null {
  let best: G | null = null;
  for (const g of gaps) if (!best || g.sec > best.sec) best = g;
  return best;
}

/**
 * The longest gap that overlaps [from, to] (a zero-length window still meets the gap around it).
 */
function longestOverlapping(gaps: readonly Gap[], from: number, to: number): number {
  let best = 0;
  for (const g of gaps) if (g.from <= to && g.to >= from && g.sec > best) best = g.sec;
  return best;
}

/**
 * ops: the workload's ops (the final read left out); t0: the workload's first invoke (ns);
 * end: the workload's end in seconds since t0; nemesis: the history's nemesis events.
 */
export function computeAvailability(
  ops: readonly Op[],
  nemesis: readonly NemesisEvent[],
  t0: number,
  end: number,
  obs: Observations = observe(ops),
): Availability {
  const sec = (ns: number) => (ns - t0) / 1e9;
  const clients = [...new Set(ops.map((o) => o.client))].sort((a, b) => a - b).map(String);
  const okTimes = new Map<string, number[]>(clients.map((c) => [c, []]));
  const allOk: number[] = [];
  for (const o of ops) {
    if (o.complete?.type !== 'ok') continue;
    const t = sec(o.complete.time);
    okTimes.get(String(o.client))!.push(t);
    allOk.push(t);
  }
  allOk.sort((a, b) => a - b);
  const clientGaps = new Map<string, Gap[]>();
  const perClient: Availability['perClient'] = {};
  for (const c of clients) {
    const ts = okTimes.get(c)!.sort((a, b) => a - b);
    const gaps = gapsBetween(ts, end);
    clientGaps.set(c, gaps);
    perClient[c] = { longest: longestOf(gaps), oks: ts.length };
  }
  const bbsAll = bbsStretches(allOk, end);
  // Times are ns / 1e9: a gap of exactly 1 s can come out a hair short of it.
  const bbsGaps = bbsAll.filter((g) => g.sec >= MIN_GAP_SEC - 1e-9);
  const down = bbsGaps.reduce((a, g) => a + g.sec, 0);
  const timeShare = end > 0 ? Math.max(0, 1 - down / end) : allOk.length > 0 ? 1 : 0;

  const faults = faultSpans(nemesis, t0).map((f): FaultOutage => {
    const wEnd = windowEnd(f, end);
    const firstOkAfterSec: Record<string, number | null> = {};
    const clientOutageSec: Record<string, number> = {};
    for (const c of clients) {
      firstOkAfterSec[c] = null;
      clientOutageSec[c] = longestOverlapping(clientGaps.get(c)!, f.start, wEnd);
    }
    const unknown = { seen: 0, notSeen: 0, cannotTell: 0 };
    const inFlight: FaultOutage['inFlight'] = {
      ops: 0,
      ok: 0,
      fail: 0,
      info: 0,
      unfinished: 0,
      unknown,
    };
    const errors: Record<string, number> = {};
    for (const o of ops) {
      const inv = sec(o.invoke.time);
      const c = o.complete;
      const done = c ? sec(c.time) : Infinity;
      if (c?.type === 'ok' && inv >= f.start) {
        const k = String(o.client);
        const after = done - f.start;
        const prev = firstOkAfterSec[k];
        if (prev === null || prev === undefined || after < prev) firstOkAfterSec[k] = after;
      }
      if (inv < f.start && done > f.start) {
        inFlight.ops++;
        inFlight[c ? c.type : 'unfinished']++;
        // Did an op of unknown outcome commit? Only a later sighting of its own write says so.
        if (!c || c.type === 'info') {
          const seen = effectSeen(o, obs);
          if (seen === 'seen') unknown.seen++;
          else if (seen === 'not-seen') unknown.notSeen++;
          else unknown.cannotTell++;
        }
      }
      if (c && c.type !== 'ok' && done >= f.start && done <= wEnd) {
        const label = c.error ? errorLabel(c.error) : c.type === 'info' ? 'unknown' : 'failed';
        errors[label] = (errors[label] ?? 0) + 1;
      }
    }
    const outages = clients.map((c) => clientOutageSec[c]!);
    let worstClient: string | null = null;
    for (const c of clients)
      if (worstClient === null || clientOutageSec[c]! > clientOutageSec[worstClient]!)
        worstClient = c;
    const out: FaultOutage = {
      fault: f.id,
      kind: f.kind,
      target: f.target,
      start: f.start,
      healed: f.healed,
      recovered: f.recovered,
      firstOkAfterSec,
      clientOutageSec,
      medianClientOutageSec: outages.length > 0 ? medianOf([...outages].sort((a, b) => a - b)) : 0,
      worstClientOutageSec: worstClient === null ? 0 : clientOutageSec[worstClient]!,
      worstClient,
      bbsOutageSec: longestOverlapping(bbsAll, f.start, wEnd),
      bbsStretches: bbsGaps.filter((g) => g.from <= wEnd && g.to >= f.start),
      inFlight,
      errors,
    };
    if (f.node !== undefined) out.node = f.node;
    if (f.resolution !== undefined) out.resolution = f.resolution;
    if (f.margin !== undefined) out.margin = f.margin;
    return out;
  });
  return { bbs: { longest: longestOf(bbsAll), gaps: bbsGaps }, perClient, timeShare, faults };
}
