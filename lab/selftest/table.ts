// The self-test's detection table: one row per planted bug (and one for the baseline) over the
// seeds it ran on, and the verdict that decides the exit code. Pure.

import { plantByName, type PlantName } from '../../bbs/sql/plants.ts';
import type { CheckerName, Detection } from './detection.ts';

export interface CaseOutcome {
  plant: PlantName | null;
  scenario: string;
  seed: number;
  detection: Detection;
  /** The check was inconclusive (valid 'unknown'): neither clean nor a detection. */
  unknown: boolean;
  runDir: string;
  /**
   * The run made fewer ops than its scenario needs (report/shortfall.ts): a clean verdict there
   * says less.
   */
  short?: boolean;
}

export interface TableRow {
  plant: string;
  kind: string;
  record: string;
  scenario: string;
  /** Seeds on which something was found, and seeds run. For the baseline: seeds found clean. */
  hits: number;
  runs: number;
  /** The earliest first detection over the seeds (s), null when never found. */
  firstSec: number | null;
  checkers: CheckerName[];
  /** Runs that fell short of their scenario's needs. */
  short: number;
  /** Baseline: clean on every seed, none short; plant: found on every seed. */
  pass: boolean;
}

function scenarioName(path: string): string {
  return path.replace(/^.*\//, '').replace(/\.yaml$/, '');
}

export function tableRows(outcomes: readonly CaseOutcome[]): TableRow[] {
  const groups = new Map<string, CaseOutcome[]>();
  for (const o of outcomes) {
    // The baseline gets a row per scenario: each is the clean reference of the plants run there.
    const k = o.plant ?? `:${o.scenario}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(o);
  }
  const rows: TableRow[] = [];
  for (const [k, os] of groups) {
    const first = os
      .map((o) => o.detection.firstDetectionSec)
      .filter((x): x is number => x !== null);
    const checkers = [...new Set(os.flatMap((o) => o.detection.checkers))];
    const short = os.filter((o) => o.short === true).length;
    const base = {
      scenario: scenarioName(os[0]!.scenario),
      runs: os.length,
      firstSec: first.length ? Math.min(...first) : null,
      checkers,
      short,
    };
    if (k.startsWith(':')) {
      const clean = os.filter((o) => !o.detection.found && !o.unknown).length;
      // A clean run that fell short of its scenario's needs is not evidence of a clean store.
      rows.push({
        plant: '(baseline, no plant)',
        kind: '-',
        record: '-',
        ...base,
        hits: clean,
        pass: clean === os.length && short === 0,
      });
    } else {
      const p = plantByName(k as PlantName);
      const hits = os.filter((o) => o.detection.found).length;
      rows.push({
        plant: p.name,
        kind: p.kind,
        record: p.record,
        ...base,
        hits,
        pass: hits === os.length,
      });
    }
  }
  return rows;
}

/**
 * Whether the self-test passes: the baseline clean on every seed and every plant found on every
 * seed.
 */
export function selftestPasses(rows: readonly TableRow[]): boolean {
  return rows.length > 0 && rows.every((r) => r.pass);
}

export function renderTable(rows: readonly TableRow[]): string {
  const head = [
    'plant',
    'kind',
    'record',
    'scenario',
    'found / run',
    'first detection',
    'checkers',
    '',
  ];
  const body = rows.map((r) => [
    r.plant,
    r.kind,
    r.record,
    r.scenario,
    (r.kind === '-' ? `clean ${r.hits}/${r.runs}` : `${r.hits}/${r.runs}`) +
      (r.short > 0 ? ` (${r.short} short)` : ''),
    r.firstSec === null ? '-' : `${r.firstSec.toFixed(2)} s`,
    r.checkers.join(', ') || '-',
    r.pass ? 'ok' : 'FAIL',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return `${[line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n')}\n`;
}
