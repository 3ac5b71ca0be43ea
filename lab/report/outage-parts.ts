// An outage taken apart per fault: a timeline of the moments that decide how long clients wait
// (from the history and the nodes' logs), and each client's outage split at those moments.
//
// The marks of a fault on a node (its "subject"; a proxy for proxy-kill):
//   start      the fault starts (history)
//   suspected  another node suspects the subject (its log: "suspecting node"; informational)
//   detected   another node installs a primary view without it: Galera goes on (its log; when a
//              history mark falls in the same logged second, the view is put at that second's
//              start)
//   healthSeen the subject's galera-healthcheck answers unhealthy (history: `health` events)
//   routed     the routing stops sending new connections to it: a proxy's active backend moves off
//              it, Consul's DNS answer drops it, or another proxy takes the Consul lock (history)
//   healed     the fault is undone (history)
//   rejoined   the subject is Synced again, after its state transfer (its log: "-> SYNCED")
// A client's outage (its longest stretch without a success that overlaps the fault, as the fault
// table counts it) is cut at these marks, in the order they happened:
//   before     the stretch began before the fault
//   detection / health / routing
//              each ending at its mark: time spent waiting for Galera, the health check, the
//              routing
//   client     from the last of those marks to the heal: time the client itself took to move (its
//              timeout, its pool keeping a connection), or never (pinned clients)
//   rejoin     from the heal to the subject's rejoin; after: beyond it
// A missing mark has no part (its wait is counted in the next one). Pure.

import {
  workloadStart,
  FINAL_READ,
  pairOps,
  type HistoryEvent,
  type NemesisEvent,
  type Op,
} from '../history/event.ts';
import { faultSpans, gapsBetween, windowEnd, type FaultSpan, type Gap } from './availability.ts';
import type { NodeLogMark } from './node-log-marks.ts';
import { SCHEDULE_KIND, type ScheduleDetail } from './rate.ts';

export const OUTAGE_PARTS = [
  'before',
  'detection',
  'health',
  'routing',
  'client',
  'rejoin',
  'after',
] as const;
export type OutagePart = (typeof OUTAGE_PARTS)[number];

/** Each part in words, for reports and findings. */
export const PART_WORDS: Record<OutagePart, string> = {
  before: 'already out before the fault',
  detection: 'waiting for Galera to drop the node',
  health: 'waiting for the health check',
  routing: 'waiting for the proxy or DNS to move',
  client: "the client's own (timeout, pool)",
  rejoin: 'waiting for the rejoin',
  after: 'after the rejoin',
};

/** Short column headers of the same parts. */
export const PART_HEADERS: Record<OutagePart, string> = {
  before: 'before the fault',
  detection: 'Galera detecting',
  health: 'health check',
  routing: 'proxy or DNS',
  client: "client's own",
  rejoin: 'rejoin',
  after: 'after the rejoin',
};

export const TIMELINE_MARKS = [
  'suspected',
  'detected',
  'healthSeen',
  'routed',
  'rejoined',
] as const;
export type TimelineMark = (typeof TIMELINE_MARKS)[number];

/** Seconds since the workload's start; null when the mark did not happen (or was not recorded). */
export interface FaultTimeline {
  fault: string;
  kind: string;
  target: string;
  /** The node (or proxy) the fault acted on, when one. */
  subject: string | null;
  start: number;
  suspected: number | null;
  detected: number | null;
  healthSeen: number | null;
  routed: number | null;
  healed: number | null;
  rejoined: number | null;
}

export interface ClientOutageParts {
  client: string;
  from: number;
  to: number;
  sec: number;
  /** Seconds after the fault's start of the client's first failed or unknown op, or null. */
  firstErrorAfterSec: number | null;
  parts: Record<OutagePart, number>;
}

export interface FaultOutageParts {
  timeline: FaultTimeline;
  /** Every client, longest outage first. */
  clients: ClientOutageParts[];
}

export interface OutageParts {
  /** Whether node logs were placed on the history's clock (false: no log marks). */
  logMarks: boolean;
  faults: FaultOutageParts[];
}

/** A lab event the routing marks come from (history nemesis events of phase 'event'). */
type LabEvent = NemesisEvent & { phase: 'event' };

/**
 * The node or proxy a fault acted on: a role's resolved node, else a node or proxy named by the
 * target.
 */
export function subjectOf(f: Pick<FaultSpan, 'node' | 'target'>): string | null {
  if (f.node) return f.node;
  const m = /(?:^|:)((?:n|proxy)\d+)$/.exec(f.target);
  return m ? m[1]! : null;
}

/**
 * The first time ≥ from among ts (a log mark whose second holds `from` counts, moved to `from`).
 */
function firstFrom(ts: readonly number[], from: number, slack: number): number | null {
  let best: number | null = null;
  for (const t of ts) if (t >= from - slack && (best === null || t < best)) best = t;
  return best === null ? null : Math.max(best, from);
}

/** Log marks within half a second before a moment may be of it: the log stamps whole seconds. */
const LOG_SLACK = 0.5;

export function faultTimeline(
  f: FaultSpan,
  labEvents: readonly { at: number; e: LabEvent }[],
  logMarks: readonly (NodeLogMark & { at: number })[],
): FaultTimeline {
  const subject = subjectOf(f);
  const others = logMarks.filter((m) => m.node !== subject);
  const mine = logMarks.filter((m) => m.node === subject);
  const detail = (e: LabEvent) => (e.detail ?? {}) as Record<string, unknown>;
  const healthSeen = firstFrom(
    labEvents
      .filter(({ e }) => e.kind === 'health' && e.fault === subject && detail(e).healthy === false)
      .map((x) => x.at),
    f.start,
    0,
  );
  const routed = firstFrom(
    labEvents
      .filter(({ e }) => {
        const d = detail(e);
        if (e.kind === 'proxy-active-changed') return subject !== null && d.from === subject;
        if (e.kind === 'dns-answer')
          return subject !== null && Array.isArray(d.passing) && !d.passing.includes(subject);
        if (e.kind === 'consul-leader') return e.fault !== subject;
        return false;
      })
      .map((x) => x.at),
    f.start,
    0,
  );
  const isNode = subject !== null && /^n\d+$/.test(subject);
  let detected = isNode
    ? firstFrom(
        others.filter((m) => m.kind === 'view' && m.primary).map((m) => m.at),
        f.start,
        LOG_SLACK,
      )
    : null;
  // The log names the second only: a history mark inside that second may have come after the view,
  // so the view moves to the second's start (never before the fault), ahead of the mark.
  const firstSeen = Math.min(healthSeen ?? Infinity, routed ?? Infinity);
  if (detected !== null && firstSeen >= detected - LOG_SLACK && firstSeen < detected)
    detected = Math.max(f.start, detected - LOG_SLACK);
  return {
    fault: f.id,
    kind: f.kind,
    target: f.target,
    subject,
    start: f.start,
    suspected: isNode
      ? firstFrom(
          others.filter((m) => m.kind === 'suspect').map((m) => m.at),
          f.start,
          LOG_SLACK,
        )
      : null,
    detected,
    healthSeen,
    routed,
    healed: f.healed,
    rejoined:
      isNode && f.healed !== null
        ? firstFrom(
            mine.filter((m) => m.kind === 'state' && m.to === 'SYNCED').map((m) => m.at),
            f.healed,
            LOG_SLACK,
          )
        : null,
  };
}

/** The timeline cut into consecutive parts (see the header); they cover the whole time line. */
export function partSegments(tl: FaultTimeline): { part: OutagePart; from: number; to: number }[] {
  const faultEnd = tl.healed ?? Infinity;
  const marks = (
    [
      ['detection', tl.detected],
      ['health', tl.healthSeen],
      ['routing', tl.routed],
    ] as [OutagePart, number | null][]
  )
    .filter((m): m is [OutagePart, number] => m[1] !== null && m[1] >= tl.start && m[1] <= faultEnd)
    // Stable: marks at the same moment keep the order above.
    .sort((a, b) => a[1] - b[1]);
  const segs: { part: OutagePart; from: number; to: number }[] = [
    { part: 'before', from: -Infinity, to: tl.start },
  ];
  let prev = tl.start;
  for (const [part, t] of marks) {
    segs.push({ part, from: prev, to: t });
    prev = t;
  }
  segs.push({ part: 'client', from: prev, to: faultEnd });
  if (tl.healed !== null) {
    const back = tl.rejoined !== null && tl.rejoined >= tl.healed ? tl.rejoined : tl.healed;
    segs.push({ part: 'rejoin', from: tl.healed, to: back });
    segs.push({ part: 'after', from: back, to: Infinity });
  }
  return segs;
}

/**
 * A stretch [from, to] split into the timeline's parts (seconds per part; they sum to to − from).
 */
export function splitOutage(
  tl: FaultTimeline,
  from: number,
  to: number,
): Record<OutagePart, number> {
  const parts = Object.fromEntries(OUTAGE_PARTS.map((p) => [p, 0])) as Record<OutagePart, number>;
  for (const s of partSegments(tl))
    parts[s.part] += Math.max(0, Math.min(to, s.to) - Math.max(from, s.from));
  return parts;
}

/** The longest gap overlapping [from, to] (as the fault table picks a client's outage), or null. */
function longestOverlapping(gaps: readonly Gap[], from: number, to: number): Gap | null {
  let best: Gap | null = null;
  for (const g of gaps) if (g.from <= to && g.to >= from && (!best || g.sec > best.sec)) best = g;
  return best;
}

/**
 * The schedule event's wall clock (ms) at the history's t0, or null (a run from before it was
 * recorded).
 */
export function wallAtT0(events: readonly HistoryEvent[], t0: number): number | null {
  const e = events.find(
    (x): x is NemesisEvent =>
      x.type === 'nemesis' && x.phase === 'event' && x.kind === SCHEDULE_KIND,
  );
  const wall = (e?.detail as ScheduleDetail | undefined)?.wallMs;
  return e && typeof wall === 'number' ? wall + (t0 - e.time) / 1e6 : null;
}

/**
 * Every fault's timeline and every client's outage split into parts. `nodeLogs`: parsed
 * logs/<node>.err.
 */
export function computeOutageParts(
  events: readonly HistoryEvent[],
  nodeLogs: readonly NodeLogMark[],
): OutageParts {
  const t0 = workloadStart(events);
  const ops: Op[] = pairOps(events).filter((o) => o.f !== FINAL_READ);
  const sec = (ns: number) => (ns - t0) / 1e9;
  let end = 0;
  for (const o of ops)
    end = Math.max(end, sec(o.invoke.time), o.complete ? sec(o.complete.time) : 0);
  const nemesis = events.filter((e): e is NemesisEvent => e.type === 'nemesis');
  const labEvents = nemesis
    .filter((e): e is LabEvent => e.phase === 'event')
    .map((e) => ({ at: sec(e.time), e }));
  const wall = wallAtT0(events, t0);
  const logMarks =
    wall === null ? [] : nodeLogs.map((m) => ({ ...m, at: (m.wallMs - wall) / 1000 }));
  const clients = [...new Set(ops.map((o) => o.client))].sort((a, b) => a - b);
  const gapsOf = new Map<number, Gap[]>();
  for (const c of clients) {
    const ts = ops
      .filter((o) => o.client === c && o.complete?.type === 'ok')
      .map((o) => sec(o.complete!.time))
      .sort((a, b) => a - b);
    gapsOf.set(c, gapsBetween(ts, end));
  }
  const faults = faultSpans(nemesis, t0).map((f): FaultOutageParts => {
    const tl = faultTimeline(f, labEvents, logMarks);
    const wEnd = windowEnd(f, end);
    const rows: ClientOutageParts[] = [];
    for (const c of clients) {
      const g = longestOverlapping(gapsOf.get(c)!, f.start, wEnd);
      let firstErr: number | null = null;
      for (const o of ops) {
        if (o.client !== c || !o.complete || o.complete.type === 'ok') continue;
        const t = sec(o.complete.time);
        if (t >= f.start && t <= wEnd && (firstErr === null || t - f.start < firstErr))
          firstErr = t - f.start;
      }
      const from = g?.from ?? f.start;
      const to = g?.to ?? f.start;
      rows.push({
        client: String(c),
        from,
        to,
        sec: to - from,
        firstErrorAfterSec: firstErr,
        parts: splitOutage(tl, from, to),
      });
    }
    rows.sort((a, b) => b.sec - a.sec || Number(a.client) - Number(b.client));
    return { timeline: tl, clients: rows };
  });
  return { logMarks: wall !== null && nodeLogs.length > 0, faults };
}

/**
 * The worst client's parts in the fault with the longest worst-client outage (what the metrics
 * read), or null.
 */
export function worstParts(p: OutageParts): { fault: string; client: ClientOutageParts } | null {
  let best: { fault: string; client: ClientOutageParts } | null = null;
  for (const f of p.faults) {
    const w = f.clients[0];
    if (w && (!best || w.sec > best.client.sec)) best = { fault: f.timeline.fault, client: w };
  }
  return best;
}

/** Seconds from the fault's start to a mark (rejoined: from the heal), or null when it has none. */
export function markDelay(tl: FaultTimeline, mark: TimelineMark): number | null {
  const t = tl[mark];
  if (t === null) return null;
  if (mark === 'rejoined') return tl.healed === null ? null : t - tl.healed;
  return t - tl.start;
}
