// What `bbs-lab selftest` runs: the clean baseline on each seed, and each planted bug on each
// seed on the shortest scenario that can reveal it. Pure: the runner (run.ts) executes the plan.

import { PLANTS, type Plant, type PlantName } from '../../bbs/sql/plants.ts';

/**
 * The clean multi-writer baseline; also where a commit-error plant shows (it needs 1213s at
 * COMMIT).
 */
export const BASELINE_SCENARIO = 'scenarios/multi-writer-baseline.yaml';
/** One node, hot keys: a finding there can only be the BBS code's. */
export const ONE_NODE_SCENARIO = 'scenarios/selftest-one-node.yaml';
/** One node whose clients' connections are reset right after a COMMIT (link-commit-reset). */
export const COMMIT_LOSS_SCENARIO = 'scenarios/selftest-commit-loss.yaml';

/**
 * The scenario a plant is run on. A COMMIT that fails with 1213 needs a write certified against
 * another node's, so the commit-error plants run on the 3-node multi-writer baseline; every other
 * plant shows on one node, where replication cannot explain a finding.
 */
export function scenarioForPlant(p: Plant): string {
  if (p.kind === 'commit-error-as-success') return BASELINE_SCENARIO;
  // A lost COMMIT needs a fault that cuts connections at COMMIT.
  if (p.kind === 'commit-lost-as-failed') return COMMIT_LOSS_SCENARIO;
  return ONE_NODE_SCENARIO;
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

/**
 * The unmutated store first, on every seed of every scenario a plant of the plan runs on (a dirty
 * baseline makes every detection there meaningless; the multi-writer baseline always), then each
 * plant on every seed.
 */
export function selftestPlan(
  plants: readonly PlantName[],
  seeds: readonly number[],
): SelftestCase[] {
  const scenarios = [
    BASELINE_SCENARIO,
    ...new Set(plants.map((n) => scenarioForPlant(PLANTS.find((x) => x.name === n)!))),
  ].filter((x, i, a) => a.indexOf(x) === i);
  const out: SelftestCase[] = scenarios.flatMap((scenario) =>
    seeds.map((seed) => ({ plant: null, scenario, seed })),
  );
  for (const name of plants) {
    const p = PLANTS.find((x) => x.name === name)!;
    for (const seed of seeds) out.push({ plant: name, scenario: scenarioForPlant(p), seed });
  }
  return out;
}
