// The bbs-lab command line. Every command listed here works; bad input gets one line per problem
// and exit code 2, never a stack trace.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { installSignalHandlers } from '../lifecycle/cleanup.ts';
import { removeLeftOvers, findLeftOvers } from '../providers/local/owned.ts';
import { addressBaseProblem } from './address-base.ts';
import { chainOwner, removeLabChains } from '../nemesis/iptables.ts';
import type { ClientConfig } from '../scenario/types.ts';
import { basename } from 'node:path';
import { checkPath, CheckInputError, exitCodeOf, takeExportOption } from './check.ts';
import { removeRecordedProxies } from '../toxiproxy/leftovers.ts';
// Commands load their modules when they run (import() below): loading the runner, Docker and the
// migration stories takes seconds, and `check` must answer a small history in a fraction of one.

const USAGE = `usage: bbs-lab <command> [options]

commands:
  run <scenario.yaml> [--seed N] [--duration SECONDS]
                         bring up the cluster, run the scenario, write findings/runs/<id>/ and print the report's path
  compare <scenario.yaml> --configs a,b,… [--seed N] [--duration SECONDS]
                         run the scenario once per client configuration (same seed and faults) and
                         write one comparison report; configurations: spread, single-proxy,
                         proxies-by-hostname, multi-ip, consul-dns, leader-proxy
  migrate [redeploy|mixed-lock|failure|gap|no-sql|upgrade-dust …] [--base 127.0.45]
                         the etcd-to-SQL migration stories on a real etcd, Galera and the lab's
                         Consul: one line per acceptance check; exit 0 when all pass
  bbs-node <node.json>   run one BBS node (models/bbs/node) as a process: etcd and/or SQL, the Consul
                         lock, the migration manager, the API on host:8889 (the migration stories
                         start these; see lab/migration/node-process.ts for the config)
  validate <scenario.yaml>
                         check a scenario file and print it with defaults filled in
  check <run-dir | history.jsonl | history.json | history.edn> [--model NAME] [--budget STEPS] [--json]
        [--export edn FILE]
                         check a stored history without a cluster: linearizability per key, BBS
                         invariants, isolation; exit 0 valid, 1 anomalies, 3 unknown, 2 bad input.
                         .edn is Jepsen's format; --export edn writes the history for Knossos/Elle
  report <run-dir>       re-render results.json and report.md of a stored run from its history
  docker-engine [--socket PATH | --tcp PORT] [--subnets 127.0.100-127.0.109]
                         run the lab's Docker-compatible engine in the foreground (for machines
                         without Docker); prints its DOCKER_HOST; Ctrl-C stops all it started
  cleanup [--force]      stop processes, remove temp dirs and iptables chains left by a lab that was killed
                         (--force also those of a lab that still runs)
`;

class UsageError extends Error {}

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

function parseArgs(argv: string[], valued: string[], boolean: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (valued.includes(name)) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`--${name}: needs a value`);
      flags.set(name, v);
    } else if (boolean.includes(name)) {
      flags.set(name, true);
    } else {
      throw new UsageError(`--${name}: unknown option; allowed: ${[...valued, ...boolean].map((x) => `--${x}`).join(', ') || 'none'}`);
    }
  }
  return { positional, flags };
}

function intFlag(p: Parsed, name: string, min: number): number | undefined {
  const v = p.flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === true || !Number.isInteger(n) || n < min) throw new UsageError(`--${name}: must be an integer ≥ ${min}, got ${String(v)}`);
  return n;
}

async function loadScenario(path: string | undefined) {
  if (!path) throw new UsageError('missing the scenario file, e.g. `bbs-lab run scenarios/quickstart.yaml`');
  if (!existsSync(path)) throw new UsageError(`${path}: no such file`);
  const { parseScenario } = await import('../scenario/validate.ts');
  return parseScenario(readFileSync(path, 'utf8'), path);
}

/** The migration story in a scenario file, or null for any other scenario (or no such file). */
async function migrationScenarioAt(file: string | undefined) {
  if (!file || !existsSync(file)) return null;
  const { parseMigrationScenario } = await import('../migration/run.ts');
  return parseMigrationScenario(readFileSync(file, 'utf8'), file);
}

function addressBaseFromEnv(): string {
  const addressBase = process.env['BBS_LAB_ADDRESS_BASE'] ?? '127.0.0';
  const problem = addressBaseProblem(addressBase);
  if (problem) throw new UsageError(`BBS_LAB_ADDRESS_BASE: ${problem}`);
  return addressBase;
}

async function cmdRun(argv: string[]): Promise<number> {
  const p = parseArgs(argv, ['seed', 'duration'], []);
  const file = p.positional[0];
  const migration = await migrationScenarioAt(file);
  if (migration) {
    installSignalHandlers();
    const base = addressBaseFromEnv();
    const { runMigrationFile } = await import('../migration/run.ts');
    const res = await runMigrationFile(migration, { base: base === '127.0.0' ? '127.0.45' : base, log: (m) => process.stderr.write(m + '\n') });
    process.stdout.write(`${res.report}\n`);
    return res.ok ? 0 : 1;
  }
  const scenario = await loadScenario(file);
  const seed = intFlag(p, 'seed', 0);
  const duration = intFlag(p, 'duration', 1);
  const addressBase = addressBaseFromEnv();
  installSignalHandlers();
  const { runScenario } = await import('../runner/run.ts');
  const res = await runScenario(scenario, {
    addressBase,
    ...(seed !== undefined ? { seed } : {}),
    ...(duration !== undefined ? { duration } : {}),
  });
  process.stdout.write(`${res.dir.report}\n`);
  return 0;
}

function cmdCheck(args: string[]): number {
  const { argv, exportEdn } = takeExportOption(args);
  const p = parseArgs(argv, ['model', 'budget'], ['json']);
  const path = p.positional[0];
  if (!path) throw new UsageError('give a run directory or a history file, e.g. `bbs-lab check findings/runs/<id>`');
  const model = p.flags.get('model');
  const budgetFlag = p.flags.get('budget');
  const budget = typeof budgetFlag === 'string' ? Number(budgetFlag) : undefined;
  if (budget !== undefined && !(Number.isInteger(budget) && budget > 0)) throw new UsageError(`--budget: must be a positive whole number of search steps, got ${JSON.stringify(budgetFlag)}`);
  const { report, warnings, runDir } = checkPath(path, { ...(typeof model === 'string' ? { model } : {}), ...(budget !== undefined ? { budget } : {}) }, exportEdn !== undefined ? { exportEdn } : {});
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  if (p.flags.has('json')) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    const verdict = report.valid === true ? 'VALID' : report.valid === false ? 'INVALID' : 'UNKNOWN';
    process.stdout.write(`${verdict}: ${report.summary.join(' ')}\n`);
    if (runDir) process.stdout.write(`details: ${join(runDir, 'check.json')}\n`);
  }
  return exitCodeOf(report);
}

async function cmdCompare(argv: string[]): Promise<number> {
  const p = parseArgs(argv, ['configs', 'seed', 'duration'], []);
  const scenario = await loadScenario(p.positional[0]);
  const { CLIENT_CONFIGS } = await import('../scenario/validate.ts');
  const raw = p.flags.get('configs');
  if (typeof raw !== 'string' || raw.trim() === '') throw new UsageError(`--configs: give a comma-separated list of ${CLIENT_CONFIGS.join(', ')}`);
  const configs = raw.split(',').map((c) => c.trim());
  const unknown = configs.filter((c) => !(CLIENT_CONFIGS as readonly string[]).includes(c));
  if (unknown.length > 0) throw new UsageError(`--configs: unknown configuration ${unknown.map((c) => JSON.stringify(c)).join(', ')}; known: ${CLIENT_CONFIGS.join(', ')}`);
  const seed = intFlag(p, 'seed', 0);
  const duration = intFlag(p, 'duration', 1);
  installSignalHandlers();
  const { compareConfigs } = await import('../runner/compare.ts');
  const res = await compareConfigs(scenario, configs as ClientConfig[], {
    addressBase: addressBaseFromEnv(),
    ...(seed !== undefined ? { seed } : {}),
    ...(duration !== undefined ? { duration } : {}),
  });
  process.stdout.write(`${res.report}\n`);
  return 0;
}

async function cmdValidate(argv: string[]): Promise<number> {
  const p = parseArgs(argv, [], []);
  const file = p.positional[0];
  const migration = await migrationScenarioAt(file);
  if (migration) {
    process.stdout.write(`${file}: valid (migration story ${migration.story})\n`);
    return 0;
  }
  const s = await loadScenario(p.positional[0]);
  process.stdout.write(`${p.positional[0]}: valid\n${JSON.stringify(s, null, 2)}\n`);
  return 0;
}

async function cmdReport(argv: string[]): Promise<number> {
  const p = parseArgs(argv, [], []);
  const path = p.positional[0];
  if (!path || !existsSync(path) || !statSync(path).isDirectory()) throw new UsageError(`report: give a run directory (findings/runs/<id>), got ${path ?? 'nothing'}`);
  const scenarioPath = join(path, 'scenario.yaml');
  if (!existsSync(scenarioPath) || !existsSync(join(path, 'history.jsonl'))) {
    throw new UsageError(`${path}: not a run directory (needs scenario.yaml and history.jsonl)`);
  }
  const [{ parse }, { validateScenario }, { runDirPaths }] = await Promise.all([import('yaml'), import('../scenario/validate.ts'), import('../runner/run-dir.ts')]);
  const raw = parse(readFileSync(scenarioPath, 'utf8')) as { seed?: number };
  const scenario = validateScenario(raw, scenarioPath);
  const dir = runDirPaths(path, basename(path));
  const { renderRun } = await import('../runner/render.ts');
  renderRun(dir, scenario, raw.seed ?? 0, {});
  process.stdout.write(`${dir.report}\n`);
  return 0;
}

async function cmdCleanup(argv: string[]): Promise<number> {
  const p = parseArgs(argv, [], ['force']);
  const chains = await removeLabChains({ force: p.flags.has('force') });
  for (const c of chains.removed) process.stdout.write(`removed iptables chain ${c}\n`);
  for (const c of chains.kept) process.stdout.write(`kept iptables chain ${c}: its lab (pid ${chainOwner(c)}) still runs; use --force to remove it anyway\n`);
  const before = findLeftOvers();
  for (const l of before) {
    if (l.ownerAlive && !p.flags.has('force')) continue;
    const gone = await removeRecordedProxies(l.dir);
    if (gone.length > 0) process.stdout.write(`removed Toxiproxy proxies ${gone.join(', ')} of ${l.dir}\n`);
  }
  const removed = removeLeftOvers({ force: p.flags.has('force') });
  const { removeDockerLeftovers } = await import('../providers/docker/provider.ts');
  const containers = await removeDockerLeftovers({ force: p.flags.has('force') });
  for (const c of containers) process.stdout.write(`removed Docker ${c}\n`);
  for (const r of removed) process.stdout.write(`removed ${r.dir} (${r.processes.length} process(es) killed)\n`);
  const kept = before.filter((b) => !removed.some((r) => r.dir === b.dir));
  for (const k of kept) process.stdout.write(`kept ${k.dir}: its lab (pid ${k.ownerPid}) still runs; use --force to remove it anyway\n`);
  if (before.length === 0 && chains.removed.length === 0 && chains.kept.length === 0 && containers.length === 0) process.stdout.write('nothing to clean up\n');
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'run':
        return await cmdRun(rest);
      case 'check':
        return cmdCheck(rest);
      case 'compare':
        return await cmdCompare(rest);
      case 'migrate':
        installSignalHandlers();
        return await (await import('../migration/cli.ts')).cmdMigrate(rest);
      case 'bbs-node': {
        if (!rest[0]) throw new UsageError('bbs-node: give the node config file, e.g. `bbs-lab bbs-node node.json`');
        const { runNodeProcess } = await import('../migration/node-process.ts');
        // Exit at once with the node: its stdin and Consul client would keep the process alive.
        process.exit(await runNodeProcess(rest[0]));
      }
      case 'validate':
        return await cmdValidate(rest);
      case 'report':
        return await cmdReport(rest);
      case 'cleanup':
        return await cmdCleanup(rest);
      case 'docker-engine':
        installSignalHandlers();
        return await (await import('../docker-engine/cli.ts')).cmdDockerEngine(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return cmd === undefined ? 2 : 0;
      default:
        process.stderr.write(`unknown command ${JSON.stringify(cmd)}\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof CheckInputError) {
      process.stderr.write(`bbs-lab ${cmd}: ${e.message}\n`);
      return 2;
    }
    // Error classes of modules loaded on demand: loaded here only when something failed.
    const [{ ScenarioError }, { MigrationScenarioError }, { TargetError }, { ClusterStartError }] = await Promise.all([
      import('../scenario/validate.ts'),
      import('../migration/run.ts'),
      import('../providers/external/target.ts'),
      import('../providers/local/cluster.ts'),
    ]);
    if (e instanceof ScenarioError) {
      process.stderr.write(`${e.file}: invalid scenario\n${e.problems.map((p) => `  ${p}`).join('\n')}\n`);
      return 2;
    }
    if (e instanceof MigrationScenarioError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    if (e instanceof TargetError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    if (e instanceof ClusterStartError) {
      process.stderr.write(`bbs-lab ${cmd}: the cluster did not start: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`bbs-lab ${cmd}: ${(e as Error).message ?? String(e)}\n`);
    if (process.env['BBS_LAB_DEBUG']) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    return 1;
  }
}
