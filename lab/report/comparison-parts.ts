// comparison.md's "Outage by part": per configuration, the worst client's outage in the worst fault
// cut into its parts (outage-parts.ts), and in words which part differs most between them. Pure.

import { describeInterval, interval, type Interval } from './intervals.ts';
import {
  OUTAGE_PARTS,
  PART_HEADERS,
  PART_WORDS,
  worstParts,
  type OutagePart,
  type OutageParts,
} from './outage-parts.ts';

export interface PartsRow {
  config: string;
  fault: string;
  client: string;
  sec: number;
  parts: Record<OutagePart, number>;
}

/** One row per configuration whose run has outage parts and at least one fault. */
export function partsRows(
  runs: readonly { config: string; outageParts?: OutageParts | null }[],
): PartsRow[] {
  const out: PartsRow[] = [];
  for (const r of runs) {
    const w = r.outageParts ? worstParts(r.outageParts) : null;
    if (w)
      out.push({
        config: r.config,
        fault: w.fault,
        client: w.client.client,
        sec: w.client.sec,
        parts: w.client.parts,
      });
  }
  return out;
}

/**
 * The part whose seconds differ most between the rows (largest minus smallest), with both ends;
 * null under two rows or when none differs.
 */
export function mostDifferentPart(
  rows: readonly PartsRow[],
): { part: OutagePart; low: PartsRow; high: PartsRow; spread: number } | null {
  if (rows.length < 2) return null;
  let best: { part: OutagePart; low: PartsRow; high: PartsRow; spread: number } | null = null;
  for (const part of OUTAGE_PARTS) {
    let low = rows[0]!;
    let high = rows[0]!;
    for (const r of rows) {
      if (r.parts[part] < low.parts[part]) low = r;
      if (r.parts[part] > high.parts[part]) high = r;
    }
    const spread = high.parts[part] - low.parts[part];
    if (spread > 0 && (!best || spread > best.spread)) best = { part, low, high, spread };
  }
  return best;
}

export function renderComparisonParts(
  runs: readonly { config: string; outageParts?: OutageParts | null }[],
): string {
  const rows = partsRows(runs);
  if (rows.length === 0) return '';
  const d = mostDifferentPart(rows);
  const head = [
    'configuration',
    'fault',
    'worst client',
    'outage (s)',
    ...OUTAGE_PARTS.map((p) => `${PART_HEADERS[p]} (s)`),
  ];
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [
    '## Outage by part\n',
    "The worst client's outage in the fault with the longest one, cut at that fault's marks (each run's report.md, \"Outage by part\", gives the timeline).",
    d
      ? ` The part that differs most: ${PART_WORDS[d.part]}, ${d.high.parts[d.part].toFixed(1)} s with ${d.high.config} against ${d.low.parts[d.part].toFixed(1)} s with ${d.low.config}.\n\n`
      : '\n\n',
    `${[
      line(head),
      line(head.map(() => '---')),
      ...rows.map((r) =>
        line([
          r.config,
          r.fault,
          r.client,
          r.sec.toFixed(1),
          ...OUTAGE_PARTS.map((p) => r.parts[p].toFixed(1)),
        ]),
      ),
    ].join('\n')}\n`,
  ].join('');
}

/**
 * Over several seeds (comparison.json's figures): per configuration, each part's median and
 * interval, and the part whose medians differ most.
 */
export function renderRepeatedParts(
  runs: readonly { config: string; error?: string; outageParts?: Record<OutagePart, number> }[],
): string {
  const configs = [...new Set(runs.map((r) => r.config))];
  const rows = configs
    .map((config) => {
      const mine = runs.filter((r) => r.config === config && !r.error && r.outageParts);
      const parts = Object.fromEntries(
        OUTAGE_PARTS.map((p) => [p, interval(mine.map((r) => r.outageParts![p]))]),
      ) as Record<OutagePart, Interval>;
      return { config, n: mine.length, parts };
    })
    .filter((r) => r.n > 0);
  if (rows.length === 0) return '';
  const medians: PartsRow[] = rows.map((r) => ({
    config: r.config,
    fault: '',
    client: '',
    sec: 0,
    parts: Object.fromEntries(OUTAGE_PARTS.map((p) => [p, r.parts[p].median])) as Record<
      OutagePart,
      number
    >,
  }));
  const d = mostDifferentPart(medians);
  const head = ['configuration', ...OUTAGE_PARTS.map((p) => PART_HEADERS[p])];
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    '## Outage by part (median over seeds)\n',
    "Each run's worst client in its worst fault, cut at that fault's marks (each run's report.md, \"Outage by part\"); per part the median over the seeds with its interval.",
    d
      ? ` The part whose medians differ most: ${PART_WORDS[d.part]}, ${d.high.parts[d.part].toFixed(1)} s with ${d.high.config} against ${d.low.parts[d.part].toFixed(1)} s with ${d.low.config}.\n\n`
      : '\n\n',
    `${[
      line(head),
      line(head.map(() => '---')),
      ...rows.map((r) =>
        line([
          r.config,
          ...OUTAGE_PARTS.map((p) => describeInterval(r.parts[p], (x) => `${x.toFixed(1)} s`)),
        ]),
      ),
    ].join('\n')}\n`,
  ].join('');
}
