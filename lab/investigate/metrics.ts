// The figures a campaign can answer with, read from a run's results.json. One line per metric:
// a new figure (e.g. one the figures contract adds to RunStats) is one more entry in METRICS.
// A metric that a run's results do not carry (an older run, a figure not yet merged) reads as
// null, which the aggregation counts as missing rather than as 0.
//
// Metric names in a campaign file are `id` or `id:arg` (e.g. `errorsPer1000:1213`,
// `deadlocksPer1000ByOp:StartTask`, `isolation:G-single`).

import { isCycleType } from '../checkers/isolation/elle-names.ts';
import {
  hasElleNames,
  isLegacyName,
  LEGACY_NAMES,
  legacyCount,
} from '../checkers/isolation/legacy-names.ts';
import { ANOMALY_TYPES } from '../checkers/isolation/types.ts';
import { countOfCode, labelHasCode } from '../report/labels.ts';
import {
  markDelay,
  OUTAGE_PARTS,
  TIMELINE_MARKS,
  worstParts,
  type OutageParts,
  type OutagePart,
  type TimelineMark,
} from '../report/outage-parts.ts';

/**
 * JSON from results.json of any age: a field may be missing or of an older shape, so every read
 * goes through `?.` and a check of the value (num, Array.isArray) instead of a declared type.
 */
// biome-ignore lint/suspicious/noExplicitAny: results.json of any age; each field checked where read
type LooseJson = any;

/** results.json as the runner writes it; read loosely, since old runs lack newer fields. */
export interface RunResults {
  stats: LooseJson;
  check: LooseJson;
  /** Distinct anomaly events (report/anomaly-events.ts); missing in older runs. */
  anomalies?: LooseJson;
  /**
   * Each fault's timeline and each client's outage by part (report/outage-parts.ts); missing in
   * older runs.
   */
  outageParts?: LooseJson;
}

export interface Metric {
  label: string;
  /** Unit as a table header shows it. */
  unit: string;
  /** Decimals to print. */
  digits: number;
  /** Whether the metric takes an argument (`id:arg`), and what it names. */
  arg?: string;
  /** Which way is better, for the answer's wording; undefined when neither. */
  better?: 'lower' | 'higher';
  get(r: RunResults, arg: string): number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const sum = (o: unknown): number =>
  o && typeof o === 'object'
    ? Object.values(o as Record<string, unknown>).reduce<number>(
        (a, v) => a + (typeof v === 'number' ? v : 0),
        0,
      )
    : 0;
const completed = (r: RunResults): number =>
  r.stats?.byOutcome ? r.stats.byOutcome.ok + r.stats.byOutcome.fail + r.stats.byOutcome.info : 0;
const perK = (n: number, of: number): number | null => (of > 0 ? (1000 * n) / of : null);
const faultsOf = (r: RunResults): LooseJson[] | null =>
  r.stats?.availability &&
  typeof r.stats.availability === 'object' &&
  Array.isArray(r.stats.availability.faults)
    ? r.stats.availability.faults
    : null;
const maxOver = (xs: (number | null)[] | null): number | null => {
  const v = (xs ?? []).filter((x): x is number => x !== null);
  return xs === null ? null : v.length > 0 ? Math.max(...v) : 0;
};

/**
 * How many more errors of `code` per second came inside fault windows than outside them: whether a
 * fault causes the error, rather than the error merely happening during it. Windows run from a
 * fault's start to its recovery (else heal, else the run's end) and are merged where they overlap;
 * errors are placed by the second they completed in (stats.errorsBySecond), a second counting as
 * inside when its middle is. null without faults or without the per-second counts.
 */
function faultExcessPerSec(r: RunResults, code: string): number | null {
  const faults = faultsOf(r);
  const bySecond = r.stats?.errorsBySecond;
  const dur = num(r.stats?.durationSec);
  if (!faults || faults.length === 0 || !bySecond || dur === null || dur <= 0) return null;
  const spans = faults
    .map(
      (f) =>
        [num(f.start) ?? 0, Math.min(dur, num(f.recovered) ?? num(f.healed) ?? dur)] as [
          number,
          number,
        ],
    )
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of spans) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  const inside = merged.reduce((t, [a, b]) => t + Math.max(0, b - a), 0);
  if (inside <= 0 || inside >= dur) return null;
  let nIn = 0;
  let nOut = 0;
  for (const [label, perSecond] of Object.entries(
    bySecond as Record<string, Record<string, number>>,
  )) {
    if (label !== code && !label.startsWith(`${code} `)) continue;
    for (const [sec, n] of Object.entries(perSecond)) {
      const mid = Number(sec) + 0.5;
      if (merged.some(([a, b]) => mid >= a && mid < b)) nIn += n;
      else nOut += n;
    }
  }
  return nIn / inside - nOut / (dur - inside);
}

/** Op families as the workload's mix names them (bbs/ops.ts). */
export const OP_FAMILIES: Record<string, readonly string[]> = {
  tasks: [
    'DesireTask',
    'StartTask',
    'CancelTask',
    'FailTask',
    'CompleteTask',
    'ResolvingTask',
    'DeleteTask',
    'TaskByGuid',
  ],
  desiredLRPs: ['DesireLRP', 'UpdateDesiredLRP', 'RemoveDesiredLRP', 'DesiredLRPByProcessGuid'],
  actualLRPs: [
    'CreateUnclaimedActualLRP',
    'ClaimActualLRP',
    'StartActualLRP',
    'CrashActualLRP',
    'FailActualLRP',
    'RemoveActualLRP',
    'ActualLRPByIndex',
  ],
  domains: ['UpsertDomain', 'Domains'],
};

/**
 * An isolation count from results of either age. `legacy`: G0, G1c, G-single and G2-item read in
 * their old meaning. An Elle cycle name on results that predate those names is missing: those
 * results counted that cycle under another name.
 */
function isolationCount(r: RunResults, type: string, legacy: boolean): number | null {
  const iso = r.check?.isolation;
  if (!iso) return null;
  if (legacy && isLegacyName(type)) return legacyCount(iso, type);
  if (isCycleType(type) && !hasElleNames(iso)) return null;
  return num(iso.counts?.[type]) ?? 0;
}

const ISOLATION_NAMES: readonly string[] = [...ANOMALY_TYPES, 'G-single'];

export const METRICS: Record<string, Metric> = {
  ops: {
    label: 'ops the clients invoked in the run',
    unit: 'ops',
    digits: 0,
    get: (r) => num(r.stats?.ops),
  },
  okShare: {
    label: 'ok share of completed ops',
    unit: 'share',
    digits: 3,
    better: 'higher',
    get: (r) => (completed(r) > 0 ? r.stats.byOutcome.ok / completed(r) : null),
  },
  unknownOps: {
    label: 'ops with unknown outcome (info)',
    unit: 'ops',
    digits: 0,
    better: 'lower',
    get: (r) => num(r.stats?.byOutcome?.info),
  },
  deadlocksPer1000: {
    label: '1213s per 1,000 ops',
    unit: 'per 1,000 ops',
    digits: 1,
    better: 'lower',
    get: (r) => perK(countOfCode(r.stats?.errors, '1213'), r.stats?.ops ?? 0),
  },
  errorsPer1000: {
    label: 'errors per 1,000 ops',
    arg: 'MySQL code or error label',
    unit: 'per 1,000 ops',
    digits: 1,
    better: 'lower',
    get: (r, code) => perK(countOfCode(r.stats?.errors, code), r.stats?.ops ?? 0),
  },
  errors: {
    label: 'errors',
    arg: 'MySQL code or error label',
    unit: 'count',
    digits: 0,
    better: 'lower',
    get: (r, code) => (r.stats?.errors ? countOfCode(r.stats.errors, code) : null),
  },
  deadlocksPer1000ByOp: {
    label: '1213s per 1,000 ops of',
    arg: 'op name',
    unit: 'per 1,000 ops',
    digits: 1,
    better: 'lower',
    get: (r, op) =>
      perK(
        Object.entries(r.stats?.errorsByOp ?? {})
          .filter(([k]) => labelHasCode(k, '1213'))
          .reduce((a, [, byOp]) => a + ((byOp as Record<string, number>)[op] ?? 0), 0),
        sum(r.stats?.byOp?.[op]),
      ),
  },
  errorRate: {
    label: 'failed or unknown share of the ops of',
    arg: 'op family (tasks, desiredLRPs, actualLRPs, domains)',
    unit: 'share',
    digits: 3,
    better: 'lower',
    get: (r, fam) => {
      const ops = OP_FAMILIES[fam] ?? [];
      const by = (o: string, k: string): number => r.stats?.byOp?.[o]?.[k] ?? 0;
      const bad = ops.reduce((a, o) => a + by(o, 'fail') + by(o, 'info'), 0);
      const all = ops.reduce((a, o) => a + by(o, 'ok') + by(o, 'fail') + by(o, 'info'), 0);
      return all > 0 ? bad / all : null;
    },
  },
  multiNodeWriteSeconds: {
    label: 'seconds with writes on more than one node (switchovers included)',
    unit: 's',
    digits: 0,
    better: 'lower',
    get: (r) => num(r.stats?.writeWindows?.multiNode),
  },
  concurrentWriteSeconds: {
    label: 'seconds with writes on several nodes at once (not a switchover)',
    unit: 's',
    digits: 0,
    better: 'lower',
    get: (r) =>
      Array.isArray(r.stats?.writeWindows?.concurrent)
        ? r.stats.writeWindows.concurrent.length
        : null,
  },
  switchoverSeconds: {
    label: 'seconds in which writes moved from one node to another',
    unit: 's',
    digits: 0,
    get: (r) =>
      Array.isArray(r.stats?.writeWindows?.switchover)
        ? r.stats.writeWindows.switchover.length
        : null,
  },
  delayedShare: {
    label: 'share of ops that took at least the retry pause (500 ms)',
    unit: 'share',
    digits: 4,
    better: 'lower',
    get: (r) => num(r.stats?.delayed?.share),
  },
  latencyP50Ms: {
    label: 'ok latency p50',
    unit: 'ms',
    digits: 1,
    better: 'lower',
    get: (r) => num(r.stats?.latencyMs?.ok?.p50),
  },
  latencyP99Ms: {
    label: 'ok latency p99',
    unit: 'ms',
    digits: 1,
    better: 'lower',
    get: (r) => num(r.stats?.latencyMs?.ok?.p99),
  },
  failoverGapSec: {
    label: 'longest failover gap (old figure: any client)',
    unit: 's',
    digits: 1,
    better: 'lower',
    get: (r) =>
      Array.isArray(r.stats?.failover)
        ? maxOver(r.stats.failover.map((f: { gapSec: unknown }) => num(f.gapSec)))
        : null,
  },
  anomalyEvents: {
    label: 'distinct anomalies (each once, whichever checkers saw it)',
    unit: 'events',
    digits: 0,
    better: 'lower',
    get: (r) => num(r.anomalies?.events),
  },
  anomalyEventsOutsideFaults: {
    label: 'distinct anomalies outside every fault window',
    unit: 'events',
    digits: 0,
    better: 'lower',
    get: (r) => num(r.anomalies?.outsideFaults),
  },
  anomalyEventsInFaults: {
    label: 'distinct anomalies inside a fault window',
    unit: 'events',
    digits: 0,
    better: 'lower',
    get: (r) => num(r.anomalies?.inFault),
  },
  anomalies: {
    label:
      'checker reports of anomalies (one event seen by two checkers counts twice; non-linearizable keys, broken invariants, failed-but-applied, isolation)',
    unit: 'count',
    digits: 0,
    better: 'lower',
    get: (r) => {
      const c = r.check;
      if (!c) return null;
      const lin = Array.isArray(c.linearizability?.keys)
        ? c.linearizability.keys.filter(
            (k: { verdict: string }) => k.verdict === 'not-linearizable',
          ).length
        : 0;
      return (
        lin +
        sum(c.invariants?.counts) +
        (Array.isArray(c.failedApplied) ? c.failedApplied.length : 0) +
        sum(c.isolation?.counts)
      );
    },
  },
  causes: {
    label: 'anomalies attributed to a cause',
    arg: 'cause (stale-read, lost-write, both-acknowledged, single-node-logic, store-logic, failed-but-applied, unattributed)',
    unit: 'count',
    digits: 0,
    better: 'lower',
    // Results written before causes were attributed have none: missing, not 0.
    get: (r, cause) =>
      Array.isArray(r.check?.causes)
        ? r.check.causes.filter((c: { cause: string }) => c.cause === cause).length
        : null,
  },
  nonLinearizableKeys: {
    label: 'non-linearizable keys',
    unit: 'keys',
    digits: 0,
    better: 'lower',
    get: (r) =>
      r.check
        ? (r.check.linearizability?.keys ?? []).filter(
            (k: { verdict: string }) => k.verdict === 'not-linearizable',
          ).length
        : null,
  },
  lostWrites: {
    label: 'acknowledged writes lost',
    unit: 'writes',
    digits: 0,
    better: 'lower',
    get: (r) =>
      r.check ? (num(r.check.invariants?.counts?.['acknowledged-write-lost']) ?? 0) : null,
  },
  failedApplied: {
    label: 'ops reported failed that took effect',
    unit: 'ops',
    digits: 0,
    better: 'lower',
    get: (r) =>
      r.check ? (Array.isArray(r.check.failedApplied) ? r.check.failedApplied.length : 0) : null,
  },
  // G0, G1c, G-single and G2-item keep the meaning they had before the checker used Elle's cycle
  // names (legacy-names.ts): every cycle the search finds, whatever order edges close it; so
  // G2-item counts G-nonadjacent-item too, as it always did, and committed figures stay comparable.
  // Elle's exact counts are isolationElle:<name>.
  isolation: {
    label: 'isolation anomalies',
    arg: `anomaly type (G0, G1c, G-single, G2-item: the cycle classes as results before Elle's names counted them, every -process / -realtime variant included, G-single = G-single-item*, G2-item = G2-item* + G-nonadjacent-item*; or an Elle name, e.g. G2-item-realtime, or lost-update, …)`,
    unit: 'count',
    digits: 0,
    better: 'lower',
    get: (r, type) => isolationCount(r, type, true),
  },
  isolationElle: {
    label: "isolation anomalies under Elle's exact name",
    arg: "Elle's name (G0, G1c, G-single-item, G-nonadjacent-item, G2-item, each also -process / -realtime; lost-update, …; a cycle name reads as missing on results before Elle's names)",
    unit: 'count',
    digits: 0,
    better: 'lower',
    get: (r, type) => isolationCount(r, type, false),
  },
  isolationAnomalies: {
    label: 'isolation anomalies (all types)',
    unit: 'count',
    digits: 0,
    better: 'lower',
    get: (r) => (r.check?.isolation ? sum(r.check.isolation.counts) : null),
  },
  // The figures contract (issue 13): null until a run's stats carry them.
  timeShare: {
    label: 'share of time the BBS was available',
    unit: 'share',
    digits: 3,
    better: 'higher',
    get: (r) =>
      typeof r.stats?.availability === 'object' ? num(r.stats.availability?.timeShare) : null,
  },
  bbsOutageSec: {
    label: 'longest interval with no successful op (whole BBS)',
    unit: 's',
    digits: 1,
    better: 'lower',
    get: (r) =>
      typeof r.stats?.availability === 'object' && r.stats.availability
        ? (num(r.stats.availability.bbs?.longest?.sec) ?? 0)
        : null,
  },
  worstClientOutageSec: {
    label: 'outage of the worst client, worst fault',
    unit: 's',
    digits: 1,
    better: 'lower',
    get: (r) => maxOver(faultsOf(r)?.map((f) => num(f.worstClientOutageSec)) ?? null),
  },
  medianClientOutageSec: {
    label: 'outage of the median client, worst fault',
    unit: 's',
    digits: 1,
    better: 'lower',
    get: (r) => maxOver(faultsOf(r)?.map((f) => num(f.medianClientOutageSec)) ?? null),
  },
  inFlightUnknown: {
    label: 'ops in flight at a fault that ended unknown',
    unit: 'ops',
    digits: 0,
    better: 'lower',
    get: (r) =>
      faultsOf(r) ? faultsOf(r)!.reduce((a, f) => a + (num(f.inFlight?.info) ?? 0), 0) : null,
  },
  retriesAbsorbed: {
    label: 'errors absorbed by the retry policy',
    unit: 'errors',
    digits: 0,
    get: (r) => (r.stats?.retries ? sum(r.stats.retries.absorbed) : null),
  },
  retriesAbsorbedPer1000: {
    label: 'errors absorbed by retries per 1,000 ops',
    unit: 'per 1,000 ops',
    digits: 1,
    get: (r) => (r.stats?.retries ? perK(sum(r.stats.retries.absorbed), r.stats.ops ?? 0) : null),
  },
  retryExtraLatencyMs: {
    label: 'latency the retries added (sum)',
    unit: 'ms',
    digits: 0,
    better: 'lower',
    get: (r) => (r.stats?.retries ? num(r.stats.retries.extraLatencyMs) : null),
  },
  faultExcessPerSec: {
    label: 'errors per second inside fault windows minus outside them',
    arg: 'MySQL code or error label',
    unit: 'per s',
    digits: 2,
    better: 'lower',
    get: (r, code) => faultExcessPerSec(r, code),
  },
  // Outage by part (report/outage-parts.ts): which part of an outage differs between
  // configurations.
  outagePart: {
    label: "the worst client's outage in the worst fault, the part",
    arg: `part (${OUTAGE_PARTS.join(', ')})`,
    unit: 's',
    digits: 1,
    better: 'lower',
    get: (r, part) => {
      if (!r.outageParts || !Array.isArray(r.outageParts.faults)) return null;
      const w = worstParts(r.outageParts as OutageParts);
      return w ? (num(w.client.parts[part as OutagePart]) ?? 0) : 0;
    },
  },
  faultMarkSec: {
    label: 'seconds from a fault to its mark, latest over faults (rejoined: from the heal)',
    arg: `mark (${TIMELINE_MARKS.join(', ')})`,
    unit: 's',
    digits: 1,
    better: 'lower',
    get: (r, mark) => {
      if (!r.outageParts || !Array.isArray(r.outageParts.faults)) return null;
      const ds = (r.outageParts as OutageParts).faults
        .map((f) => markDelay(f.timeline, mark as TimelineMark))
        .filter((d): d is number => d !== null);
      return ds.length > 0 ? Math.max(...ds) : null;
    },
  },
  quorumLossSec: {
    label: 'seconds a node lost quorum beyond what a fault intended',
    unit: 's',
    digits: 1,
    better: 'lower',
    get: (r) =>
      Array.isArray(r.stats?.quorumLoss)
        ? r.stats.quorumLoss
            .filter((q: { planned: boolean }) => !q.planned)
            .reduce((a: number, q: { from: number; to: number }) => a + (q.to - q.from), 0)
        : null,
  },
};

export interface MetricRef {
  /** As written in the campaign: `id` or `id:arg`. */
  name: string;
  id: string;
  arg: string;
  metric: Metric;
}

/** Problem text for a metric name, or null when it is known and takes the argument it needs. */
export function metricProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name.trim() === '')
    return `must be a metric name, got ${JSON.stringify(name)}`;
  const [id, arg] = splitName(name);
  const m = METRICS[id];
  if (!m)
    return `unknown metric ${JSON.stringify(name)}; known: ${Object.entries(METRICS)
      .map(([k, v]) => (v.arg ? `${k}:<${v.arg}>` : k))
      .join(', ')} (\`bbs-lab investigate --metrics\` lists each with its unit and meaning)`;
  if (m.arg && !arg) return `${id} needs an argument, e.g. ${id}:<${m.arg}>`;
  if (!m.arg && arg) return `${id} takes no argument; use ${id}`;
  if (id === 'outagePart' && !(OUTAGE_PARTS as readonly string[]).includes(arg))
    return `outagePart: the part must be ${OUTAGE_PARTS.join(', ')}, got ${JSON.stringify(arg)}`;
  if (id === 'faultMarkSec' && !(TIMELINE_MARKS as readonly string[]).includes(arg))
    return `faultMarkSec: the mark must be ${TIMELINE_MARKS.join(', ')}, got ${JSON.stringify(arg)}`;
  if ((id === 'isolation' || id === 'isolationElle') && !ISOLATION_NAMES.includes(arg))
    return `${id}: the anomaly type must be one of ${(id === 'isolation' ? [...LEGACY_NAMES, ...ANOMALY_TYPES.filter((t) => !isLegacyName(t))] : ANOMALY_TYPES).join(', ')}, got ${JSON.stringify(arg)}`;
  if (id === 'isolationElle' && arg === 'G-single')
    return 'isolationElle: G-single is not an Elle name for list-append (it has item dependencies only); use G-single-item, or isolation:G-single for the old meaning';
  if (id === 'errorRate' && !OP_FAMILIES[arg])
    return `errorRate: the family must be ${Object.keys(OP_FAMILIES).join(', ')}, got ${JSON.stringify(arg)}`;
  return null;
}

function splitName(name: string): [string, string] {
  const i = name.indexOf(':');
  return i < 0 ? [name, ''] : [name.slice(0, i), name.slice(i + 1)];
}

export function metricRef(name: string): MetricRef {
  const problem = metricProblem(name);
  if (problem) throw new Error(problem);
  const [id, arg] = splitName(name);
  return { name, id, arg, metric: METRICS[id]! };
}

/**
 * A metric's words with its unit in parentheses, unless the words already say it ("1213s per 1,000
 * ops" is not followed by "(per 1,000 ops)") or the unit is a bare count.
 */
export function labelWithUnit(label: string, unit: string): string {
  if (unit === '' || unit === 'count' || label.toLowerCase().includes(unit.toLowerCase()))
    return label;
  return `${label} (${unit})`;
}

export function metricLabel(ref: MetricRef): string {
  return ref.arg ? `${ref.metric.label} ${ref.arg}` : ref.metric.label;
}

export function readMetric(ref: MetricRef, r: RunResults): number | null {
  return ref.metric.get(r, ref.arg);
}

/** A metric name as a campaign writes it (`id` or `id:arg`) in the metric's words, for prose. */
export function metricWords(name: string): string {
  return metricProblem(name) === null ? metricLabel(metricRef(name)) : name;
}

/**
 * Every metric a campaign can list, one per line: its name as a campaign writes it (with the
 * argument it takes), its unit, which way is better, and its meaning (`bbs-lab investigate
 * --metrics`).
 */
export function metricsListing(): string {
  const rows = Object.entries(METRICS).map(
    ([id, m]) =>
      [
        m.arg ? `${id}:<${m.arg.split(' (')[0]}>` : id,
        m.unit,
        m.better ? `${m.better} is better` : '',
        m.arg ? `${m.label} <${m.arg}>` : m.label,
      ] as const,
  );
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const w2 = Math.max(...rows.map((r) => r[2].length));
  const head = `${'metric'.padEnd(w0)}  ${'unit'.padEnd(w1)}  ${'better'.padEnd(w2)}  meaning`;
  return (
    `The metrics a campaign question can list (metrics: [...]); a name with :<…> takes that argument, e.g. errorsPer1000:1213.\n\n${head}\n` +
    rows
      .map((r) => `${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2].padEnd(w2)}  ${r[3]}`)
      .join('\n') +
    '\n'
  );
}
