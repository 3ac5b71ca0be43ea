// What a run's results.json says about the conditions it ran under, beside its figures: the rate
// it was asked to offer and the rate it achieved (and whether it kept up), the machine's load
// sampled through the run, and the provenance (lab commit, component versions, machine). Runs
// written before these were recorded lack them: every field reads as null or empty, never as a
// made-up value, and a run whose keeping-up is unknown is not excluded from anything.
//
// Read loosely, since the workload records them (results.json):
//   rate:       { offered, achieved, keptUp, … }     (ops/s; offered null for a closed loop)
//   machine:    { samples: [{ load1, steal, … }] }   (1-min load average; CPU steal, % or share)
//   provenance: lab/provenance.ts's Provenance

import type { Provenance } from '../provenance.ts';

export interface RunFacts {
  /** false: the run could not keep its rate; null: not recorded (old run, or closed loop). */
  keptUp: boolean | null;
  offered: number | null;
  achieved: number | null;
  /** 1-min load averages sampled during the run. */
  load1: number[];
  /** CPU steal samples, as recorded (percent). */
  steal: number[];
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

function samples(machine: unknown, keys: readonly string[]): number[] {
  if (!isObj(machine)) return [];
  for (const k of keys) if (Array.isArray(machine[k])) return (machine[k] as unknown[]).map(num).filter((x): x is number => x !== null);
  const list = Array.isArray(machine['samples']) ? machine['samples'] : Array.isArray(machine['load']) ? machine['load'] : [];
  return (list as unknown[]).map((s) => (isObj(s) ? firstNum(s, keys) : null)).filter((x): x is number => x !== null);
}

export function runFacts(results: unknown): RunFacts {
  const r = isObj(results) ? results : {};
  const rate = isObj(r['rate']) ? r['rate'] : null;
  const keptUp = rate && typeof rate['keptUp'] === 'boolean' ? (rate['keptUp'] as boolean) : null;
  return {
    keptUp,
    offered: rate ? firstNum(rate, ['offered', 'offeredPerSec', 'offeredOpsPerSec']) : null,
    achieved: rate ? firstNum(rate, ['achieved', 'achievedPerSec', 'achievedOpsPerSec']) : null,
    load1: samples(r['machine'], ['load1', 'loadavg1', 'loadAvg1']),
    steal: samples(r['machine'], ['steal', 'stealPct', 'stealPercent']),
    provenance: isObj(r['provenance']) ? (r['provenance'] as Partial<Provenance>) : null,
  };
}
