// `bbs-lab check <run-dir | history.jsonl | history.json | history.edn> [--model NAME] [--budget STEPS] [--json] [--export edn FILE]`: checks a
// stored history without any cluster. The generic history format is in docs/history-format.md.
// Exit codes: 0 valid, 1 anomalies found, 3 unknown (a checker ran out of budget), 2 bad input.

import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelInputError } from '../../models/specs/model.ts';
import { checkHistory, UnknownModelError, type CheckOptions, type CheckReport } from '../checkers/index.ts';
import { readEdnHistory } from '../history/edn.ts';
import { writeEdnHistory } from '../history/edn-export.ts';
import { HistoryFormatError, readHistory } from '../history/reader.ts';

export class CheckInputError extends Error {}

export function resolveHistory(path: string): { history: string; runDir: string | null } {
  if (!existsSync(path)) throw new CheckInputError(`${path}: no such file or directory; give a run directory (findings/runs/<id>) or a history file`);
  if (statSync(path).isDirectory()) {
    const history = join(path, 'history.jsonl');
    if (!existsSync(history)) throw new CheckInputError(`${path}: not a run directory (no history.jsonl in it)`);
    return { history, runDir: path };
  }
  return { history: path, runDir: null };
}

/** `--export edn PATH` (two values, so taken out before the other options are parsed). */
export function takeExportOption(argv: readonly string[]): { argv: string[]; exportEdn?: string } {
  const i = argv.indexOf('--export');
  if (i < 0) return { argv: [...argv] };
  const [format, path] = [argv[i + 1], argv[i + 2]];
  if (format !== 'edn' || path === undefined || path.startsWith('--')) {
    throw new CheckInputError(`--export: give a format and a file, e.g. \`--export edn history.edn\` (the one format is edn, Jepsen's, for Knossos and Elle)`);
  }
  return { argv: [...argv.slice(0, i), ...argv.slice(i + 3)], exportEdn: path };
}

export function checkPath(path: string, opts: CheckOptions, io: { exportEdn?: string } = {}): { report: CheckReport; warnings: string[]; runDir: string | null } {
  const { history, runDir } = resolveHistory(path);
  let read;
  try {
    // Jepsen's history.edn by its extension; anything else is the lab's JSON / JSONL.
    read = /\.edn$/i.test(history) ? readEdnHistory(history) : readHistory(history);
  } catch (e) {
    if (e instanceof HistoryFormatError) throw new CheckInputError(`${e.message} (the format is in docs/history-format.md)`);
    throw e;
  }
  if (!read.events.some((e) => e.type === 'invoke')) throw new CheckInputError(`${history}: the history has no ops (no invoke events)`);
  if (io.exportEdn !== undefined) writeEdnHistory(io.exportEdn, read.events);
  let report: CheckReport;
  try {
    report = checkHistory(read.events, opts);
  } catch (e) {
    // Bad input, not an anomaly: an unknown --model, or ops a model cannot read.
    if (e instanceof UnknownModelError || e instanceof ModelInputError) throw new CheckInputError(`${e.message} (the format is in docs/history-format.md)`);
    throw e;
  }
  if (runDir) writeFileSync(join(runDir, 'check.json'), JSON.stringify(report, null, 2) + '\n');
  return { report, warnings: read.warnings, runDir };
}

export function exitCodeOf(report: CheckReport): number {
  return report.valid === true ? 0 : report.valid === false ? 1 : 3;
}
