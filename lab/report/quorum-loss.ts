// Quorum loss the faults did not ask for. A node answers 1047 (WSREP has not yet prepared node for
// application use) when it is outside the Primary component. A node-down fault (its kind's traits,
// lab/nemesis/faults/: one that isolates, kills or pauses a node) means that node to be
// non-Primary until it has recovered; any other 1047 (the two-node remainder of a partition
// losing quorum on a loaded machine, or a node still refusing long after its fault recovered) is
// an effect of the run, not of the experiment, and a comparison must not average it in silently.
// Pure: history in, intervals out.

import {
  FINAL_READ,
  workloadStart,
  type CompletionEvent,
  type HistoryEvent,
  type NemesisEvent,
} from '../history/event.ts';
import { faultHas, targetNode } from '../nemesis/faults/index.ts';
import { faultSpans } from './availability.ts';

export interface QuorumLoss {
  node: string;
  /** First and last 1047 of the interval, seconds since the workload's first invoke. */
  from: number;
  to: number;
  /** 1047 answers in it. */
  errors: number;
  /** True when an active fault meant this node to be non-Primary then (see intendedWindows). */
  planned: boolean;
}

/** 1047s of one node closer than this are one interval. */
export const MERGE_GAP_SEC = 2;
/**
 * Without a `recovered` event (histories from before it was recorded), a fault's intent is taken
 * to last this long past its heal: a node rejoining after a partition or a restart answers 1047
 * until it is Primary again.
 */
export const REJOIN_GRACE_SEC = 5;

interface Intent {
  /** Nodes the fault means to be non-Primary; null: cannot tell, so any node. */
  nodes: Set<string> | null;
  from: number;
  to: number;
}

/** Which nodes each fault meant to unseat, and for how long: its span (availability.ts) to its recovery. */
export function intendedWindows(events: readonly HistoryEvent[], t0: number): Intent[] {
  const nemesis = events.filter((e): e is NemesisEvent => e.type === 'nemesis');
  const startOf = new Map(nemesis.filter((n) => n.phase === 'start').map((n) => [n.fault, n]));
  return faultSpans(nemesis, t0)
    .filter((f) => faultHas(f.kind, 'node-down'))
    .map((f) => ({
      nodes: unseated(startOf.get(f.id)!),
      from: f.start,
      to: f.recovered ?? (f.healed === null ? Infinity : f.healed + REJOIN_GRACE_SEC),
    }));
}

/** The nodes a node-down fault meant down: a network cut's sides without quorum, else its target's node. */
function unseated(n: NemesisEvent): Set<string> | null {
  const d = (n.detail ?? {}) as { target?: unknown; node?: unknown; sides?: unknown };
  // A side with at most half the nodes has no quorum: every node on it is meant to be non-Primary.
  if (faultHas(n.kind, 'network-cut') && Array.isArray(d.sides) && d.sides.every(Array.isArray)) {
    const sides = d.sides as string[][];
    const total = sides.reduce((a, s) => a + s.length, 0);
    return new Set(sides.filter((s) => 2 * s.length <= total).flat());
  }
  if (typeof d.node === 'string') return new Set([d.node]);
  const node = typeof d.target === 'string' ? targetNode(n.kind, d.target) : null;
  return node ? new Set([node]) : null;
}

export function quorumLoss(events: readonly HistoryEvent[]): QuorumLoss[] {
  const t0 = workloadStart(events);
  const intents = intendedWindows(events, t0);
  const meant = (node: string, t: number) =>
    intents.some((w) => t >= w.from && t <= w.to && (w.nodes === null || w.nodes.has(node)));
  const byNode = new Map<string, { t: number; planned: boolean }[]>();
  for (const e of events) {
    if (e.type !== 'fail' && e.type !== 'info') continue;
    const c = e as CompletionEvent;
    if (c.error?.errno !== 1047 || !c.node || c.f === FINAL_READ) continue;
    const t = (c.time - t0) / 1e9;
    const list = byNode.get(c.node) ?? [];
    byNode.set(c.node, list);
    list.push({ t, planned: meant(c.node, t) });
  }
  const out: QuorumLoss[] = [];
  for (const [node, list] of byNode) {
    list.sort((a, b) => a.t - b.t);
    let cur: QuorumLoss | null = null;
    for (const x of list) {
      if (cur && cur.planned === x.planned && x.t - cur.to <= MERGE_GAP_SEC) {
        cur.to = x.t;
        cur.errors++;
      } else {
        cur = { node, from: x.t, to: x.t, errors: 1, planned: x.planned };
        out.push(cur);
      }
    }
  }
  return out.sort((a, b) => a.from - b.from || a.node.localeCompare(b.node));
}

/** Unplanned loss in one sentence for a report, or null when there was none. */
export function unplannedSentence(losses: readonly QuorumLoss[]): string | null {
  const u = losses.filter((l) => !l.planned);
  if (u.length === 0) return null;
  const errors = u.reduce((a, l) => a + l.errors, 0);
  const list = u
    .map(
      (l) =>
        `${l.node} ${l.from.toFixed(1)}–${l.to.toFixed(1)} s (×${l.errors.toLocaleString('en-US')})`,
    )
    .join(', ');
  return `UNPLANNED QUORUM LOSS: nodes answered 1047 (non-Primary) where no active fault meant them to (${list}; ${errors.toLocaleString('en-US')} errors in all), an effect of this run (e.g. a loaded machine), not of the scenario: its outage figures include it.`;
}
