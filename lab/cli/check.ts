// `bbs-lab check <path>… [--model NAME] [--budget STEPS] [--consistency MODEL] [--json] [--export
// edn FILE]`:
// checks stored histories without any cluster: the lab's JSON / JSONL (docs/history-format.md) and
// Jepsen's history.edn, a reader per format chosen by extension (FORMATS below).
//
// Each path is a run directory, a history file, or a directory searched for both. Every history
// gets one verdict; the command's exit code is the worst of them (EXIT below, in WORST_FIRST
// order).
// Nothing here throws for one history: bad input and internal errors become that history's verdict,
// so one broken file never hides the verdicts of the others.
//
// `--export edn FILE` writes the one history checked as Jepsen EDN (for Knossos and Elle); with
// several histories it is refused (exit 2) before anything is checked: one FILE cannot hold them,
// and a name per history derived from FILE would be a guess the user has to find out about.

import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parse } from 'yaml';
import {
  ACTUAL_LRP_FORMS,
  BBS_VERSIONS,
  DEFAULT_BBS_VERSION,
  profileOf,
  type ActualLRPForm,
} from '../../bbs/versions/index.ts';
import { bbsModelFor, bbsModels } from '../../specs/bbs.ts';
import { genericModels, withInitialValue } from '../../specs/generic.ts';
import type { Model } from '../../specs/model.ts';
import { ModelInputError } from '../../specs/model.ts';
import { UnknownModelError, type CheckOptions } from '../checkers/index.ts';
import { checkReport, type CheckReport } from '../report/verdicts.ts';
import { TxnInputError } from '../checkers/isolation/index.ts';
import { parseEdnEvents } from '../history/edn.ts';
import { writeEdnHistory } from '../history/edn-export.ts';
import { okReadWithoutValue } from '../history/read-values.ts';
import {
  HistoryFormatError,
  parseJsonEvents,
  toHistory,
  type ParsedEvents,
  type ReadHistory,
} from '../history/reader.ts';

export class CheckInputError extends Error {}

export const EXIT = { valid: 0, anomaly: 1, badInput: 2, unknown: 3, internal: 70 } as const;
/** The order in which a verdict outweighs another for the exit code of several histories. */
export const WORST_FIRST: readonly number[] = [
  EXIT.internal,
  EXIT.badInput,
  EXIT.anomaly,
  EXIT.unknown,
  EXIT.valid,
];

export const EXIT_CODES_TEXT = `exit codes (several histories: the worst, in this order):
  70  internal error: a bug of bbs-lab, never a verdict (please report it with the history)
   2  bad input: a history (or an option) the lab cannot read; the message names the line
   1  anomaly: some history is not linearizable, breaks an invariant or an isolation level
   3  unknown: a checker ran out of its search budget (--budget) before deciding
   0  valid: every history checked and no anomaly found`;

/** One encoding of histories: its file extensions and its reader to raw events. */
export interface HistoryFormat {
  name: string;
  extensions: readonly string[];
  parse(bytes: Uint8Array, source: string): ParsedEvents;
}

/** By extension; a file with another extension is read as JSON / JSONL (told apart by content). */
export const FORMATS: HistoryFormat[] = [
  { name: 'json', extensions: ['.json', '.jsonl'], parse: parseJsonEvents },
  // Jepsen's history.edn (and Knossos's test data): ops paired by process, :time ordered by
  // toHistory.
  { name: 'edn', extensions: ['.edn'], parse: parseEdnEvents },
];

export function formatFor(path: string): HistoryFormat {
  const ext = extname(path).toLowerCase();
  return FORMATS.find((f) => f.extensions.includes(ext)) ?? FORMATS[0]!;
}

export function readHistoryFile(path: string): ReadHistory {
  return toHistory(formatFor(path).parse(readFileSync(path), path));
}

/**
 * The history files a path names: itself, a run directory's history.jsonl, or every one under a
 * directory.
 */
export function expandPath(path: string): { history: string; runDir: string | null }[] {
  if (!existsSync(path))
    throw new CheckInputError(
      `${path}: no such file or directory; give a run directory (findings/runs/<id>), a history file, or a directory of them`,
    );
  if (!statSync(path).isDirectory()) return [{ history: path, runDir: null }];
  const history = join(path, 'history.jsonl');
  if (existsSync(history)) return [{ history, runDir: path }];
  const known = new Set(FORMATS.flatMap((f) => f.extensions));
  const found: { history: string; runDir: string | null }[] = [];
  for (const name of readdirSync(path).sort()) {
    const p = join(path, name);
    if (statSync(p).isDirectory())
      found.push(
        ...expandPath(p).filter(
          (x) => x.runDir !== null || known.has(extname(x.history).toLowerCase()),
        ),
      );
    else if (known.has(extname(name).toLowerCase())) found.push({ history: p, runDir: null });
  }
  return found;
}

/** `--export edn PATH` (two values, so taken out before the other options are parsed). */
export function takeExportOption(argv: readonly string[]): { argv: string[]; exportEdn?: string } {
  const i = argv.indexOf('--export');
  if (i < 0) return { argv: [...argv] };
  const [format, path] = [argv[i + 1], argv[i + 2]];
  if (format !== 'edn' || path === undefined || path.startsWith('--')) {
    throw new CheckInputError(
      `--export: give a format and a file, e.g. \`--export edn history.edn\` (the one format is edn, Jepsen's, for Knossos and Elle)`,
    );
  }
  return { argv: [...argv.slice(0, i), ...argv.slice(i + 3)], exportEdn: path };
}

/** What checking a history writes besides its verdict. */
export interface CheckIo {
  /** Write the history as Jepsen EDN to this file (one history only). */
  exportEdn?: string;
}

export type Verdict = 'VALID' | 'INVALID' | 'UNKNOWN' | 'BAD INPUT' | 'INTERNAL ERROR';

export interface FileVerdict {
  path: string;
  runDir: string | null;
  verdict: Verdict;
  exitCode: number;
  /** For VALID, INVALID and UNKNOWN. */
  report?: CheckReport;
  /** For BAD INPUT and INTERNAL ERROR. */
  error?: string;
  warnings: string[];
}

function modelLookup(opts: CheckOptions): (key: string) => Model | undefined {
  if (opts.model === undefined) return (k) => bbsModelFor(k);
  const m =
    (opts.initialValue !== undefined ? withInitialValue(opts.model, opts.initialValue) : null) ??
    (genericModels as Record<string, Model>)[opts.model] ??
    (bbsModels as Record<string, Model>)[opts.model];
  return () => m;
}

export function exitCodeOf(report: CheckReport): number {
  return report.valid === true ? EXIT.valid : report.valid === false ? EXIT.anomaly : EXIT.unknown;
}

/**
 * A run directory's own actual-LRP rule and form: a hypothetical run with `bbs.actualLRPRules:
 * permissive` is held to the rule its store ran, as the run's report was, and a run of an early
 * BBS (`bbs.version`) to what that commit's mutations wrote. Every real BBS version ran the
 * per-state rule, the default.
 */
function withRunRules(opts: CheckOptions, runDir: string): CheckOptions {
  try {
    const doc = parse(readFileSync(join(runDir, 'scenario.yaml'), 'utf8')) as {
      bbs?: {
        version?: unknown;
        actualLRPRules?: unknown;
        actualLRPForm?: unknown;
        transactionalReads?: unknown;
      };
      database?: { syncWait?: unknown };
    } | null;
    const bbs = doc?.bbs ?? {};
    let out = opts;
    if (out.causeSettings === undefined) {
      // The run's sync wait and BBS form decide whether a node could have lagged (causal-wait.ts).
      const sw = doc?.database?.syncWait;
      const version = BBS_VERSIONS.includes(bbs.version as never)
        ? String(bbs.version)
        : DEFAULT_BBS_VERSION;
      const tr =
        typeof bbs.transactionalReads === 'boolean'
          ? bbs.transactionalReads
          : profileOf(version).behaviour.transactionalReads;
      out = {
        ...out,
        causeSettings: { syncWait: typeof sw === 'number' ? sw : 0, transactionalReads: tr },
      };
    }
    if (out.actualLRPRules === undefined && bbs.actualLRPRules === 'permissive')
      out = { ...out, actualLRPRules: 'permissive' };
    if (out.actualLRPForm === undefined) {
      const form = (ACTUAL_LRP_FORMS as readonly unknown[]).includes(bbs.actualLRPForm)
        ? (bbs.actualLRPForm as ActualLRPForm)
        : BBS_VERSIONS.includes(bbs.version as never)
          ? profileOf(String(bbs.version)).behaviour.actualLRPForm
          : undefined;
      if (form !== undefined) out = { ...out, actualLRPForm: form };
    }
    return out;
  } catch {
    return opts;
  }
}

/** Checks one history file; never throws. */
export function checkFile(
  history: string,
  runDir: string | null,
  opts: CheckOptions,
  io: CheckIo = {},
): FileVerdict {
  const path = runDir ?? history;
  let warnings: string[] = [];
  const bad = (message: string): FileVerdict => ({
    path,
    runDir,
    verdict: 'BAD INPUT',
    exitCode: EXIT.badInput,
    error: message,
    warnings,
  });
  try {
    let read: ReadHistory;
    try {
      read = readHistoryFile(history);
    } catch (e) {
      if (e instanceof HistoryFormatError)
        return bad(`${e.message} (the format is in docs/history-format.md)`);
      throw e;
    }
    warnings = read.warnings;
    // Only nemesis events (a run whose clients never got going): nothing happened that could be
    // wrong.
    if (read.events.length === 0) return bad(`${history}: the history is empty (no events)`);
    if (io.exportEdn !== undefined) {
      try {
        writeEdnHistory(io.exportEdn, read.events);
      } catch (e) {
        // The user's path, not a bug of the lab: a missing directory, no permission.
        const code = (e as NodeJS.ErrnoException)?.code;
        if (typeof code !== 'string') throw e;
        return bad(
          `--export edn ${io.exportEdn}: cannot write it (${code}); give a file in a directory that exists and is writable`,
        );
      }
    }
    const noValue = okReadWithoutValue(read.events, modelLookup(opts));
    if (noValue) return bad(`${read.where(noValue.event)}: ${noValue.problem}`);
    let report: CheckReport;
    try {
      report = checkReport(read.events, runDir !== null ? withRunRules(opts, runDir) : opts);
    } catch (e) {
      // Bad input, not an anomaly: an unknown --model, ops a model cannot read, a malformed txn.
      if (e instanceof UnknownModelError) return bad(e.message);
      if (e instanceof ModelInputError)
        return bad(`${history}: ${e.message} (the format is in docs/history-format.md)`);
      if (e instanceof TxnInputError) {
        const ev = read.events.find(
          (x) => x.type === (e.event === 'invoke' ? 'invoke' : 'ok') && 'op' in x && x.op === e.op,
        );
        return bad(
          `${ev ? read.where(ev) : history}: ${e.message} (the format is in docs/history-format.md)`,
        );
      }
      throw e;
    }
    const verdict: Verdict =
      report.valid === true ? 'VALID' : report.valid === false ? 'INVALID' : 'UNKNOWN';
    if (runDir)
      writeFileSync(
        join(runDir, 'check.json'),
        `${JSON.stringify({ ...report, warnings }, null, 2)}\n`,
      );
    return { path, runDir, verdict, exitCode: exitCodeOf(report), report, warnings };
  } catch (e) {
    const err = e as Error;
    const debug = process.env.BBS_LAB_DEBUG ? `\n${err?.stack ?? ''}` : '';
    return {
      path,
      runDir,
      verdict: 'INTERNAL ERROR',
      exitCode: EXIT.internal,
      error: `internal error (a bug of bbs-lab): ${err?.message ?? String(e)}${debug}`,
      warnings,
    };
  }
}

export function worstExit(codes: readonly number[]): number {
  for (const c of WORST_FIRST) if (codes.includes(c)) return c;
  return EXIT.valid;
}

/**
 * Refuses `--export edn` unless the paths name one history (a path that cannot be read is its own
 * verdict).
 */
export function checkExportTarget(paths: readonly string[], io: CheckIo): void {
  if (io.exportEdn === undefined) return;
  let count = 0;
  for (const p of paths) {
    try {
      count += expandPath(p).length;
    } catch (e) {
      if (!(e instanceof CheckInputError)) throw e;
      count += 1;
    }
  }
  if (count > 1) {
    throw new CheckInputError(
      `--export edn ${io.exportEdn}: the paths name ${count} histories, and one export file holds one history; check them without --export, or export each with its own \`bbs-lab check <history> --export edn <file>\``,
    );
  }
}

/**
 * Checks every history the paths name, in order. `--export edn` is refused unless there is exactly
 * one.
 */
export function checkPaths(
  paths: readonly string[],
  opts: CheckOptions,
  io: CheckIo = {},
): { files: FileVerdict[]; exitCode: number } {
  checkExportTarget(paths, io);
  const files: FileVerdict[] = [];
  for (const p of paths) {
    let found: { history: string; runDir: string | null }[];
    try {
      found = expandPath(p);
    } catch (e) {
      if (!(e instanceof CheckInputError)) throw e;
      files.push({
        path: p,
        runDir: null,
        verdict: 'BAD INPUT',
        exitCode: EXIT.badInput,
        error: e.message,
        warnings: [],
      });
      continue;
    }
    if (found.length === 0)
      files.push({
        path: p,
        runDir: null,
        verdict: 'BAD INPUT',
        exitCode: EXIT.badInput,
        error: `${p}: no run directory or history file (${FORMATS.flatMap((f) => f.extensions).join(', ')}) in it`,
        warnings: [],
      });
    for (const f of found) files.push(checkFile(f.history, f.runDir, opts, io));
  }
  return { files, exitCode: worstExit(files.map((f) => f.exitCode)) };
}

/** One line per history (the verdict and its summary, or the error), then a total when several. */
export function renderVerdicts(files: readonly FileVerdict[]): { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const many = files.length > 1;
  for (const f of files) {
    for (const w of f.warnings) stderr += `warning: ${w}\n`;
    const prefix = many ? `${f.path}: ` : '';
    if (f.report) {
      stdout += `${prefix}${f.verdict}: ${f.report.summary.join(' ')}\n`;
      if (f.runDir) stdout += `${many ? '  ' : ''}details: ${join(f.runDir, 'check.json')}\n`;
    } else if (many) stdout += `${prefix}${f.verdict}: ${f.error}\n`;
    else stderr += `bbs-lab check: ${f.error}\n`;
  }
  if (many) {
    const count = (v: Verdict) => files.filter((f) => f.verdict === v).length;
    const parts = (['VALID', 'INVALID', 'UNKNOWN', 'BAD INPUT', 'INTERNAL ERROR'] as Verdict[])
      .map((v) => [v, count(v)] as const)
      .filter(([, n]) => n > 0);
    stdout += `total: ${files.length} histories: ${parts.map(([v, n]) => `${n} ${v.toLowerCase()}`).join(', ')}; exit ${worstExit(files.map((f) => f.exitCode))}\n`;
  }
  return { stdout, stderr };
}

/** --json: one history's report as before (with its warnings); several as a list with the total. */
export function renderJson(files: readonly FileVerdict[], exitCode: number): string {
  const one = (f: FileVerdict) =>
    f.report
      ? { ...f.report, warnings: f.warnings }
      : { verdict: f.verdict, error: f.error, warnings: f.warnings };
  if (files.length === 1) return `${JSON.stringify(one(files[0]!), null, 2)}\n`;
  return `${JSON.stringify(
    {
      exitCode,
      files: files.map((f) => ({
        path: f.path,
        verdict: f.verdict,
        exitCode: f.exitCode,
        ...one(f),
      })),
    },
    null,
    2,
  )}\n`;
}

/** One run directory or history file, for callers that want the report or an exception. */
export function checkPath(
  path: string,
  opts: CheckOptions,
  io: CheckIo = {},
): { report: CheckReport; warnings: string[]; runDir: string | null } {
  const found = expandPath(path);
  if (found.length !== 1)
    throw new CheckInputError(
      `${path}: expected one run directory or history file, found ${found.length}`,
    );
  const v = checkFile(found[0]!.history, found[0]!.runDir, opts, io);
  if (!v.report)
    throw v.verdict === 'BAD INPUT' ? new CheckInputError(v.error!) : new Error(v.error);
  return { report: v.report, warnings: v.warnings, runDir: v.runDir };
}
