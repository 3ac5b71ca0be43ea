// What `bbs-lab selftest` runs: the clean baseline on each seed, and each planted bug on each
// seed on the shortest scenario that can reveal it. Pure: the runner (run.ts) executes the plan.

import { PLANTS, type Plant, type PlantName } from '../../bbs/sql/plants.ts';

/** The clean multi-writer baseline; also where a commit-error plant shows (it needs 1213s at COMMIT). */
export const BASELINE_SCENARIO = 'scenarios/multi-writer-baseline.yaml';
/** One node, hot keys: a finding there can only be the BBS code's. */
export const ONE_NODE_SCENARIO = 'scenarios/selftest-one-node.yaml';

/**
 * The scenario a plant is run on. A COMMIT that fails with 1213 needs a write certified against
 * another node's, so the commit-error plants run on the 3-node multi-writer baseline; every other
 * plant shows on one node, where replication cannot explain a finding.
 */
export function scenarioForPlant(p: Plant): string {
  return p.kind === 'commit-error-as-success' ? BASELINE_SCENARIO : ONE_NODE_SCENARIO;
}

export interface SelftestCase {
  /** null: the clean baseline. */
  plant: PlantName | null;
  scenario: string;
  seed: number;
}

/** Seeds 1…n: the self-test is repeatable, a failing case is rerun with `bbs-lab run … --seed`. */
export function seedsOf(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/** The baseline on every seed first (a dirty baseline makes every detection meaningless), then each plant on every seed. */
export function selftestPlan(plants: readonly PlantName[], seeds: readonly number[]): SelftestCase[] {
  const out: SelftestCase[] = seeds.map((seed) => ({ plant: null, scenario: BASELINE_SCENARIO, seed }));
  for (const name of plants) {
    const p = PLANTS.find((x) => x.name === name)!;
    for (const seed of seeds) out.push({ plant: name, scenario: scenarioForPlant(p), seed });
  }
  return out;
}
