// Fault-kind summary across stored runs: for each kind of fault, how many ran, what the clients saw
// inside the windows (failed and unknown ops), how long clients could not get anything done (the
// outage of the worst client, the median client and the whole BBS, per fault), and in how many of
// those runs a checker found an anomaly.

import type { StoredRun } from './runs.ts';

export interface FaultKindRow {
  kind: string;
  faults: number;
  runs: number;
  errorsInWindowsPerFault: number;
  /**
   * Medians over the kind's faults of each fault's worst-client, median-client and whole-BBS
   * outage.
   */
  medianWorstClientSec: number | null;
  medianMedianClientSec: number | null;
  medianBbsSec: number | null;
  neverRecovered: number;
  runsWithAnomalies: number;
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function faultKindRows(runs: readonly StoredRun[]): FaultKindRow[] {
  const by = new Map<
    string,
    {
      faults: number;
      runs: Set<string>;
      errors: number;
      worst: number[];
      median: number[];
      bbs: number[];
      never: number;
      anomalous: Set<string>;
    }
  >();
  for (const r of runs) {
    const kinds = new Set(r.stats.faults.map((f) => f.kind));
    // Runs stored before the outage figures existed have no availability; they count no fault.
    for (const f of r.stats.availability?.faults ?? []) {
      let g = by.get(f.kind);
      if (!g) {
        g = {
          faults: 0,
          runs: new Set(),
          errors: 0,
          worst: [],
          median: [],
          bbs: [],
          never: 0,
          anomalous: new Set(),
        };
        by.set(f.kind, g);
      }
      g.faults++;
      g.runs.add(r.id);
      g.worst.push(f.worstClientOutageSec);
      g.median.push(f.medianClientOutageSec);
      g.bbs.push(f.bbsOutageSec);
      if (Object.values(f.firstOkAfterSec).every((x) => x === null)) g.never++;
      if (r.check.valid === false) g.anomalous.add(r.id);
    }
    // Errors inside windows are counted per run; shared out over the run's fault kinds by count.
    const total = r.stats.faults.length;
    for (const k of kinds) {
      const g = by.get(k);
      if (g && total > 0)
        g.errors +=
          (r.stats.errorsInFaults * r.stats.faults.filter((f) => f.kind === k).length) / total;
    }
  }
  return [...by.entries()]
    .map(([kind, g]) => ({
      kind,
      faults: g.faults,
      runs: g.runs.size,
      errorsInWindowsPerFault: g.faults > 0 ? g.errors / g.faults : 0,
      medianWorstClientSec: median(g.worst),
      medianMedianClientSec: median(g.median),
      medianBbsSec: median(g.bbs),
      neverRecovered: g.never,
      runsWithAnomalies: g.anomalous.size,
    }))
    .sort((a, b) => a.kind.localeCompare(b.kind));
}

export function faultKindPage(rows: readonly FaultKindRow[]): string {
  const lines = ['# Fault kinds across stored runs', ''];
  if (rows.length === 0)
    return lines
      .concat([
        'No stored run had a fault. Run a fault scenario first (e.g. `bbs-lab run scenarios/random-chaos.yaml`).',
        '',
      ])
      .join('\n');
  const worst = [...rows].sort(
    (a, b) => (b.medianWorstClientSec ?? -1) - (a.medianWorstClientSec ?? -1),
  )[0]!;
  const s = (x: number | null) => (x === null ? '—' : `${x.toFixed(1)} s`);
  const anomalous = rows.filter((r) => r.runsWithAnomalies > 0);
  lines.push(
    `${rows.reduce((a, r) => a + r.faults, 0)} fault(s) of ${rows.length} kind(s). The longest outage (median over its faults of the worst client's): ${worst.kind} (${s(worst.medianWorstClientSec)}; median client ${s(worst.medianMedianClientSec)}, whole BBS ${s(worst.medianBbsSec)}). ` +
      (anomalous.length > 0
        ? `Runs with anomalies had: ${anomalous.map((r) => r.kind).join(', ')}.`
        : 'No run with faults had an anomaly.'),
    '',
  );
  lines.push(
    '| fault kind | faults | runs | failed+unknown ops per fault | outage: worst client | median client | whole BBS | never recovered | runs with anomalies |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const r of rows)
    lines.push(
      `| ${r.kind} | ${r.faults} | ${r.runs} | ${r.errorsInWindowsPerFault.toFixed(1)} | ${s(r.medianWorstClientSec)} | ${s(r.medianMedianClientSec)} | ${s(r.medianBbsSec)} | ${r.neverRecovered} | ${r.runsWithAnomalies} |`,
    );
  lines.push(
    '',
    "Outages are medians over each kind's faults; a fault's outage is the longest stretch with no successful op, overlapping the fault (from its start until the system was back to its pre-fault state), for its worst client, its median client, and the whole BBS (no client).",
  );
  return `${lines.join('\n')}\n`;
}
