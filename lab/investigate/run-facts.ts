// What a run's results.json says about the conditions it ran under, beside its figures: the rate
// it was asked to offer and the rate it achieved (and whether it kept up), the machine's load
// sampled through the run, and the provenance (lab commit, component versions, machine). Runs
// written before these were recorded lack them: every field reads as null or empty, never as a
// made-up value, and a run whose keeping-up is unknown is not excluded from anything.
//
// Read loosely, since the workload records them (results.json):
//   rate:       { offered, achieved, keptUp, … }     (ops/s; offered null for a closed loop)
//   machine:    { samples: n, load1: {min, median, max}, stealPct: {min, median, max} }
//   (report/machine.ts:
//               the run's own summary of machine.jsonl; older drafts listed samples instead)
//   provenance: lab/provenance.ts's Provenance

import type { Provenance } from '../provenance.ts';

export interface RunFacts {
  /** false: the run could not keep its rate; null: not recorded (old run, or closed loop). */
  keptUp: boolean | null;
  offered: number | null;
  achieved: number | null;
  /** 1-min load averages sampled during the run (a summarized run: its median alone). */
  load1: number[];
  /** CPU steal samples, as recorded (percent; a summarized run: its median alone). */
  steal: number[];
  /**
   * The lowest and highest samples, also when the run recorded only a summary; null without any.
   */
  load1Range: [number, number] | null;
  stealRange: [number, number] | null;
  /** How many samples the figures above stand for. */
  loadSamples: number;
  provenance: Partial<Provenance> | null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const firstNum = (o: Obj, keys: readonly string[]): number | null => {
  for (const k of keys) {
    const v = num(o[k]);
    if (v !== null) return v;
  }
  return null;
};

/** A run's own summary of a measure ({min, median, max}), or null. */
function summaryOf(
  machine: unknown,
  keys: readonly string[],
): { min: number; median: number; max: number } | null {
  if (!isObj(machine)) return null;
  for (const k of keys) {
    const v = machine[k];
    if (isObj(v) && num(v.min) !== null && num(v.median) !== null && num(v.max) !== null)
      return { min: v.min as number, median: v.median as number, max: v.max as number };
  }
  return null;
}

function samples(machine: unknown, keys: readonly string[]): number[] {
  if (!isObj(machine)) return [];
  const sum = summaryOf(machine, keys);
  if (sum) return [sum.median];
  for (const k of keys)
    if (Array.isArray(machine[k]))
      return (machine[k] as unknown[]).map(num).filter((x): x is number => x !== null);
  const list = Array.isArray(machine.samples)
    ? machine.samples
    : Array.isArray(machine.load)
      ? machine.load
      : [];
  return (list as unknown[])
    .map((s) => (isObj(s) ? firstNum(s, keys) : null))
    .filter((x): x is number => x !== null);
}

const LOAD_KEYS = ['load1', 'loadavg1', 'loadAvg1'] as const;
const STEAL_KEYS = ['stealPct', 'steal', 'stealPercent'] as const;

function range(machine: unknown, keys: readonly string[]): [number, number] | null {
  const sum = summaryOf(machine, keys);
  if (sum) return [sum.min, sum.max];
  const xs = samples(machine, keys);
  return xs.length > 0 ? [Math.min(...xs), Math.max(...xs)] : null;
}

export function runFacts(results: unknown): RunFacts {
  const r = isObj(results) ? results : {};
  const rate = isObj(r.rate) ? r.rate : null;
  const keptUp = rate && typeof rate.keptUp === 'boolean' ? (rate.keptUp as boolean) : null;
  return {
    keptUp,
    offered: rate ? firstNum(rate, ['offered', 'offeredPerSec', 'offeredOpsPerSec']) : null,
    achieved: rate ? firstNum(rate, ['achieved', 'achievedPerSec', 'achievedOpsPerSec']) : null,
    load1: samples(r.machine, LOAD_KEYS),
    steal: samples(r.machine, STEAL_KEYS),
    load1Range: range(r.machine, LOAD_KEYS),
    stealRange: range(r.machine, STEAL_KEYS),
    loadSamples:
      isObj(r.machine) && num(r.machine.samples) !== null
        ? (r.machine.samples as number)
        : samples(r.machine, LOAD_KEYS).length,
    provenance: isObj(r.provenance) ? (r.provenance as Partial<Provenance>) : null,
  };
}
