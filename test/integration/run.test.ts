import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pairOps } from '../../lab/history/event.ts';
import { readHistory } from '../../lab/history/reader.ts';
import { runScenario } from '../../lab/runner/run.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';
import { processesMentioning, stopOnTeardown, waitFor } from './helpers.ts';

const runsDir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-runs-'));
test.after.always(() => rmSync(runsDir, { recursive: true, force: true }));

test('multi-writer: writes spread over 3 nodes meet 1213 certification failures, and every invoke has exactly one completion', async (t) => {
  const scenario = parseScenario(readFileSync('scenarios/multi-writer.yaml', 'utf8'));
  // Closed loop: in 8 s the offered rate makes too few ops for a 1213 on every seed.
  scenario.clients.rate = 'closed';
  const res = await runScenario(scenario, {
    duration: 8,
    seed: 1,
    runsDir,
    addressBase: '127.0.4',
    log: (m) => t.log(m),
  });
  const { events, warnings } = readHistory(res.dir.history);
  t.deepEqual(warnings, []);
  const invokes = events.filter((e) => e.type === 'invoke');
  const completions = events.filter(
    (e) => e.type === 'ok' || e.type === 'fail' || e.type === 'info',
  );
  t.true(invokes.length > 50, `ran ops (${invokes.length})`);
  // Exactly one completion per invoke, with the same op id and process.
  const byOp = new Map<number, number>();
  for (const c of completions)
    byOp.set((c as { op: number }).op, (byOp.get((c as { op: number }).op) ?? 0) + 1);
  t.is(completions.length, invokes.length);
  t.true([...byOp.values()].every((n) => n === 1));
  t.true(
    pairOps(events).every((o) => o.complete !== undefined && o.complete.process === o.process),
  );
  // Certification failures surface as 1213 when several nodes take writes of the same rows.
  const deadlocks = completions.filter(
    (c) => (c as { error?: { errno?: number } }).error?.errno === 1213,
  );
  t.true(deadlocks.length >= 1, `at least one 1213 (got ${deadlocks.length})`);
  // Ops were served by all three nodes, named by @@wsrep_node_name.
  const nodes = new Set(completions.map((c) => (c as { node?: string }).node).filter(Boolean));
  t.deepEqual([...nodes].sort(), ['n1', 'n2', 'n3']);
  // The run directory holds what the README promises.
  for (const f of ['scenario.yaml', 'seed', 'history.jsonl', 'results.json', 'report.md'])
    t.true(existsSync(join(res.dir.path, f)), f);
  t.deepEqual(readdirSync(res.dir.logs).sort(), ['n1.err', 'n2.err', 'n3.err']);
  const report = readFileSync(res.dir.report, 'utf8');
  t.regex(report, /1213 deadlock ×\d+/);
  t.true(
    events.some((e) => e.type === 'ok' && (e as { f: string }).f === 'FinalRead'),
    'a final read of the tables is recorded',
  );
});

test('a bad scenario gets the field-naming error and exit code 2, no stack trace', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'bad.yaml');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(
    file,
    'name: bad\nquestion: q\nduration: 5s\ntopology: { nodes: 4 }\nclients: { count: 2 }\n',
  );
  const child = spawn(process.execPath, ['bin/bbs-lab.js', 'run', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stopOnTeardown(t, child);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  t.is(code, 2);
  t.regex(stderr, /topology\.nodes: must be 1, 3 or 5, got 4/);
  t.notRegex(stderr, /\n\s+at /, 'no stack trace');
});

test('SIGINT during a run stops it, leaves no mariadbd and no temp dir, and still writes a report', async (t) => {
  const child = spawn(
    process.execPath,
    ['bin/bbs-lab.js', 'run', 'scenarios/quickstart.yaml', '--duration', '60'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BBS_LAB_ADDRESS_BASE: '127.0.6' },
    },
  );
  stopOnTeardown(t, child);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  await waitFor('the workload to start', () => /workload: \d+ clients/.test(stderr), 120_000);
  const workDir = /initialised \d+ datadir\(s\) under (\S+)/.exec(stderr)?.[1];
  t.truthy(workDir);
  t.true(processesMentioning(workDir!).length >= 3, 'the nodes run');
  await new Promise((r) => setTimeout(r, 2000));
  child.kill('SIGINT');
  const code = await exited;
  t.is(code, 130);
  t.deepEqual(processesMentioning(workDir!), [], 'no process of the cluster is left');
  t.false(existsSync(workDir!), 'temp dir removed');
  const runDir = /run directory: (\S+)/.exec(stderr)?.[1];
  t.truthy(runDir);
  const report = readFileSync(join(runDir!, 'report.md'), 'utf8');
  t.regex(report, /This run was interrupted/);
  const { events } = readHistory(join(runDir!, 'history.jsonl'));
  t.true(
    events.some((e) => e.type === 'ok'),
    'ops recorded before the interrupt are kept',
  );
  rmSync(runDir!, { recursive: true, force: true });
});

test('Ctrl-C in the middle of a pause, a partition and a link toxic heals all three and leaves nothing behind', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'faults.yaml');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(
    file,
    `name: faults-interrupted
question: is everything healed on Ctrl-C?
duration: 60s
topology: { nodes: 3, proxies: 1, failureDetection: fast }
clients: { count: 4, timeoutMs: 2000 }
workload: { tasks: 2, desiredLRPs: 1 }
nemesis:
  schedule:
    - { kind: pause, target: n3, at: 1s, duration: 50s }
    - { kind: partition, target: isolate:n2, at: 1s, duration: 50s }
    - { kind: link-latency, target: client-proxy1, at: 1s, duration: 50s, latencyMs: 50 }
`,
  );
  const child = spawn(process.execPath, ['bin/bbs-lab.js', 'run', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BBS_LAB_ADDRESS_BASE: '127.0.32' },
  });
  stopOnTeardown(t, child);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  await waitFor(
    'all three faults to start',
    () => (stderr.match(/nemesis: \S+ on /g) ?? []).length >= 3,
    120_000,
  );
  const workDir = /initialised \d+ datadir\(s\) under (\S+)/.exec(stderr)?.[1];
  const runDir = /run directory: (\S+)/.exec(stderr)?.[1];
  t.truthy(workDir && runDir);
  await new Promise((r) => setTimeout(r, 1000));
  child.kill('SIGINT');
  t.is(await exited, 130);
  t.deepEqual(processesMentioning(workDir!), [], 'no node is left, paused or not');
  const { execFileSync } = await import('node:child_process');
  t.notRegex(
    execFileSync('iptables', ['-S'], { encoding: 'utf8' }),
    new RegExp(`BBSLAB-${child.pid}-`),
    "no rule of the run's chain is left",
  );
  const { events } = readHistory(join(runDir!, 'history.jsonl'));
  const healed = events
    .filter((e) => e.type === 'nemesis' && (e as { phase: string }).phase === 'stop')
    .map((e) => (e as { kind: string }).kind);
  t.deepEqual(
    healed.sort(),
    ['link-latency', 'partition', 'pause'],
    'each fault has its heal recorded',
  );
  const net = await import('node:net');
  const refused = await new Promise<boolean>((resolve) => {
    const s = net.connect({ host: '127.0.32.31', port: 3306 });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
  t.true(refused, 'the Toxiproxy link is gone');
  rmSync(runDir!, { recursive: true, force: true });
});
