// The bbs-lab command line. Every command listed here works; bad input gets one line per problem
// and exit code 2, never a stack trace.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { installSignalHandlers } from '../lifecycle/cleanup.ts';
import { guardStandardOutput } from '../lifecycle/output.ts';
import { removeLeftOvers, findLeftOvers } from '../lifecycle/owned.ts';
import { addressBaseProblem } from './address-base.ts';
import { chainOwner, removeLabChains } from '../network/iptables.ts';
import type { ClientConfig } from '../client/configs/index.ts';
import { basename } from 'node:path';
import {
  CheckInputError,
  checkPaths,
  EXIT,
  EXIT_CODES_TEXT,
  renderJson,
  renderVerdicts,
  takeExportOption,
} from './check.ts';
import { CONSISTENCY_MODELS, type ConsistencyModel } from '../checkers/isolation/index.ts';
import { removeRecordedProxies } from '../toxiproxy/leftovers.ts';
// Commands load their modules when they run (import() below): loading the runner, Docker, the
// migration stories and the campaigns takes seconds, and `check` must answer a small history in a
// fraction of one.

const USAGE = `usage: bbs-lab <command> [options]

commands:
  run <scenario.yaml> [--seed N] [--duration SECONDS]
                         bring up the cluster, run the scenario, write findings/runs/<id>/ and print the report's path
  compare <scenario.yaml> --configs a,b,… [--seed N | --repeat N [--seed BASE] | --seeds a,b,c] [--duration SECONDS]
                         run the scenario once per client configuration (same seed and faults) and
                         write one comparison report (\`bbs-lab compare --help\` lists the
                         configurations). --repeat N runs each on N seeds (BASE, BASE+1, …) and
                         reports medians with intervals
  investigate <campaign.yaml> [--budget 45m] [--resume DIR] [--plan] [--fresh] [--render] [--verify DIR] | --metrics
                         run a campaign of questions (scenario variants × seeds) within a time
                         budget, one run at a time, resumable; writes findings/<campaign>/
                         (README.md, index.html, charts, findings.json) with medians and intervals;
                         --render rewrites the findings from the runs already done
  migrate [<story> …] [--base 127.0.45] | --list
                         alias of \`run scenarios/migration-<story>.yaml\` for each story (the
                         etcd-to-SQL migration on a real etcd, Galera and Consul; startup-* stories:
                         a fault at start-up, per BBS profile): one line per acceptance check;
                         exit 0 when all pass; --list shows the stories
  bbs-node <node.json>   run one BBS node (bbs/node) as a process: etcd and/or SQL, the Consul
                         lock, the migration manager, the API on host:8889 (the migration stories
                         start these; see lab/migration/bbs-node-child.ts for the config)
  scale <scale.yaml> [--out DIR]
                         scale validation (as cloudfoundry/benchmarkbbs): populate N desired LRPs per
                         size, time the cells' bulk loops, the bulkers and convergence per topology;
                         writes DIR (default findings/<name>/): README.md, results.json, charts
  validate <scenario.yaml>
                         check a scenario file and print it with defaults filled in
  check <run-dir | history file | dir>… [--model NAME] [--budget STEPS] [--consistency MODEL] [--json]
        [--export edn FILE]
                         check stored histories without a cluster: linearizability per key, BBS
                         invariants, isolation; exit 0 valid, 1 anomalies, 3 unknown, 2 bad input,
                         70 internal error (see \`bbs-lab check --help\`). .edn is Jepsen's format;
                         --export edn writes the (one) history for Knossos/Elle
  report <run-dir>       re-render results.json and report.md of a stored run from its history
  selftest [--plants a,b] [--seeds N] [--duration SECONDS]
                         the lab checks itself: the clean multi-writer baseline on N seeds must be
                         clean and each planted bug (bbs/sql/plants.ts) must be found on every seed;
                         prints a detection table; exit 0 when all hold, 1 when not
  docker-engine [--socket PATH | --tcp PORT] [--subnets 127.0.100-127.0.109]
                         run the lab's Docker-compatible engine in the foreground (for machines
                         without Docker); prints its DOCKER_HOST; Ctrl-C stops all it started
  cleanup [--force]      stop processes, remove temp dirs and iptables chains left by a lab that was killed
                         (--force also those of a lab that still runs)

\`bbs-lab <command> --help\` (or -h) prints a command's usage.
`;

/**
 * Each command's usage, for `bbs-lab <command> --help`. A function when the text needs a module
 * that only that command loads (compare's configurations: lab/client/configs/).
 */
const HELP: Record<string, string | (() => Promise<string>)> = {
  run: `usage: bbs-lab run <scenario.yaml> [--seed N] [--duration SECONDS]

Brings up the scenario's cluster, runs its workload and faults, writes findings/runs/<id>/ (history,
report.md, report.html, charts) and prints the report's path. A migration story file runs that story.
  --seed N            repeat a run's op streams (the seed is in its run directory)
  --duration SECONDS  override the scenario's workload duration
Environment: BBS_LAB_ADDRESS_BASE (default 127.0.0) moves the run to another loopback network.
`,
  compare:
    async () => `usage: bbs-lab compare <scenario.yaml> --configs a,b,… [--seed N | --repeat N [--seed BASE] | --seeds a,b,c]
                       [--duration SECONDS]

Runs the scenario once per client configuration (same seed and faults) and writes one comparison
report. Configurations: ${(await import('../client/configs/index.ts')).CLIENT_CONFIG_NAMES.join(', ')}.
--repeat N runs each configuration on N seeds (BASE, BASE+1, …) and reports medians with intervals.
`,
  migrate: `usage: bbs-lab migrate [redeploy|mixed-lock|failure|gap|no-sql|upgrade-dust|startup-refused|
                        startup-lost-connection|startup-1047|startup-1213 …] [--base 127.0.45]
       bbs-lab migrate --list

An alias of \`bbs-lab run\` for the migration scenarios: plays each story's shipped scenario file
(scenarios/migration-<story>.yaml, scenarios/upgrade-dust.yaml) on a real etcd, Galera and Consul
(the lab's own, or CONSUL_HTTP_ADDR's) into findings/runs/<id>-migrate-<story>/; one line per
acceptance check; exit 0 when all pass.
`,
  'bbs-node': `usage: bbs-lab bbs-node <node.json>

Runs one BBS node (bbs/node) as a process; the migration stories start these (see
lab/migration/bbs-node-child.ts for the config).
`,
  scale: `usage: bbs-lab scale <scale.yaml> [--out DIR]

Scale validation of the SQL BBS, as cloudfoundry/benchmarkbbs measures it: for each topology in the
file (one-node, galera-one-proxy, galera-every-node; etcd: the legacy store) start it, populate each size of desired
LRPs (seeded), and time each simulated cell's bulk loop, the bulkers' fetch-all and convergence over
several trials while the ordinary workload writes; writes README.md (the report), results.json and
charts/ into DIR (default findings/<name>/). See scenarios/scale.yaml and lab/scale/README.md.
Environment: BBS_LAB_ADDRESS_BASE (default 127.0.0) moves the clusters to another loopback network.
`,
  validate: `usage: bbs-lab validate <scenario.yaml>

Checks a scenario file and prints it with every default filled in; exit 2 with one line per problem.
`,
  check: `usage: bbs-lab check <run-dir | history file | directory>… [--model NAME] [--budget STEPS]
                     [--timeout DURATION] [--stop-at-first-failure] [--initial-value JSON]
                     [--consistency MODEL] [--json] [--export edn FILE]

Checks stored histories without a cluster: linearizability per key, BBS invariants, failed-but-
applied writes, and isolation of list-append transactions. Each argument is a run directory
(findings/runs/<id>), a history file (.jsonl, .json: the lab's format in docs/history-format.md;
.edn: Jepsen's history.edn), or a directory searched for them. One verdict line per history, then
a total when there are several; a run directory also gets check.json with every detail.
  --model NAME          check every keyed op against this model (register, cas-register, kv, set,
                        append-kv, or a BBS one) instead of the BBS specifications chosen by key
                        (Jepsen register histories need one: their ops have no BBS key)
  --budget STEPS        search steps per key before its verdict is unknown (default 5,000,000)
  --timeout DURATION    wall-clock limit of the linearizability search (e.g. 30s, 2m), beside
                        --budget; what is left undecided when it passes is unknown (exit 3)
  --stop-at-first-failure
                        end the linearizability search at the first key found not linearizable,
                        as Porcupine does: the verdict is still INVALID (exit 1), the keys left
                        undecided are unknown ("stopped"); keys are searched in name order,
                        in rounds of growing budget
  --initial-value JSON  the register's value before any write, for --model register or cas-register
                        (default null; Knossos's own tests start at 0)
  --consistency MODEL   what list-append transactions are held to: strict-serializable (default;
                        dependencies plus real-time order), strong-session-serializable (plus each
                        process's order), serializable (dependencies only), as Elle defines them
  --json                print the whole report (several histories: a list of them)
  --export edn FILE     also write the history as Jepsen EDN to FILE (for Knossos and Elle); one
                        history only: with several, exit 2 before anything is checked

${EXIT_CODES_TEXT}
`,
  // INVESTIGATE_USAGE is defined further down, with the command.
  investigate: async () => INVESTIGATE_USAGE,
  selftest: async () => SELFTEST_USAGE(),
  report: `usage: bbs-lab report <run-dir>

Re-renders results.json, report.md, report.html and the charts of a stored run from its history
(after a checker changed), keeping what only the run knew: its interruption, how it started (warm or
cold) and its phase times.
`,
  'docker-engine': `usage: bbs-lab docker-engine [--socket PATH | --tcp PORT] [--subnets 127.0.100-127.0.109]

Runs the lab's Docker-compatible engine in the foreground (for machines without Docker); prints its
DOCKER_HOST; Ctrl-C stops all it started.
`,
  cleanup: `usage: bbs-lab cleanup [--force]

Stops processes and removes temp dirs, iptables chains, Toxiproxy proxies and containers left by a
lab that was killed (--force: also those of a lab that still runs).
`,
};

class UsageError extends Error {}

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

/** `takenOut`: options a command takes out of argv before this (e.g. `--export edn FILE`), listed in the message. */
function parseArgs(
  argv: string[],
  valued: string[],
  boolean: string[],
  takenOut: string[] = [],
): Parsed {
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
      throw new UsageError(
        `--${name}: unknown option; allowed: ${[...[...valued, ...boolean].map((x) => `--${x}`), ...takenOut].join(', ') || 'none'}`,
      );
    }
  }
  return { positional, flags };
}

function intFlag(p: Parsed, name: string, min: number): number | undefined {
  const v = p.flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === true || !Number.isInteger(n) || n < min)
    throw new UsageError(`--${name}: must be an integer ≥ ${min}, got ${String(v)}`);
  return n;
}

async function loadScenario(path: string | undefined) {
  const loaded = await loadScenarioFile(path);
  if (loaded.kind === 'migration')
    throw new UsageError(
      `${path}: a migration story (its \`migration:\` block); run it with \`bbs-lab run ${path}\``,
    );
  return loaded.scenario;
}

/**
 * A scenario file of either kind, loaded once: a `migration:` block makes it a migration story
 * (checked against the story registry), anything else a run scenario.
 */
async function loadScenarioFile(path: string | undefined) {
  if (!path)
    throw new UsageError('missing the scenario file, e.g. `bbs-lab run scenarios/quickstart.yaml`');
  if (!existsSync(path)) throw new UsageError(`${path}: no such file`);
  const [{ loadScenarioYaml, validateScenario, validateMigrationScenario }, { isMigrationDoc }] =
    await Promise.all([import('../scenario/validate.ts'), import('../scenario/migration.ts')]);
  const doc = loadScenarioYaml(readFileSync(path, 'utf8'), path);
  if (!isMigrationDoc(doc)) return { kind: 'run' as const, scenario: validateScenario(doc, path) };
  const { STORIES } = await import('../migration/stories/index.ts');
  return { kind: 'migration' as const, scenario: validateMigrationScenario(doc, path, STORIES) };
}

function addressBaseFromEnv(): string {
  const addressBase = process.env.BBS_LAB_ADDRESS_BASE ?? '127.0.0';
  const problem = addressBaseProblem(addressBase);
  if (problem) throw new UsageError(`BBS_LAB_ADDRESS_BASE: ${problem}`);
  return addressBase;
}

async function cmdRun(argv: string[]): Promise<number> {
  const p = parseArgs(argv, ['seed', 'duration'], []);
  const loaded = await loadScenarioFile(p.positional[0]);
  if (loaded.kind === 'migration') {
    installSignalHandlers();
    const base = addressBaseFromEnv();
    const { runMigrationFile } = await import('../runner/migration-run.ts');
    const res = await runMigrationFile(loaded.scenario, {
      base: base === '127.0.0' ? '127.0.45' : base,
      log: (m) => process.stderr.write(`${m}\n`),
    });
    process.stdout.write(`${res.report}\n`);
    return res.ok ? 0 : 1;
  }
  const scenario = loaded.scenario;
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

/** "30s", "2m", "500ms", "1h" or bare seconds; null when it is none of these or not positive. */
function secondsOf(v: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(v);
  if (!m) return null;
  const n = Number(m[1]);
  const secs = m[2] === 'ms' ? n / 1000 : m[2] === 'm' ? n * 60 : m[2] === 'h' ? n * 3600 : n;
  return secs > 0 ? secs : null;
}

function cmdCheck(args: string[]): number {
  const { argv, exportEdn } = takeExportOption(args);
  const p = parseArgs(
    argv,
    ['model', 'budget', 'consistency', 'initial-value', 'timeout'],
    ['json', 'stop-at-first-failure'],
    ['--export edn FILE'],
  );
  if (p.positional.length === 0)
    throw new UsageError(
      'give one or more run directories or history files, e.g. `bbs-lab check findings/runs/<id>`',
    );
  const model = p.flags.get('model');
  const budgetFlag = p.flags.get('budget');
  const budget = typeof budgetFlag === 'string' ? Number(budgetFlag) : undefined;
  if (budget !== undefined && !(Number.isInteger(budget) && budget > 0))
    throw new UsageError(
      `--budget: must be a positive whole number of search steps, got ${JSON.stringify(budgetFlag)}`,
    );
  const consistency = p.flags.get('consistency');
  if (
    consistency !== undefined &&
    !(CONSISTENCY_MODELS as readonly unknown[]).includes(consistency)
  ) {
    throw new UsageError(
      `--consistency: must be one of ${CONSISTENCY_MODELS.join(', ')}, got ${JSON.stringify(consistency)}`,
    );
  }
  const initialFlag = p.flags.get('initial-value');
  let initialValue: unknown;
  if (typeof initialFlag === 'string') {
    try {
      initialValue = JSON.parse(initialFlag);
    } catch {
      throw new UsageError(
        `--initial-value: must be a JSON value such as 0, null or "x", got ${JSON.stringify(initialFlag)}`,
      );
    }
  }
  const timeoutFlag = p.flags.get('timeout');
  const timeoutSecs = typeof timeoutFlag === 'string' ? secondsOf(timeoutFlag) : undefined;
  if (timeoutSecs === null)
    throw new UsageError(
      `--timeout: must be a duration such as 30s, 2m or 500ms, got ${JSON.stringify(timeoutFlag)}`,
    );
  const { files, exitCode } = checkPaths(
    p.positional,
    {
      ...(timeoutSecs !== undefined ? { timeoutMs: timeoutSecs * 1000 } : {}),
      ...(p.flags.has('stop-at-first-failure') ? { stopAtFirstFailure: true } : {}),
      ...(initialValue !== undefined ? { initialValue } : {}),
      ...(typeof model === 'string' ? { model } : {}),
      ...(budget !== undefined ? { budget } : {}),
      ...(typeof consistency === 'string' ? { consistency: consistency as ConsistencyModel } : {}),
    },
    exportEdn !== undefined ? { exportEdn } : {},
  );
  const text = renderVerdicts(files);
  if (p.flags.has('json') && (files.length > 1 || files[0]!.report)) {
    process.stderr.write(text.stderr);
    process.stdout.write(renderJson(files, exitCode));
  } else {
    process.stderr.write(text.stderr);
    process.stdout.write(text.stdout);
  }
  return exitCode;
}

async function cmdCompare(argv: string[]): Promise<number> {
  const p = parseArgs(argv, ['configs', 'seed', 'duration', 'repeat', 'seeds'], []);
  const scenario = await loadScenario(p.positional[0]);
  const { CLIENT_CONFIG_NAMES: CLIENT_CONFIGS, clientConfig } = await import(
    '../client/configs/index.ts'
  );
  const raw = p.flags.get('configs');
  if (typeof raw !== 'string' || raw.trim() === '')
    throw new UsageError(`--configs: give a comma-separated list of ${CLIENT_CONFIGS.join(', ')}`);
  const configs = raw.split(',').map((c) => c.trim());
  const unknown = configs.filter((c) => !(CLIENT_CONFIGS as readonly string[]).includes(c));
  if (unknown.length > 0)
    throw new UsageError(
      `--configs: unknown configuration ${unknown.map((c) => JSON.stringify(c)).join(', ')}; known: ${CLIENT_CONFIGS.join(', ')}`,
    );
  // A configuration the scenario's topology cannot carry would fail its run half-way; say so now.
  const misfits = (configs as ClientConfig[]).flatMap(
    (c) => clientConfig(c).problem(scenario) ?? [],
  );
  if (misfits.length > 0) throw new UsageError(`--configs: ${misfits.join('; ')}`);
  const seed = intFlag(p, 'seed', 0);
  const duration = intFlag(p, 'duration', 1);
  const repeat = intFlag(p, 'repeat', 1);
  const rawSeeds = p.flags.get('seeds');
  let seeds: number[] | undefined;
  if (rawSeeds !== undefined) {
    seeds = typeof rawSeeds === 'string' ? rawSeeds.split(',').map((x) => Number(x.trim())) : [];
    if (seeds.length === 0 || seeds.some((x) => !Number.isSafeInteger(x) || x < 0))
      throw new UsageError(
        `--seeds: give a comma-separated list of non-negative integers, e.g. --seeds 1,2,3; got ${JSON.stringify(rawSeeds)}`,
      );
    if (new Set(seeds).size !== seeds.length)
      throw new UsageError(`--seeds: a seed is listed twice (${rawSeeds}); each seed once`);
    if (seed !== undefined || repeat !== undefined)
      throw new UsageError('--seeds: names every seed; drop --seed and --repeat');
  }
  installSignalHandlers();
  const { compareConfigs } = await import('../runner/compare.ts');
  const res = await compareConfigs(scenario, configs as ClientConfig[], {
    addressBase: addressBaseFromEnv(),
    ...(seed !== undefined ? { seed } : {}),
    ...(duration !== undefined ? { duration } : {}),
    ...(repeat !== undefined ? { repeat } : {}),
    ...(seeds ? { seeds } : {}),
  });
  process.stdout.write(`${res.report}\n`);
  return 0;
}

const INVESTIGATE_USAGE = `usage: bbs-lab investigate <campaign.yaml> [--budget 45m] [--seeds N] [--resume DIR] [--plan] [--fresh]
                           [--render] [--order-seed N] [--include-unkept] [--verify findings/<campaign>]
       bbs-lab investigate --metrics

  Runs every question of the campaign (each variant of its base scenario on each seed), one run
  at a time, seed by seed (every variant's first seed, then the second, …, shuffled within a
  seed), into findings/runs/<id>-investigate-<campaign>/; a scenario two questions share runs
  once. Writes findings/<campaign>/: README.md and index.html answering each question with
  medians and intervals over seeds and paired comparisons corrected over the whole campaign (Holm),
  one chart per question, the reproduction table of the campaign's claims, the provenance,
  findings.json.

  --budget D    fit the runs into D (e.g. 45m, 1h, 2400s): fewer seeds per variant, evenly, never
                below 2; if even that does not fit, the last questions are cut (the plan says so)
  --seeds N     run every question on N seeds per variant (the file's first N, then the next
                integers) instead of the counts the file asks; a resume keeps it
  --metrics     list every metric a question can name, with its unit and meaning, and exit
  --plan        print the plan (runs, seeds, estimated time) and exit
  --resume DIR  continue the campaign in DIR: finished runs are kept, an interrupted one is redone
                (without it, an unfinished campaign of the same name is resumed)
  --fresh       start a new campaign directory even when an unfinished one exists
  --render      rewrite findings/<campaign>/ from the runs already recorded (the newest campaign
                directory, or --resume DIR) after editing the campaign's summary, claims or
                metrics; runs nothing
  --order-seed N  seed the shuffle within each seed's block (default: the resumed campaign's, else
                one from the campaign's name); recorded in the command that regenerates it
  --include-unkept  count runs that could not keep their offered rate (left out by default, and
                listed)
  --verify DIR  re-run a sample of the committed findings in DIR (one seed per variant, or as many
                as --budget allows), print per figure whether it falls inside the committed
                interval, and record it in DIR/verification.json and the README's last section
`;

async function cmdInvestigate(argv: string[]): Promise<number> {
  const p = parseArgs(
    argv,
    ['budget', 'resume', 'order-seed', 'verify', 'seeds'],
    ['plan', 'fresh', 'render', 'include-unkept', 'help', 'metrics'],
  );
  if (p.flags.has('help')) {
    process.stdout.write(INVESTIGATE_USAGE);
    return 0;
  }
  if (p.flags.has('metrics')) {
    process.stdout.write((await import('../investigate/metrics.ts')).metricsListing());
    return 0;
  }
  const file = p.positional[0];
  if (!file)
    throw new UsageError(
      'give the campaign file, e.g. `bbs-lab investigate campaigns/charter-2016.yaml --budget 45m`',
    );
  const [{ loadCampaign }, { parseDuration }] = await Promise.all([
    import('../investigate/campaign.ts'),
    import('../scenario/validate.ts'),
  ]);
  const campaign = loadCampaign(file);
  const rawBudget = p.flags.get('budget');
  const budgetSec = typeof rawBudget === 'string' ? parseDuration(rawBudget) : null;
  if (rawBudget !== undefined && budgetSec === null)
    throw new UsageError(
      `--budget: must be a duration such as 45m, 1h or 2400s, got ${JSON.stringify(rawBudget)}`,
    );
  const resume = p.flags.get('resume');
  if (resume === true) throw new UsageError('--resume: needs the campaign directory');
  if (resume !== undefined && !existsSync(resume))
    throw new UsageError(`--resume: no such directory ${resume}`);
  const rawOrder = p.flags.get('order-seed');
  const orderSeed =
    typeof rawOrder === 'string' && /^\d+$/.test(rawOrder) ? Number(rawOrder) : undefined;
  if (rawOrder !== undefined && orderSeed === undefined)
    throw new UsageError(
      `--order-seed: must be a non-negative integer, got ${JSON.stringify(rawOrder)}`,
    );
  const rawSeeds = p.flags.get('seeds');
  const seeds =
    typeof rawSeeds === 'string' && /^\d+$/.test(rawSeeds) ? Number(rawSeeds) : undefined;
  if (rawSeeds !== undefined && (seeds === undefined || seeds < 1 || seeds > 100))
    throw new UsageError(
      `--seeds: must be a count of seeds per variant from 1 to 100, e.g. --seeds 6; got ${JSON.stringify(rawSeeds)}`,
    );
  const verify = p.flags.get('verify');
  if (typeof verify === 'string' && !existsSync(verify))
    throw new UsageError(
      `--verify: no such directory ${verify}; give the campaign's findings folder, e.g. findings/${campaign.name}`,
    );
  const addressBase = addressBaseFromEnv();
  installSignalHandlers();
  // Without options: the campaign adds the budget and order seed it uses (a resume keeps its own).
  const command = `node bin/bbs-lab.js investigate ${file}`;
  if (typeof verify === 'string') {
    const { verifyFindings } = await import('../investigate/verify-run.ts');
    await verifyFindings(campaign, verify, { budgetSec, command, addressBase });
    process.stdout.write(`${join(verify, 'verification.json')}\n`);
    return 0;
  }
  let campaignDir: string | null = null;
  // The runner's handler tears the run down and exits; this only says how to go on.
  process.on('SIGINT', () => {
    if (campaignDir)
      process.stderr.write(
        `investigate: interrupted; resume with: ${command} --resume ${campaignDir} (it keeps the budget and the order)\n`,
      );
  });
  const { investigate } = await import('../investigate/run.ts');
  const res = await investigate(campaign, {
    budgetSec,
    command,
    addressBase,
    ...(typeof resume === 'string' ? { resumeDir: resume } : {}),
    ...(p.flags.has('fresh') ? { fresh: true } : {}),
    ...(p.flags.has('plan') ? { planOnly: true } : {}),
    ...(p.flags.has('render') ? { renderOnly: true } : {}),
    ...(orderSeed !== undefined ? { orderSeed } : {}),
    ...(seeds !== undefined ? { seeds } : {}),
    ...(p.flags.has('include-unkept') ? { includeUnkept: true } : {}),
    log: (m) => {
      const dir = /^investigate: campaign directory (.+)$/.exec(m)?.[1];
      if (dir) campaignDir = dir;
      process.stderr.write(`${m}\n`);
    },
  });
  if (res.findingsDir) process.stdout.write(`${join(res.findingsDir, 'README.md')}\n`);
  return 0;
}

async function cmdValidate(argv: string[]): Promise<number> {
  const p = parseArgs(argv, [], []);
  const file = p.positional[0];
  const loaded = await loadScenarioFile(file);
  if (loaded.kind === 'migration') {
    process.stdout.write(`${file}: valid (migration story ${loaded.scenario.story})\n`);
    return 0;
  }
  process.stdout.write(`${file}: valid\n${JSON.stringify(loaded.scenario, null, 2)}\n`);
  return 0;
}

async function SELFTEST_USAGE(): Promise<string> {
  const { PLANT_NAMES } = await import('../../bbs/sql/plants.ts');
  return `usage: bbs-lab selftest [--plants a,b,…] [--seeds N] [--duration SECONDS]

Runs the unmutated store on seeds 1…N of the clean baseline (scenarios/multi-writer-baseline.yaml)
and of every scenario the chosen plants run on, and asserts no checker finds anything there, then
each planted bug on seeds 1…N on a short scenario that can reveal it (scenarios/selftest-one-node.yaml;
the commit-error plants on the baseline, which has 1213s at COMMIT; the commit-lost plants on
scenarios/selftest-commit-loss.yaml, whose connections are reset at COMMIT) and asserts it is found
on every seed. Prints a progress line per run and a detection
table (plant, kind, record type, scenario, seeds found / run, first detection, checkers).
  --plants a,b      only these plants (default: all): ${PLANT_NAMES.join(', ')}
  --seeds N         seeds per case (default 2)
  --duration S      workload seconds per run (default: each scenario's own, 10 s and 30 s)
Exit 0: baseline clean and every plant found; 1: not; 2: bad input.
Environment: BBS_LAB_ADDRESS_BASE (default 127.0.0) moves the runs to another loopback network.
`;
}

async function cmdSelftest(argv: string[]): Promise<number> {
  const p = parseArgs(argv, ['plants', 'seeds', 'duration'], []);
  if (p.positional.length > 0)
    throw new UsageError(`selftest takes no file, got ${JSON.stringify(p.positional[0])}`);
  const { PLANT_NAMES, plantListProblem } = await import('../../bbs/sql/plants.ts');
  const plantsFlag = p.flags.get('plants');
  if (plantsFlag === true) throw new UsageError('--plants: needs a value');
  const plants =
    plantsFlag === undefined
      ? [...PLANT_NAMES]
      : plantsFlag
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x !== '');
  const problem = plantListProblem(plants);
  if (problem) throw new UsageError(`--plants: ${problem}`);
  const seedCount = intFlag(p, 'seeds', 1) ?? 2;
  const duration = intFlag(p, 'duration', 1);
  const addressBase = addressBaseFromEnv();
  installSignalHandlers();
  const [{ runSelftest }, { seedsOf, selftestPlan }, { renderTable, selftestPasses, tableRows }] =
    await Promise.all([
      import('../selftest/run.ts'),
      import('../selftest/plan.ts'),
      import('../selftest/table.ts'),
    ]);
  const opts: Parameters<typeof runSelftest>[0] = {
    plants: plants as (typeof PLANT_NAMES)[number][],
    seeds: seedsOf(seedCount),
    addressBase,
    progress: (line) => process.stderr.write(`${line}\n`),
  };
  if (duration !== undefined) opts.duration = duration;
  const outcomes = await runSelftest(opts);
  const rows = tableRows(outcomes);
  process.stdout.write(renderTable(rows));
  const ok =
    selftestPasses(rows) && outcomes.length === selftestPlan(opts.plants, opts.seeds).length;
  process.stdout.write(
    ok
      ? 'selftest: passed (baseline clean, every plant found on every seed)\n'
      : 'selftest: FAILED (see the rows marked FAIL)\n',
  );
  return ok ? 0 : 1;
}

async function cmdScale(argv: string[]): Promise<number> {
  const p = parseArgs(argv, ['out'], []);
  const file = p.positional[0];
  if (!file)
    throw new UsageError('missing the scale scenario, e.g. `bbs-lab scale scenarios/scale.yaml`');
  if (p.positional.length > 1)
    throw new UsageError(`takes one scenario file, got also ${JSON.stringify(p.positional[1])}`);
  if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
  const [{ parseScaleScenario, ScaleScenarioError }, { runScale }] = await Promise.all([
    import('../scale/scenario.ts'),
    import('../scale/run.ts'),
  ]);
  let sc: ReturnType<typeof parseScaleScenario>;
  try {
    sc = parseScaleScenario(readFileSync(file, 'utf8'), file);
  } catch (e) {
    if (e instanceof ScaleScenarioError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const out =
    typeof p.flags.get('out') === 'string'
      ? (p.flags.get('out') as string)
      : join('findings', sc.name);
  const addressBase = addressBaseFromEnv();
  const command = ['bbs-lab scale', ...argv].join(' ');
  const r = await runScale(sc, {
    outDir: out,
    addressBase,
    command: addressBase === '127.0.0' ? command : `BBS_LAB_ADDRESS_BASE=${addressBase} ${command}`,
  });
  process.stdout.write(`${join(out, 'README.md')}\n`);
  // Every pool socket is destroyed when its target stops (lab/scale/topology.ts), so the process
  // ends as soon as this returns.
  return r.topologies.some((t) => t.error) ? 1 : 0;
}

async function cmdReport(argv: string[]): Promise<number> {
  const p = parseArgs(argv, [], []);
  const path = p.positional[0];
  if (!path || !existsSync(path) || !statSync(path).isDirectory())
    throw new UsageError(
      `report: give a run directory (findings/runs/<id>), got ${path ?? 'nothing'}`,
    );
  const scenarioPath = join(path, 'scenario.yaml');
  if (!existsSync(scenarioPath) || !existsSync(join(path, 'history.jsonl'))) {
    throw new UsageError(`${path}: not a run directory (needs scenario.yaml and history.jsonl)`);
  }
  const [{ parse }, { validateScenario }, { runDirPaths }] = await Promise.all([
    import('yaml'),
    import('../scenario/validate.ts'),
    import('../runner/run-dir.ts'),
  ]);
  const raw = parse(readFileSync(scenarioPath, 'utf8')) as { seed?: number };
  const scenario = validateScenario(raw, scenarioPath);
  const dir = runDirPaths(path, basename(path));
  const { rerenderRun } = await import('../report/write.ts');
  rerenderRun(dir, scenario, raw.seed ?? 0);
  process.stdout.write(`${dir.report}\n`);
  return 0;
}

async function cmdCleanup(argv: string[]): Promise<number> {
  const p = parseArgs(argv, [], ['force']);
  const chains = await removeLabChains({ force: p.flags.has('force') });
  for (const c of chains.removed) process.stdout.write(`removed iptables chain ${c}\n`);
  for (const c of chains.kept)
    process.stdout.write(
      `kept iptables chain ${c}: its lab (pid ${chainOwner(c)}) still runs; use --force to remove it anyway\n`,
    );
  // Before the owned temp dirs go: an SSH run's record there says what to undo on its hosts.
  const ssh = await (await import('../providers/ssh/cleanup.ts')).removeSshLeftovers({
    force: p.flags.has('force'),
  });
  for (const line of [
    ...ssh.removed.map((r) => `removed on ${r}`),
    ...ssh.kept.map((k) => `kept ${k}`),
    ...ssh.failed.map((f) => `could not clean up ${f}`),
  ])
    process.stdout.write(`${line}\n`);
  const before = findLeftOvers();
  for (const l of before) {
    if (l.ownerAlive && !p.flags.has('force')) continue;
    const gone = await removeRecordedProxies(l.dir);
    if (gone.length > 0)
      process.stdout.write(`removed Toxiproxy proxies ${gone.join(', ')} of ${l.dir}\n`);
  }
  const removed = removeLeftOvers({ force: p.flags.has('force') });
  const { removeDockerLeftovers } = await import('../providers/docker/provider.ts');
  const containers = await removeDockerLeftovers({ force: p.flags.has('force') });
  for (const c of containers) process.stdout.write(`removed Docker ${c}\n`);
  for (const r of removed)
    process.stdout.write(`removed ${r.dir} (${r.processes.length} process(es) killed)\n`);
  const kept = before.filter((b) => !removed.some((r) => r.dir === b.dir));
  for (const k of kept)
    process.stdout.write(
      `kept ${k.dir}: its lab (pid ${k.ownerPid}) still runs; use --force to remove it anyway\n`,
    );
  if (
    before.length === 0 &&
    chains.removed.length === 0 &&
    chains.kept.length === 0 &&
    containers.length === 0 &&
    ssh.removed.length + ssh.kept.length + ssh.failed.length === 0
  )
    process.stdout.write('nothing to clean up\n');
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  // `bbs-lab run … | head`: once the reader is gone the lab stops printing and goes on working.
  guardStandardOutput();
  const [cmd, ...rest] = argv;
  const help = cmd === undefined ? undefined : HELP[cmd];
  if (help !== undefined && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(await helpText(help));
    return 0;
  }
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
        return await (await import('./migrate.ts')).cmdMigrate(rest);
      case 'bbs-node': {
        if (!rest[0])
          throw new UsageError(
            'bbs-node: give the node config file, e.g. `bbs-lab bbs-node node.json`',
          );
        const { runBbsNodeChild } = await import('../migration/bbs-node-child.ts');
        // Exit at once with the node: its stdin and Consul client would keep the process alive.
        return process.exit(await runBbsNodeChild(rest[0]));
      }
      case 'validate':
        return await cmdValidate(rest);
      case 'scale':
        installSignalHandlers();
        return await cmdScale(rest);
      case 'investigate':
        return await cmdInvestigate(rest);
      case 'report':
        return await cmdReport(rest);
      case 'selftest':
        return await cmdSelftest(rest);
      case 'cleanup':
        return await cmdCleanup(rest);
      case 'docker-engine':
        installSignalHandlers();
        return await (await import('../docker-engine/cli.ts')).cmdDockerEngine(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        if (cmd === 'help' && rest[0] !== undefined && HELP[rest[0]] !== undefined) {
          process.stdout.write(await helpText(HELP[rest[0]]!));
          return 0;
        }
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
    if (cmd === 'check') return internalError(cmd, e);
    // Error classes of modules loaded on demand: loaded here only when something failed.
    const [
      { ScenarioError },
      { TargetError },
      { ClusterStartError },
      { CampaignError },
      { InvestigateInputError },
    ] = await Promise.all([
      import('../scenario/validate.ts'),
      import('../providers/external/target.ts'),
      import('../providers/local/cluster.ts'),
      import('../investigate/campaign.ts'),
      import('../investigate/run.ts'),
    ]);
    if (e instanceof ScenarioError) {
      process.stderr.write(
        `${e.file}: invalid scenario\n${e.problems.map((p) => `  ${p}`).join('\n')}\n`,
      );
      return 2;
    }
    if (e instanceof CampaignError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    if (e instanceof InvestigateInputError) {
      process.stderr.write(`bbs-lab ${cmd}: ${e.message}\n`);
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
    return internalError(cmd, e);
  }
}

function helpText(help: string | (() => Promise<string>)): Promise<string> | string {
  return typeof help === 'string' ? help : help();
}

/** An error no handler above knows: a bug of the lab (or of its environment). */
function internalError(cmd: string | undefined, e: unknown): number {
  if (process.env.BBS_LAB_DEBUG) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
  if (cmd === 'check') {
    // Exit 1 means "anomaly found": a failure of the lab itself must never read as a verdict.
    // check loads none of the other commands' modules, so it answers without loading them here.
    process.stderr.write(
      `bbs-lab check: internal error (a bug of bbs-lab): ${(e as Error)?.message ?? String(e)}\n`,
    );
    return EXIT.internal;
  }
  process.stderr.write(`bbs-lab ${cmd}: ${(e as Error)?.message ?? String(e)}\n`);
  return 1;
}
