// The whole BBS's outage stretches: the intervals of 1 s or more in which no client had a
// successful op. One lone success inside an outage (a single op that got through while everything
// else still failed) used to end a stretch and hide the outage's real length: two stretches of
// 1.4 s split by one success read as a 1.4 s outage when the BBS was out for 2.8 s. The rule here:
// a success with a stretch of MIN_GAP_SEC or more on each side (no other success within a second
// either way) does not end the outage; the stretches on both sides count as one. Pure.

/** A no-success interval, in seconds since the workload's first invoke. */
export interface Gap {
  from: number;
  to: number;
  sec: number;
}

/** Shortest no-success interval of the whole BBS that counts as an outage stretch (seconds). */
export const MIN_GAP_SEC = 1;

/** The rule in words, for the reports and the README. */
export const MERGE_RULE =
  'a lone success (one successful op with a stretch of 1 s or more without any success on each side) does not end an outage: the stretches on both sides count as one';

/** A no-success interval; `split` lists the lone successes inside it that were merged over. */
export interface Stretch extends Gap {
  split?: number[];
}

/**
 * Every interval between consecutive ok times (sorted, clamped to [0, end]), from 0 to the last
 * up to `end`, zero-length ones included (two successes at one instant give one).
 */
export function intervalsBetween(okTimes: readonly number[], end: number): Gap[] {
  const out: Gap[] = [];
  let from = 0;
  for (const t of okTimes) {
    const at = Math.min(Math.max(t, 0), end);
    out.push({ from, to: at, sec: at - from });
    from = at;
  }
  out.push({ from, to: end, sec: end - from });
  return out;
}

const long = (g: Gap) => g.sec >= MIN_GAP_SEC - 1e-9;

/**
 * The intervals between consecutive successes (`okTimes` sorted, in [0, end]) with every lone
 * success merged over; intervals of zero length (two successes at one instant) are dropped only
 * after merging, so two simultaneous successes are never taken for one lone one.
 */
export function bbsStretches(okTimes: readonly number[], end: number): Stretch[] {
  const out: Stretch[] = [];
  for (const g of intervalsBetween(okTimes, end)) {
    const prev = out[out.length - 1];
    // Consecutive raw intervals share exactly one success (prev.to): lone when both sides are long.
    if (prev && long(prev) && long(g)) {
      prev.split = [...(prev.split ?? []), prev.to];
      prev.to = g.to;
      prev.sec = prev.to - prev.from;
    } else out.push({ ...g });
  }
  return out.filter((g) => g.sec > 0);
}
