// Porcupine re-run beside the lab on Porcupine's own histories (issue 24): its 102 Jepsen etcd logs
// (cas register) and its kv logs c50-ok and c50-bad (append-kv), each history checked by
// Porcupine (the Go harness in porcupine-go/, built against the local checkout), by the lab's
// search (shrink:false) and by the lab's full check (with evidence), in rounds that interleave the
// two sides; each history's best time of the rounds. For kv the lab stops at the first failing key,
// as Porcupine's checkParallel does.
//
//   PORCUPINE_DATA=<checkout>/test_data npm run bench -- --only linearizability
//   node --import tsx lab/bench/porcupine-go.ts <checkout>/test_data [ROUNDS]
//
// Go is optional: without `go` on PATH the row says how to get it and prints Porcupine's quoted
// figures (PORCUPINE_QUOTED) beside the lab's. The harness builds offline: a go.mod whose replace
// directive points at the checkout, GOPROXY=off, only Go's standard library and Porcupine.

import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLinearizable } from '../checkers/linearizability/index.ts';
import type { LinOptions, LinResult, Verdict } from '../checkers/linearizability/types.ts';
import { type HistoryEvent, type Op, pairOps } from '../history/event.ts';
import { parseHistory } from '../history/reader.ts';
import { appendKvModel } from '../../specs/append-kv.ts';
import { casRegisterModel } from '../../specs/cas-register.ts';
import { PROJECT_ROOT } from '../project-root.ts';
import type { Model } from '../../specs/model.ts';
import { median } from './linearizability.ts';
import { jepsenEvents } from './porcupine-etcd.ts';
import { kvEvents } from './porcupine-kv.ts';
import {
  type QuotedColumn,
  rowLine,
  type SideBySide,
  type SideRow,
  sideBySide,
  sideBySideLines,
} from './porcupine-side.ts';

/** One line of the harness's output: Porcupine's check of one history. */
export interface GoRow {
  name: string;
  kind: 'etcd' | 'kv';
  ops: number;
  verdict: Verdict;
  ms: number;
  modelSteps: number;
}

const VERDICTS: Record<string, Verdict> = {
  Ok: 'linearizable',
  Illegal: 'not-linearizable',
  Unknown: 'unknown',
};

function jsonLine(l: string, n: number): Record<string, unknown> {
  try {
    const o: unknown = JSON.parse(l);
    if (o !== null && typeof o === 'object' && !Array.isArray(o))
      return o as Record<string, unknown>;
  } catch {
    // said below
  }
  throw new Error(`Porcupine harness output, line ${n}: not a JSON object: ${l.slice(0, 80)}`);
}

/** The harness's JSON lines; an Error naming the line and the field on anything else. */
export function parseGoOutput(text: string): GoRow[] {
  return text
    .split('\n')
    .map((l, i) => [l.trim(), i + 1] as const)
    .filter(([l]) => l !== '')
    .map(([l, n]) => {
      const o = jsonLine(l, n);
      const bad = (field: string, want: string) =>
        new Error(
          `Porcupine harness output, line ${n}: "${field}" must be ${want}, got ${JSON.stringify(o[field])}`,
        );
      const num = (field: string) => {
        const v = o[field];
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw bad(field, 'a number ≥ 0');
        return v;
      };
      if (typeof o.name !== 'string' || o.name === '') throw bad('name', 'a history name');
      if (o.kind !== 'etcd' && o.kind !== 'kv') throw bad('kind', '"etcd" or "kv"');
      const verdict = VERDICTS[String(o.verdict)];
      if (!verdict) throw bad('verdict', 'Ok, Illegal or Unknown (Porcupine’s CheckResult)');
      return {
        name: o.name,
        kind: o.kind,
        ops: num('ops'),
        verdict,
        ms: num('ms'),
        modelSteps: num('modelSteps'),
      };
    });
}

/** The harness's go.mod: Porcupine from the local checkout, nothing from the network. */
export function goMod(checkout: string): string {
  return [
    'module bbslab/porcupinebench',
    '',
    'go 1.16',
    '',
    'require github.com/anishathalye/porcupine v0.0.0-00010101000000-000000000000',
    '',
    `replace github.com/anishathalye/porcupine => ${JSON.stringify(checkout)}`,
    '',
  ].join('\n');
}

/** The environment `go build` runs in: offline, no toolchain download, no C compiler needed. */
export function goEnv(base: NodeJS.ProcessEnv, cache: string): NodeJS.ProcessEnv {
  return {
    ...base,
    GOFLAGS: '-mod=mod',
    GOPROXY: 'off',
    GOSUMDB: 'off',
    GOTOOLCHAIN: 'local',
    GOWORK: 'off',
    CGO_ENABLED: '0',
    GOCACHE: base.GOCACHE ?? cache,
  };
}

// From the project root: the bench runs from the build (dist/), which holds no Go file.
const HARNESS = join(PROJECT_ROOT, 'lab', 'bench', 'porcupine-go', 'main.go');

/** `go version`'s answer, or undefined when `go` is not on PATH. */
export function goVersion(): string | undefined {
  const r = spawnSync('go', ['version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Builds the harness in `dir` against the checkout: the binary's path, or why not. */
export function buildHarness(checkout: string, dir: string): { bin: string } | { error: string } {
  const mod = join(checkout, 'go.mod');
  if (
    !existsSync(mod) ||
    !/^module github\.com\/anishathalye\/porcupine$/m.test(readFileSync(mod, 'utf8'))
  )
    return {
      error: `PORCUPINE_DATA: ${checkout} is not a Porcupine checkout (no go.mod naming github.com/anishathalye/porcupine); set PORCUPINE_DATA to <checkout>/test_data`,
    };
  copyFileSync(HARNESS, join(dir, 'main.go'));
  writeFileSync(join(dir, 'go.mod'), goMod(resolve(checkout)));
  const cache = join(homedir(), '.cache', 'bbs-lab', 'go-build');
  mkdirSync(cache, { recursive: true });
  const bin = join(dir, 'porcupine-bench');
  const r = spawnSync('go', ['build', '-o', bin, '.'], {
    cwd: dir,
    env: goEnv(process.env, cache),
    encoding: 'utf8',
  });
  if (r.status !== 0)
    return {
      error: `go build failed: ${(r.stderr || String(r.error)).trim().split('\n').slice(-3).join(' / ')}`,
    };
  return { bin };
}

/** One run of the harness on every etcd log and the named kv logs. */
export function runHarness(bin: string, data: string, kv: readonly string[]): GoRow[] {
  const r = spawnSync(bin, ['-data', data, '-kv', kv.join(','), '-timeout', '60s'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0)
    throw new Error(
      `Porcupine harness exited ${r.status}: ${(r.stderr || String(r.error)).trim()}`,
    );
  return parseGoOutput(r.stdout);
}

/**
 * Porcupine's figures when Go is not here: re-run with this harness for issue 24 (2026-12-08
 * 03:53 UTC, go1.19.8, this 2-core machine idle, 3 runs of 5 rounds, each history timed twice a
 * round): the middle of the three per-history medians and totals (etcd) and of the three times
 * (kv); the model steps do not vary.
 */
export const PORCUPINE_QUOTED: { etcd: QuotedColumn; kv: Record<string, number> } = {
  etcd: { median: 0.12, total: 785, modelSteps: 3_301_844, source: 'issue 24, 2026-12-08' },
  kv: { 'c50-ok': 204, 'c50-bad': 8 },
};

interface LabHistory {
  name: string;
  ops: Op[];
  model: Model;
  /** Porcupine's kv check stops at the first failing key; so does the lab's, for those. */
  options: LinOptions;
}

/**
 * The ops `bbs-lab check` would check: the events written as history.jsonl lines and read back
 * by the lab's reader. Objects built by the log parser's spreads have shapes V8 reads several
 * times slower (a first property read of each op cost about a microsecond), a cost no history
 * file has; the checker is timed on what it is given in use.
 */
export function asRead(events: readonly HistoryEvent[]): Op[] {
  return pairOps(parseHistory(events.map((e) => JSON.stringify(e)).join('\n')).events);
}

/** Porcupine's histories as the lab reads them; an empty log (etcd_095: its cluster never started) is left out, as Porcupine's tests leave it. */
export function labHistories(data: string, kv: readonly string[]) {
  const dir = join(data, 'jepsen');
  const etcd: LabHistory[] = [];
  const empty: string[] = [];
  for (const f of readdirSync(dir)
    .filter((f) => /^etcd_\d+\.log$/.test(f))
    .sort()) {
    const ops = asRead(jepsenEvents(readFileSync(join(dir, f), 'utf8')));
    const name = f.replace(/\.log$/, '');
    if (ops.length === 0) empty.push(name);
    else etcd.push({ name, ops, model: casRegisterModel as Model, options: {} });
  }
  const kvs: LabHistory[] = kv.map((name) => ({
    name,
    ops: asRead(kvEvents(readFileSync(join(data, 'kv', `${name}.txt`), 'utf8'))),
    model: appendKvModel as Model,
    options: { stopAtFirstFailure: true },
  }));
  return { etcd, kv: kvs, empty };
}

const verdictOf = (r: LinResult): Verdict =>
  r.valid === true ? 'linearizable' : r.valid === false ? 'not-linearizable' : 'unknown';

type LabTimes = Pick<SideRow, 'search' | 'full'>;

/**
 * The lab's search and full check of one history, each timed twice (search, full, full, search),
 * the best kept: the first check of a pair runs measurably slower (on kv c50-ok, linearizable, where
 * both do the same work, the one run first took 10–40% longer), so each is once first, once second.
 */
function timeLab(h: LabHistory): LabTimes {
  const model = () => h.model;
  const timed = (shrink: boolean) => {
    const t0 = performance.now();
    const r = checkLinearizable(h.ops, model, { ...h.options, shrink });
    return { r, ms: performance.now() - t0 };
  };
  const s1 = timed(false);
  const f1 = timed(true);
  const f2 = timed(true);
  const s2 = timed(false);
  const search = s2.ms < s1.ms ? s2 : s1;
  const full = f2.ms < f1.ms ? f2 : f1;
  return {
    search: {
      verdict: verdictOf(search.r),
      ms: search.ms,
      modelSteps: search.r.keys.reduce((n, k) => n + (k.modelSteps ?? 0), 0),
    },
    full: { verdict: verdictOf(full.r), ms: full.ms },
  };
}

/** The best (least) time of two rounds of one history, each side on its own. */
export function bestOf<T extends { ms: number }>(a: T | undefined, b: T): T {
  return a === undefined || b.ms < a.ms ? b : a;
}

/** The row's first line: where Porcupine's figures come from, the rounds, and the machine's load. */
export function headerLine(go: string | undefined, rounds: number, load: [number, number]): string {
  return `porcupine side by side (issue 24): Porcupine ${go ? `re-run here (${go})` : 'quoted, not re-run'}; the lab's checker warmed up first (each history checked ${WARM_UP_PASSES} times untimed, the kv logs once: V8 compiles it as it runs, Go ahead of time); ${rounds} rounds, Porcupine and the lab interleaved, each history's best time; load average ${load[0].toFixed(2)} before, ${load[1].toFixed(2)} after`;
}

/** Untimed passes over the histories before the rounds: V8 compiles the checker as it runs it. */
export const WARM_UP_PASSES = 10;

/**
 * Every history checked (search and full check) WARM_UP_PASSES times, untimed, the long ones
 * (over 1,000 ops) once: Porcupine is compiled ahead of time, the lab's checker by V8 as it runs,
 * and a check timed before that is timed in V8's interpreter (on the etcd histories the median
 * full check was 0.47 ms best of 3 cold, 0.16 ms best of 80).
 */
function warmUp(histories: readonly LabHistory[]): void {
  for (let pass = 0; pass < WARM_UP_PASSES; pass++)
    for (const h of histories) if (pass === 0 || h.ops.length <= 1000) timeLab(h);
}

interface Measured {
  porcupine: Map<string, GoRow>;
  lab: Map<string, LabTimes>;
}

function measure(
  histories: readonly LabHistory[],
  harness: (() => GoRow[]) | undefined,
  rounds: number,
): Measured {
  const m: Measured = { porcupine: new Map(), lab: new Map() };
  warmUp(histories);
  for (let i = 0; i < rounds; i++) {
    for (const g of harness?.() ?? []) m.porcupine.set(g.name, bestOf(m.porcupine.get(g.name), g));
    for (const h of histories) {
      const t = timeLab(h);
      const was = m.lab.get(h.name);
      m.lab.set(h.name, { search: bestOf(was?.search, t.search), full: bestOf(was?.full, t.full) });
    }
  }
  return m;
}

function rowsOf(histories: readonly LabHistory[], m: Measured): SideRow[] {
  return histories.map((h) => {
    const g = m.porcupine.get(h.name);
    const lab = m.lab.get(h.name)!;
    return {
      name: h.name,
      ops: h.ops.length,
      ...(g && {
        porcupine: { verdict: g.verdict, ms: g.ms, modelSteps: g.modelSteps, ops: g.ops },
      }),
      ...lab,
    };
  });
}

/** Go, built: the harness to call each round, or undefined with the reason logged. */
interface Harness {
  /** `go version`, when Porcupine is re-run. */
  go?: string;
  run?: () => GoRow[];
  /** False once a run of the harness failed (said once; the figures are then quoted). */
  ok?: () => boolean;
  done?: () => void;
}

function harnessFor(data: string, kv: readonly string[], log: (line: string) => void): Harness {
  const go = goVersion();
  if (!go) {
    log(
      "porcupine: `go` is not on PATH, so Porcupine's figures are quoted, not re-run; `apt-get install golang-go` (Debian; any Go ≥ 1.16) re-runs Porcupine here",
    );
    return {};
  }
  const dir = mkdtempSync(join(tmpdir(), 'porcupine-go-'));
  const built = buildHarness(dirname(resolve(data)), dir);
  if ('error' in built) {
    rmSync(dir, { recursive: true, force: true });
    log(`porcupine: ${built.error}; Porcupine's figures are quoted, not re-run`);
    return {};
  }
  let failed = false;
  const run = () => {
    if (failed) return [];
    try {
      return runHarness(built.bin, data, kv);
    } catch (e) {
      failed = true;
      log(`porcupine: ${(e as Error).message}; Porcupine's figures are quoted, not re-run`);
      return [];
    }
  };
  return { go, run, ok: () => !failed, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Why PORCUPINE_DATA cannot be read as Porcupine's test_data, or undefined when it can. */
export function dataProblem(data: string, kv: readonly string[]): string | undefined {
  const want = [join(data, 'jepsen'), ...kv.map((n) => join(data, 'kv', `${n}.txt`))];
  const missing = want.filter((p) => !existsSync(p));
  if (missing.length === 0) return undefined;
  return `PORCUPINE_DATA=${data} has no ${missing.join(', ')}; set it to a Porcupine checkout's test_data`;
}

/** The quoted kv times as Porcupine's column. */
export function quotedKv(): QuotedColumn {
  const xs = KV_LOGS.map((n) => PORCUPINE_QUOTED.kv[n]!);
  return {
    median: median(xs),
    total: xs.reduce((s, x) => s + x, 0),
    source: "issue 24, an idle machine, Porcupine's BenchmarkKv50Clients*",
  };
}

export const KV_LOGS = ['c50-ok', 'c50-bad'] as const;

/** The bench row; nothing without PORCUPINE_DATA. */
export function benchPorcupine(
  data: string | undefined,
  log: (line: string) => void,
  rounds = 5,
): { etcd: SideBySide; kv: SideBySide } | undefined {
  if (!data) {
    log("porcupine: skipped (set PORCUPINE_DATA to a Porcupine checkout's test_data)");
    return undefined;
  }
  const problem = dataProblem(data, KV_LOGS);
  if (problem) {
    log(`porcupine: skipped: ${problem}`);
    return undefined;
  }
  const { etcd, kv, empty } = labHistories(data, KV_LOGS);
  const h = harnessFor(data, KV_LOGS, log);
  const before = loadavg()[0]!;
  let m: Measured;
  try {
    m = measure([...etcd, ...kv], h.run, rounds);
  } finally {
    h.done?.();
  }
  const rerun = h.ok?.() === true;
  log(headerLine(rerun ? h.go : undefined, rounds, [before, loadavg()[0]!]));
  if (!rerun) m.porcupine.clear();
  const etcdRows = rowsOf(etcd, m);
  const kvRows = rowsOf(kv, m);
  const etcdSide = sideBySide(etcdRows, rerun ? undefined : PORCUPINE_QUOTED.etcd);
  const kvSide = sideBySide(kvRows, rerun ? undefined : quotedKv());
  const source = (q: QuotedColumn) => (rerun ? 're-run here' : `quoted, not re-run (${q.source})`);
  const left = empty.length > 0 ? ` (${empty.join(', ')} left out: an empty log)` : '';
  const etcdLabel = `porcupine etcd cas-register${left}`;
  for (const l of sideBySideLines(etcdLabel, etcdSide, source(PORCUPINE_QUOTED.etcd))) log(l);
  for (const r of kvRows)
    log(rowLine('porcupine kv', r, rerun ? undefined : PORCUPINE_QUOTED.kv[r.name]));
  const kvLabel = 'porcupine kv append-kv (the lab stops at the first failing key, as Porcupine)';
  for (const l of sideBySideLines(kvLabel, kvSide, source(quotedKv()))) log(l);
  return { etcd: etcdSide, kv: kvSide };
}

/**
 * The row in a Node process of its own, as Porcupine runs in its own Go process: in the bench's
 * process, after the register rows, the same code runs on a heap and compiled code shaped by other
 * models (the etcd median full check measured 1.9× Porcupine there against 1.0–1.25× fresh, one
 * sitting). Its lines go to `log`; a child that fails is said, with its exit code.
 */
export function benchPorcupineApart(data: string | undefined, log: (line: string) => void): void {
  if (!data) {
    benchPorcupine(data, log);
    return;
  }
  const self = fileURLToPath(import.meta.url);
  const args = self.endsWith('.ts') ? ['--import', 'tsx', self] : [self];
  const r = spawnSync(process.execPath, [...args, data], {
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  });
  for (const line of (r.stdout ?? '').split('\n')) if (line !== '') log(line);
  if (r.status !== 0)
    log(
      `porcupine: the row's process exited ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' / ')}`,
    );
}

if (/porcupine-go\.[jt]s$/.test(process.argv[1] ?? '')) {
  const [data, rounds] = process.argv.slice(2);
  if (!data) {
    console.error(
      'usage: node --import tsx lab/bench/porcupine-go.ts <porcupine checkout>/test_data [ROUNDS]',
    );
    process.exit(2);
  }
  benchPorcupine(data, (l) => console.log(l), rounds ? Number(rounds) : 5);
}
