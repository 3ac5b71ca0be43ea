// The offered load and the machine's load in words, for the setup part of report.md and
// report.html, and the notice a run that did not keep its rate gets at the top. Pure.

import type { MachineSummary } from './machine.ts';
import { KEPT_UP, type RateRecord } from './rate.ts';

const fmt = (n: number) => n.toLocaleString('en-US');
const ms = (x: number) => `${x.toFixed(1)} ms`;
const pctOf = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Why the run did not keep its rate, with its numbers ("" when it did, or for the closed loop). */
export function notKeptWhy(r: RateRecord): string {
  if (r.keptUp || !r.judged) return '';
  const why: string[] = [];
  if (r.judged.missedShare > KEPT_UP.maxMissedShare)
    why.push(
      `${pctOf(r.judged.missedShare)} of the slots it answers for were missed (at most ${KEPT_UP.maxMissedShare * 100}% allowed)`,
    );
  if (r.judged.lagP99Ms > r.judged.lagBoundMs)
    why.push(
      `ops started ${ms(r.judged.lagP99Ms)} behind schedule at p99 (at most ${fmt(r.judged.lagBoundMs)} ms allowed)`,
    );
  return why.join(' and ');
}

export function rateSentence(r: RateRecord): string {
  if (r.offeredPerClient === null) {
    return `Closed loop (clients.rate: closed): each client issued its next op as soon as the last returned, ${r.achieved.toFixed(1)} ops/s, so the op count follows the machine's speed.`;
  }
  const s = r.slots!;
  const lag = r.lagMs
    ? `; ops started behind schedule by p50 ${ms(r.lagMs.p50)}, p99 ${ms(r.lagMs.p99)}, max ${ms(r.lagMs.max)}`
    : '';
  const verdict = r.keptUp
    ? `; the run kept its rate (at most ${KEPT_UP.maxMissedShare * 100}% of slots missed, p99 start delay at most ${fmt(r.judged!.lagBoundMs)} ms)`
    : `; the run did NOT keep its rate: ${notKeptWhy(r)}`;
  return (
    `Offered load: ${fmt(r.offeredPerClient)} ops/s per client (${fmt(r.offered!)} ops/s in all), achieved ${r.achieved.toFixed(1)} ops/s ` +
    `(${fmt(s.issued)} of ${fmt(s.scheduled)} slots issued; skipped: ${fmt(s.held)} behind ops the system held (failed, unknown, retried or in a fault), ${fmt(s.paused)} in backoff pauses, ${fmt(s.missed)} missed)` +
    `${lag}${verdict}.`
  );
}

const spread = (x: { min: number; median: number; max: number }, unit: string, digits: number) =>
  `median ${x.median.toFixed(digits)}${unit} (${x.min.toFixed(digits)}–${x.max.toFixed(digits)}${unit})`;

/** "Machine: 2 cores, 1-min load median 1.9 (1.2–2.5), …", or null without samples. */
export function machineSentence(m: MachineSummary | null | undefined): string | null {
  if (!m?.load1) return null;
  const parts = [`1-min load average ${spread(m.load1, '', 2)}`];
  if (m.busyPct) parts.push(`CPU busy ${spread(m.busyPct, '%', 0)}`);
  if (m.stealPct) parts.push(`steal ${spread(m.stealPct, '%', 1)}`);
  return `Machine${m.cores !== null ? `: ${m.cores} cores` : ''}, sampled every second through the workload: ${parts.join(', ')}.`;
}

/**
 * The notice at the top of a report whose run did not keep its rate (a bold head, then the rest),
 * or null.
 */
export function notKeptNotice(
  r: RateRecord | null | undefined,
): { head: string; rest: string } | null {
  if (!r || r.keptUp) return null;
  return {
    head: 'This run did not keep its offered rate',
    rest: ` (achieved ${r.achieved.toFixed(1)} of ${fmt(r.offered!)} ops/s; ${notKeptWhy(r)}): its op counts, error rates and latencies follow the machine's load, so compare it with other runs only with that in mind.`,
  };
}
