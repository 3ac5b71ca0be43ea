// Isolation: one node beside three, at REPEATABLE READ and at SERIALIZABLE. An anomaly one node
// shows too is InnoDB's isolation level at work, not Galera; only what appears with three writers
// and not on one node at the same level is a Galera-specific signal. Reads stored list-append runs
// (the newest of each cell); `--run` makes them (scenarios/isolation-single-node.yaml,
// isolation-multi-writer.yaml, isolation-serializable-multi-writer.yaml, and the one-node scenario
// at SERIALIZABLE), all on one seed. Pure except `isolationScenarios`, which reads the files.
//
// Rows are Elle's anomaly names when every run shown has them; when one predates them, the cycle
// rows are the classes older results counted (G0, G1c, G-single, G2-item, any order edges;
// lab/checkers/isolation/legacy-names.ts), read the same way from every run, so a row never
// compares two meanings.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCycleType } from '../lab/checkers/isolation/elle-names.ts';
import {
  hasElleNames,
  isLegacyName,
  legacyCount,
  legacyOf,
} from '../lab/checkers/isolation/legacy-names.ts';
import { ANOMALY_TYPES } from '../lab/checkers/isolation/types.ts';
import { parseScenario } from '../lab/scenario/validate.ts';
import type { Scenario } from '../lab/scenario/types.ts';
import type { StoredRun } from './runs.ts';

export type Level = 'repeatable-read' | 'serializable';
export type CellKey = '1-rr' | '3-rr' | '1-ser' | '3-ser';
export const CELLS: readonly { key: CellKey; nodes: 1 | 3; level: Level; title: string }[] = [
  { key: '1-rr', nodes: 1, level: 'repeatable-read', title: '1 node RR' },
  { key: '3-rr', nodes: 3, level: 'repeatable-read', title: '3 nodes RR' },
  { key: '1-ser', nodes: 1, level: 'serializable', title: '1 node SER' },
  { key: '3-ser', nodes: 3, level: 'serializable', title: '3 nodes SER' },
];

export interface IsolationCell {
  run: string;
  txns: number;
  counts: Record<string, number>;
  /** 'elle' when the counts use Elle's cycle names. */
  names?: string;
}

/**
 * The newest stored list-append run (run ids start with their time) of each cell; absent cells have
 * none.
 */
export function isolationCells(
  runs: readonly StoredRun[],
): Partial<Record<CellKey, IsolationCell>> {
  const out: Partial<Record<CellKey, IsolationCell>> = {};
  for (const r of [...runs].sort((a, b) => a.id.localeCompare(b.id))) {
    const s = r.scenario;
    if (s.workload?.kind !== 'list-append' || !r.isolation) continue;
    const cell = CELLS.find(
      (c) =>
        c.nodes === s.topology.nodes && c.level === (s.workload.isolation ?? 'repeatable-read'),
    );
    if (cell)
      out[cell.key] = {
        run: r.id,
        txns: r.isolation.txns,
        counts: r.isolation.counts,
        ...(r.isolation.names ? { names: r.isolation.names } : {}),
      };
  }
  return out;
}

type Cells = Partial<Record<CellKey, IsolationCell>>;

/** Whether some run shown predates Elle's names: then cycles are shown as the old classes. */
const legacyRows = (cells: Cells): boolean =>
  CELLS.some((c) => cells[c.key] && !hasElleNames(cells[c.key]!));

/** The rows, in report order: Elle's names, or with legacyRows the old classes. */
export function isolationRows(cells: Cells): string[] {
  if (!legacyRows(cells)) return [...ANOMALY_TYPES];
  return [...new Set(ANOMALY_TYPES.map((t) => (isCycleType(t) ? legacyOf(t) : t)))];
}

/** A cell's count for a row of isolationRows. */
function countOf(cells: Cells, c: IsolationCell, row: string): number {
  if (legacyRows(cells) && isLegacyName(row)) return legacyCount(c, row);
  return c.counts[row] ?? 0;
}
const list = (xs: readonly string[]) =>
  xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;

/**
 * The verdict sentences: which classes one node shows too (InnoDB), which only three writers show
 * (Galera).
 */
export function isolationSentences(cells: Cells): string[] {
  const out: string[] = [];
  const types = isolationRows(cells);
  const found = (c: IsolationCell | undefined, type: string) =>
    c !== undefined && countOf(cells, c, type) > 0;
  const missing = CELLS.filter((c) => !cells[c.key]).map((c) => c.title);
  const rr1 = cells['1-rr'];
  const rr3 = cells['3-rr'];
  if (rr1 && rr3) {
    const both = types.filter((t) => found(rr1, t) && found(rr3, t));
    const onlyThree = types.filter((t) => !found(rr1, t) && found(rr3, t));
    if (both.length > 0)
      out.push(
        `${list(both)} on one node at RR as on three: InnoDB's REPEATABLE READ (Jepsen's 2023 MySQL result), not Galera.`,
      );
    if (onlyThree.length > 0) out.push(`At RR only with three writers: ${list(onlyThree)}.`);
    if (both.length === 0 && onlyThree.length === 0)
      out.push('At RR neither one node nor three showed an anomaly.');
  }
  const ser1 = cells['1-ser'];
  const ser3 = cells['3-ser'];
  if (ser1 && ser3) {
    const onlyThree = types.filter((t) => !found(ser1, t) && found(ser3, t));
    const both = types.filter((t) => found(ser1, t) && found(ser3, t));
    if (onlyThree.length > 0)
      out.push(
        `${list(onlyThree)} at SERIALIZABLE only with three writers: Galera-specific (each node's read locks hold only on that node; certification compares write sets).`,
      );
    if (both.length > 0)
      out.push(`${list(both)} at SERIALIZABLE on one node too: not Galera-specific.`);
    if (onlyThree.length === 0 && both.length === 0)
      out.push('At SERIALIZABLE neither one node nor three showed an anomaly.');
  }
  if (missing.length > 0)
    out.push(
      `No stored run for ${list(missing)}: \`npm run notebook -- isolation --run\` makes them.`,
    );
  return out;
}

/** The page: the sentences, then anomaly × {1 node RR, 3 nodes RR, 1 node SER, 3 nodes SER}. */
export function isolationPage(cells: Cells): string {
  const lines = ['# Isolation: one node beside three, REPEATABLE READ and SERIALIZABLE', ''];
  lines.push(isolationSentences(cells).join(' '), '');
  const col = (c: IsolationCell | undefined, v: (c: IsolationCell) => string) => (c ? v(c) : '—');
  lines.push(
    `| anomaly | ${CELLS.map((c) => c.title).join(' | ')} |`,
    `| --- | ${CELLS.map(() => '---').join(' | ')} |`,
  );
  lines.push(
    `| transactions | ${CELLS.map((c) => col(cells[c.key], (x) => x.txns.toLocaleString('en-US'))).join(' | ')} |`,
  );
  for (const t of isolationRows(cells))
    lines.push(
      `| ${t} | ${CELLS.map((c) => col(cells[c.key], (x) => countOf(cells, x, t).toLocaleString('en-US'))).join(' | ')} |`,
    );
  lines.push(
    '',
    `Runs: ${CELLS.map((c) => `${c.title}: ${cells[c.key]?.run ?? 'none'}`).join('; ')}. Counts are the isolation checker's over each whole run; "—": no run.` +
      (legacyRows(cells)
        ? " Some runs predate Elle's cycle names, so cycles are counted as those runs did: G0, G1c, G-single (one rw edge) and G2-item (two or more), whatever order edges close them."
        : ''),
  );
  return `${lines.join('\n')}\n`;
}

/** The four scenarios `--run` makes, one per cell, named so the runs say what they are. */
export function isolationScenarios(root: string): Scenario[] {
  const load = (f: string) => parseScenario(readFileSync(join(root, 'scenarios', f), 'utf8'));
  const single = load('isolation-single-node.yaml');
  return [
    single,
    load('isolation-multi-writer.yaml'),
    {
      ...single,
      name: 'isolation-single-node-serializable',
      workload: { ...single.workload, isolation: 'serializable' },
    },
    load('isolation-serializable-multi-writer.yaml'),
  ];
}
