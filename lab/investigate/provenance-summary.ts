// What produced a campaign's findings, from the runs themselves: the lab commits that ran them
// (with the dirty flag), the component versions, the machine, its load during the runs and the
// offered and achieved rates, and the exact command (seeds, budget, order seed) that regenerates
// them. Each run's results.json is the source (run-facts.ts); the campaign's state.json is the
// fallback for runs written before runs recorded their own. Pure: records in, summary out.

import type { Provenance } from '../provenance.ts';
import { medianOf } from '../report/intervals.ts';
import type { RunFacts } from './run-facts.ts';
import type { CampaignState } from './state.ts';

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export interface FindingsProvenance {
  /** One entry per lab commit; `runs` is null when only the campaign's state recorded it. */
  lab: { commit: string | null; dirty: boolean | null; runs: number | null }[];
  components: { node: string[]; mariadb: string[]; galera: string[]; etcd: string[] };
  machine: { cores: number; memoryGiB: number; cpuModel: string; platform: string };
  load: { runs: number; samples: number; load1: Spread | null; steal: Spread | null };
  rate: {
    runs: number;
    keptUp: number;
    notKeptUp: number;
    offered: Spread | null;
    achieved: Spread | null;
  };
  command: string;
  budgetSec: number | null;
  orderSeed: number | null;
  seeds: Record<string, number[]>;
}

export function spread(xs: readonly number[]): Spread | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: medianOf(s), max: s[s.length - 1]! };
}

const distinct = <T>(xs: readonly (T | null | undefined)[]): T[] => [
  ...new Set(xs.filter((x): x is T => x !== null && x !== undefined)),
];

/** `facts`: one entry per run that ran (shared runs once), with its question. */
/**
 * The runs' spread with its ends widened to the lowest and highest sample: a run that recorded only
 * its summary gives its median to the middle and its extremes to the ends.
 */
function withRange(s: Spread | null, ranges: readonly ([number, number] | null)[]): Spread | null {
  const rs = ranges.filter((r): r is [number, number] => r !== null);
  if (!s || rs.length === 0) return s;
  return {
    min: Math.min(s.min, ...rs.map((r) => r[0])),
    median: s.median,
    max: Math.max(s.max, ...rs.map((r) => r[1])),
  };
}

export function summarizeProvenance(
  state: Pick<
    CampaignState,
    'machine' | 'command' | 'budgetSec' | 'orderSeed' | 'provenance' | 'runs'
  >,
  facts: readonly RunFacts[],
): FindingsProvenance {
  const fromRuns = facts
    .map((f) => f.provenance)
    .filter((p): p is Partial<Provenance> => p !== null);
  const fromState = state.provenance ?? [];
  const commits = new Map<
    string,
    { commit: string | null; dirty: boolean | null; runs: number | null }
  >();
  if (fromRuns.length > 0) {
    for (const p of fromRuns) {
      const commit = p.lab?.commit ?? null;
      const dirty = p.lab?.dirty ?? null;
      const k = `${commit} ${dirty}`;
      commits.set(k, { commit, dirty, runs: (commits.get(k)?.runs ?? 0) + 1 });
    }
  } else
    for (const p of fromState)
      commits.set(`${p.lab.commit} ${p.lab.dirty}`, {
        commit: p.lab.commit,
        dirty: p.lab.dirty,
        runs: null,
      });
  const all: Partial<Provenance>[] = fromRuns.length > 0 ? fromRuns : fromState;
  const m = state.machine;
  const withLoad = facts.filter((f) => f.load1.length > 0);
  const withRate = facts.filter((f) => f.keptUp !== null || f.achieved !== null);
  const seeds: Record<string, number[]> = {};
  for (const r of state.runs)
    if (!(seeds[r.question] ?? []).includes(r.seed))
      seeds[r.question] = [...(seeds[r.question] ?? []), r.seed];
  return {
    lab: [...commits.values()],
    components: {
      node: distinct(all.map((p) => p.node)),
      mariadb: distinct(all.map((p) => p.mariadb)),
      galera: distinct(all.map((p) => p.galera)),
      etcd: distinct(all.map((p) => p.etcd)),
    },
    machine: {
      cores: all[0]?.machine?.cores ?? m.cores,
      memoryGiB: all[0]?.machine?.memoryGiB ?? Math.round(m.memGiB * 10) / 10,
      cpuModel: m.cpuModel,
      platform: m.platform,
    },
    load: {
      runs: withLoad.length,
      samples: withLoad.reduce((a, f) => a + f.loadSamples, 0),
      load1: withRange(
        spread(withLoad.flatMap((f) => f.load1)),
        withLoad.map((f) => f.load1Range),
      ),
      steal: withRange(
        spread(facts.flatMap((f) => f.steal)),
        facts.map((f) => f.stealRange),
      ),
    },
    rate: {
      runs: withRate.length,
      keptUp: facts.filter((f) => f.keptUp === true).length,
      notKeptUp: facts.filter((f) => f.keptUp === false).length,
      offered: spread(facts.map((f) => f.offered).filter((x): x is number => x !== null)),
      achieved: spread(facts.map((f) => f.achieved).filter((x): x is number => x !== null)),
    },
    command: state.command,
    budgetSec: state.budgetSec,
    orderSeed: state.orderSeed ?? null,
    seeds,
  };
}
