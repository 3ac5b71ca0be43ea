// A scale scenario (`bbs-lab scale <file>`): which sizes, topologies and BBS profile to measure,
// the population per size and the trials. Parsing is pure: every problem names its field and what
// would fix it, all of them at once.

import { parse } from 'yaml';
import { BBS_VERSIONS, type BbsVersion } from '../../bbs/versions/index.ts';

// `etcd`: the legacy etcd store (one real etcd, the 2016 BBS's db/etcd reads and convergence).
export const SCALE_TOPOLOGIES = [
  'one-node',
  'galera-one-proxy',
  'galera-every-node',
  'etcd',
] as const;
export type ScaleTopology = (typeof SCALE_TOPOLOGIES)[number];

export interface ScaleScenario {
  name: string;
  question: string;
  seed: number;
  bbs: { version: BbsVersion };
  /** Desired LRPs at each size, ascending; each size adds to the population of the one before. */
  sizes: number[];
  topologies: ScaleTopology[];
  population: {
    /** Instances (actual LRPs) per desired LRP; benchmarkbbs: 1. */
    instances: number;
    /** Simulated cells (reps); benchmarkbbs's num_reps. */
    cells: number;
    domains: number;
    /** Tasks per desired LRP (rounded): each RUNNING on a cell. */
    tasksPerLrp: number;
  };
  trials: number;
  /** The ordinary workload during the trials: `count` clients at `rate` ops/s each. */
  clients: { count: number; rate: number };
  /**
   * Seconds an op may take before it leaves its budget: the converger's and the rep bulk loop's 30
   * s periods.
   */
  budgets: { convergenceSec: number; bulkLoopSec: number };
  /** convergenceWorkers of the BBS (20 at every profile). */
  convergenceWorkers: number;
  /**
   * At the largest size of each 3-node topology, kill -9 the busiest node `afterMs` into a trial,
   * run one more trial with it down, then restart it and wait until it is Synced.
   */
  nodeKill: { afterMs: number } | null;
}

export class ScaleScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid scale scenario\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

const KNOWN = [
  'name',
  'question',
  'seed',
  'bbs',
  'sizes',
  'topologies',
  'population',
  'trials',
  'clients',
  'budgets',
  'convergenceWorkers',
  'nodeKill',
];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseScaleScenario(text: string, file = 'scale scenario'): ScaleScenario {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new ScaleScenarioError(file, [`not valid YAML: ${(e as Error).message.split('\n')[0]}`]);
  }
  return validateScaleScenario(doc, file);
}

export function validateScaleScenario(doc: unknown, file = 'scale scenario'): ScaleScenario {
  const problems: string[] = [];
  if (!isObj(doc))
    throw new ScaleScenarioError(file, [
      'the file must be a mapping with at least `sizes:` (e.g. sizes: [1000, 5000])',
    ]);
  for (const k of Object.keys(doc))
    if (!KNOWN.includes(k)) problems.push(`${k}: unknown field; allowed: ${KNOWN.join(', ')}`);
  const int = (
    v: unknown,
    field: string,
    min: number,
    dflt: number,
    max = Number.MAX_SAFE_INTEGER,
  ): number => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      problems.push(
        `${field}: must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, got ${JSON.stringify(v)}`,
      );
      return dflt;
    }
    return v;
  };
  const num = (v: unknown, field: string, min: number, dflt: number): number => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
      problems.push(`${field}: must be a number ≥ ${min}, got ${JSON.stringify(v)}`);
      return dflt;
    }
    return v;
  };
  const sub = (k: string): Obj => {
    const v = doc[k];
    if (v === undefined) return {};
    if (!isObj(v)) {
      problems.push(`${k}: must be a mapping`);
      return {};
    }
    return v;
  };

  let sizes: number[] = [];
  if (!Array.isArray(doc.sizes) || doc.sizes.length === 0)
    problems.push('sizes: give a list of desired LRP counts, e.g. sizes: [1000, 5000, 20000]');
  else {
    sizes = doc.sizes.map((s, i) => int(s, `sizes[${i}]`, 1, 1, 1_000_000));
    if (sizes.some((s, i) => i > 0 && s <= sizes[i - 1]!))
      problems.push(
        'sizes: must be ascending without repeats (each size adds to the population of the one before)',
      );
  }
  let topologies: ScaleTopology[] = ['galera-one-proxy'];
  if (doc.topologies !== undefined) {
    const t = doc.topologies;
    if (!Array.isArray(t) || t.length === 0)
      problems.push(`topologies: a list of ${SCALE_TOPOLOGIES.join(', ')}`);
    else {
      topologies = [];
      t.forEach((x, i) => {
        if (!SCALE_TOPOLOGIES.includes(x as ScaleTopology))
          problems.push(
            `topologies[${i}]: ${JSON.stringify(x)} is no topology; use one of ${SCALE_TOPOLOGIES.join(', ')}`,
          );
        else if (topologies.includes(x as ScaleTopology))
          problems.push(`topologies[${i}]: ${x} is listed twice`);
        else topologies.push(x as ScaleTopology);
      });
    }
  }
  const bbs = sub('bbs');
  for (const k of Object.keys(bbs))
    if (k !== 'version')
      problems.push(`bbs.${k}: unknown field; a scale run takes only bbs.version`);
  let version: BbsVersion = 'today';
  if (bbs.version !== undefined) {
    const v = String(bbs.version);
    if (!BBS_VERSIONS.includes(v as BbsVersion))
      problems.push(
        `bbs.version: ${JSON.stringify(bbs.version)} is no BBS profile; use one of ${BBS_VERSIONS.join(', ')}`,
      );
    else version = v as BbsVersion;
  }
  const pop = sub('population');
  for (const k of Object.keys(pop))
    if (!['instances', 'cells', 'domains', 'tasksPerLrp'].includes(k))
      problems.push(
        `population.${k}: unknown field; allowed: instances, cells, domains, tasksPerLrp`,
      );
  const cl = sub('clients');
  for (const k of Object.keys(cl))
    if (!['count', 'rate'].includes(k))
      problems.push(`clients.${k}: unknown field; allowed: count, rate`);
  const bu = sub('budgets');
  for (const k of Object.keys(bu))
    if (!['convergenceSec', 'bulkLoopSec'].includes(k))
      problems.push(`budgets.${k}: unknown field; allowed: convergenceSec, bulkLoopSec`);
  const name = doc.name === undefined ? 'scale' : String(doc.name);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name))
    problems.push(
      `name: ${JSON.stringify(name)} must be lower-case letters, digits and dashes (it names the output folder)`,
    );

  const s: ScaleScenario = {
    name,
    question:
      doc.question === undefined
        ? 'How far does one Galera cluster carry the BBS on this machine, and what grows first?'
        : String(doc.question),
    seed: int(doc.seed, 'seed', 0, 1),
    bbs: { version },
    sizes,
    topologies,
    population: {
      instances: int(pop.instances, 'population.instances', 1, 1, 100),
      cells: int(pop.cells, 'population.cells', 1, 10, 1000),
      domains: int(pop.domains, 'population.domains', 1, 1, 1000),
      tasksPerLrp: num(pop.tasksPerLrp, 'population.tasksPerLrp', 0, 0.1),
    },
    trials: int(doc.trials, 'trials', 1, 3, 100),
    clients: {
      count: int(cl.count, 'clients.count', 0, 4, 64),
      rate: num(cl.rate, 'clients.rate', 0, 5),
    },
    budgets: {
      convergenceSec: num(bu.convergenceSec, 'budgets.convergenceSec', 0.001, 30),
      bulkLoopSec: num(bu.bulkLoopSec, 'budgets.bulkLoopSec', 0.001, 30),
    },
    convergenceWorkers: int(doc.convergenceWorkers, 'convergenceWorkers', 1, 20, 200),
    nodeKill: null,
  };
  const nk = doc.nodeKill;
  if (nk !== undefined && nk !== false && nk !== null) {
    if (nk === true) s.nodeKill = { afterMs: 500 };
    else if (isObj(nk)) {
      for (const k of Object.keys(nk))
        if (k !== 'afterMs') problems.push(`nodeKill.${k}: unknown field; allowed: afterMs`);
      s.nodeKill = { afterMs: int(nk.afterMs, 'nodeKill.afterMs', 0, 500, 600_000) };
    } else problems.push('nodeKill: true, false, or a mapping { afterMs: N }');
  }
  if (s.clients.count > 0 && s.clients.rate <= 0)
    problems.push(
      'clients.rate: must be > 0 when clients.count > 0 (or set clients.count: 0 for no ordinary workload)',
    );
  if (problems.length > 0) throw new ScaleScenarioError(file, problems);
  return s;
}
