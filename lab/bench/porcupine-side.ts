// Porcupine beside the lab, history by history (issue 24): per-history medians and totals of
// Porcupine's search, the lab's search (shrink:false) and the lab's full check (with evidence),
// their ratios, and every verdict that disagrees. Pure: porcupine-go.ts measures, this counts and
// words.

import type { Verdict } from '../checkers/linearizability/types.ts';
import { median } from './linearizability.ts';

/** One history as each side measured it (ms: the best of the rounds). */
export interface SideRow {
  name: string;
  /** Ops the lab read from the log. */
  ops: number;
  /** Porcupine's run of the same log (absent when Go did not run). */
  porcupine?: { verdict: Verdict; ms: number; modelSteps: number; ops: number };
  search: { verdict: Verdict; ms: number; modelSteps: number };
  full: { verdict: Verdict; ms: number };
}

export interface Column {
  median: number;
  total: number;
}

/** Porcupine's figures when they are quoted, not re-run: per-history median and total ms. */
export interface QuotedColumn extends Column {
  modelSteps?: number;
  /** Where the figures come from, e.g. "measured for issue 24 on 2026-12-08". */
  source: string;
}

export interface SideBySide {
  histories: number;
  ops: number;
  /** Porcupine's search; undefined when neither re-run nor quoted. */
  porcupine?: Column & { modelSteps?: number };
  search: Column & { modelSteps: number };
  full: Column;
  /** Lab ÷ Porcupine, of the medians and of the totals. */
  ratio?: { searchMedian: number; searchTotal: number; fullMedian: number; fullTotal: number };
  /** Histories whose full check took longer than Porcupine's search of the same history (re-run only). */
  fullSlower?: number;
  /** The goal: the lab's full check no slower than Porcupine's search at the median. */
  fullNoSlowerAtMedian?: boolean;
  /** Verdicts that differ, ops read differently, histories Porcupine gave no figure for. */
  disagreements: string[];
}

const column = (xs: readonly number[]): Column => ({
  median: median(xs),
  total: xs.reduce((s, x) => s + x, 0),
});

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

/** What each side disagrees on for one history, in words (none when they agree). */
export function disagreementsOf(r: SideRow): string[] {
  const p = r.porcupine;
  if (!p) return [`${r.name}: no figure from Porcupine`];
  const out: string[] = [];
  if (p.ops !== r.ops) out.push(`${r.name}: Porcupine read ${p.ops} ops, the lab ${r.ops}`);
  if (p.verdict !== r.search.verdict)
    out.push(`${r.name}: Porcupine ${p.verdict}, the lab's search ${r.search.verdict}`);
  if (p.verdict !== r.full.verdict)
    out.push(`${r.name}: Porcupine ${p.verdict}, the lab's full check ${r.full.verdict}`);
  return out;
}

/**
 * The side-by-side figures. With `quoted`, Porcupine's column is those figures and nothing is
 * compared history by history; without, it is computed from each row's Porcupine run.
 */
export function sideBySide(rows: readonly SideRow[], quoted?: QuotedColumn): SideBySide {
  const search = {
    ...column(rows.map((r) => r.search.ms)),
    modelSteps: sum(rows.map((r) => r.search.modelSteps)),
  };
  const full = column(rows.map((r) => r.full.ms));
  const base = { histories: rows.length, ops: sum(rows.map((r) => r.ops)), search, full };
  let porcupine: SideBySide['porcupine'];
  let fullSlower: number | undefined;
  let disagreements: string[] = [];
  if (quoted)
    porcupine = { median: quoted.median, total: quoted.total, modelSteps: quoted.modelSteps };
  else {
    const ran = rows.filter((r) => r.porcupine);
    disagreements = rows.flatMap(disagreementsOf);
    if (ran.length === 0) return { ...base, disagreements };
    porcupine = {
      ...column(ran.map((r) => r.porcupine!.ms)),
      modelSteps: sum(ran.map((r) => r.porcupine!.modelSteps)),
    };
    fullSlower = ran.filter((r) => r.full.ms > r.porcupine!.ms).length;
  }
  return {
    ...base,
    porcupine,
    ratio: {
      searchMedian: search.median / porcupine.median,
      searchTotal: search.total / porcupine.total,
      fullMedian: full.median / porcupine.median,
      fullTotal: full.total / porcupine.total,
    },
    fullSlower,
    fullNoSlowerAtMedian: full.median <= porcupine.median,
    disagreements,
  };
}

const ms = (x: number, digits: number) =>
  x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const times = (x: number) => `${x.toFixed(2)}×`;
const steps = (x: number | undefined) => (x === undefined ? '-' : x.toLocaleString('en-US'));

/** One line per history (for a short list such as kv c50-ok and c50-bad). */
export function rowLine(label: string, r: SideRow, quotedMs?: number): string {
  const p = r.porcupine;
  const pms = p?.ms ?? quotedMs;
  const of = (x: number) => (pms === undefined ? '' : ` (${times(x / pms)})`);
  const porc =
    pms === undefined
      ? 'Porcupine: no figure'
      : `Porcupine ${ms(pms, 1)} ms${p ? `, ${p.verdict}, ${steps(p.modelSteps)} model steps` : ' (quoted)'}`;
  return `${label} ${r.name} (${r.ops.toLocaleString('en-US')} ops): ${porc}; lab search ${ms(r.search.ms, 1)} ms${of(r.search.ms)}, ${r.search.verdict}, ${steps(r.search.modelSteps)} model steps; lab full check ${ms(r.full.ms, 1)} ms${of(r.full.ms)}`;
}

/** The table: a header, one line per column, the verdicts and the goal's answer. */
export function sideBySideLines(label: string, s: SideBySide, source: string): string[] {
  const pad = (x: string, n: number) => x.padStart(n);
  const line = (name: string, c: Column, st: number | undefined, ratio?: [number, number]) =>
    `  ${name.padEnd(18)}${pad(ms(c.median, 2), 10)}${pad(ms(c.total, 0), 11)}${pad(steps(st), 14)}${ratio ? `   ${times(ratio[0])}, ${times(ratio[1])}` : ''}`;
  const out = [
    `${label}: ${s.histories} histories, ${s.ops.toLocaleString('en-US')} ops; Porcupine ${source}`,
    `  ${''.padEnd(18)}${pad('median ms', 10)}${pad('total ms', 11)}${pad('model steps', 14)}   ÷ Porcupine (median, total)`,
  ];
  const p = s.porcupine;
  const r = s.ratio;
  if (p) out.push(line("Porcupine's search", p, p.modelSteps));
  out.push(
    line("lab's search", s.search, s.search.modelSteps, r && [r.searchMedian, r.searchTotal]),
  );
  out.push(line("lab's full check", s.full, undefined, r && [r.fullMedian, r.fullTotal]));
  if (!p) return out;
  if (s.fullSlower === undefined) out.push('  verdicts: not compared (Porcupine not re-run)');
  else if (s.disagreements.length === 0)
    out.push(`  verdicts: Porcupine and the lab agree on all ${s.histories}`);
  else out.push(`  DISAGREE on ${s.disagreements.length}: ${s.disagreements.join('; ')}`);
  out.push(
    `  the full check no slower than Porcupine's search at the median: ${s.fullNoSlowerAtMedian ? 'holds' : 'does not hold'} (${ms(s.full.median, 2)} ms against ${ms(p.median, 2)} ms, ${times(r!.fullMedian)})${s.fullSlower === undefined ? '' : `; the full check is slower than Porcupine's search on ${s.fullSlower} of ${s.histories} histories`}`,
  );
  return out;
}
