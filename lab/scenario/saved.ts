// The scenario as a run saves it in its directory (scenario.yaml): every field resolved, so the
// file repeats the run on its own (`bbs-lab run <run-dir>/scenario.yaml --seed N`, the command the
// report prints), but only the fields the run's workload reads. The validator fills in every
// default, so a BBS run would otherwise carry list-append's keys, txnLength and isolation, and a
// reader of the file would take them for settings of the run.
import type { Scenario } from './types.ts';

/** Workload fields read by one workload kind only; the other kind's defaults are left out. */
const ONLY_FOR: Readonly<Record<Scenario['workload']['kind'], readonly string[]>> = {
  bbs: ['tasks', 'desiredLRPs', 'instances', 'cells', 'mix', 'minOps', 'minOpsPerOp'],
  'list-append': ['keys', 'txnLength', 'isolation', 'minOps', 'minOpsPerOp'],
};

export function savedScenario(s: Scenario, seed: number): Record<string, unknown> {
  const keep = new Set(['kind', ...ONLY_FOR[s.workload.kind]]);
  const workload = Object.fromEntries(Object.entries(s.workload).filter(([k]) => keep.has(k)));
  // An empty random schedule adds nothing; its interval and duration would read as settings.
  const nemesis =
    s.nemesis.random.kinds.length === 0 ? { schedule: s.nemesis.schedule } : s.nemesis;
  return { ...s, workload, nemesis, seed };
}
