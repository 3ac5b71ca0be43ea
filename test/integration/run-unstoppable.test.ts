// A run whose standard output and error are a pipe whose reader has exited (`bbs-lab run … 2>&1 |
// head`) must finish normally and silently, and SIGTERM must end a lab in that state, cleaning up.
// One Galera node per run on address base 127.0.180 (two short runs, one after the other).
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readHistory } from '../../lab/history/reader.ts';
import { findLeftOvers } from '../../lab/lifecycle/owned.ts';
import { killGroup } from '../../lab/lifecycle/processes.ts';
import { processesMentioning, waitFor } from './helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'bbs-lab-test-unstoppable-'));
test.after.always(() => rmSync(work, { recursive: true, force: true }));

function scenarioFile(name: string, duration: string): string {
  const file = join(work, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
question: does a run whose output pipe closes still end as it should?
duration: ${duration}
topology: { nodes: 1, proxies: 0 }
clients: { count: 2, via: nodes }
workload: { tasks: 2, desiredLRPs: 1 }
`,
  );
  return file;
}

interface Lab {
  child: ChildProcess;
  /** The merged output read before the pipe was closed. */
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Temp dirs this lab owned while it ran (seen by polling), to look for leftovers in. */
  ownedDirs: Set<string>;
}

/** Starts `bbs-lab run` with both outputs on pipes, and kills whatever is left in a teardown. */
function startLab(t: { teardown: (fn: () => void) => void }, file: string, base: string): Lab {
  const child = spawn(process.execPath, ['bin/bbs-lab.js', 'run', file, '--seed', '1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BBS_LAB_ADDRESS_BASE: base },
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  const ownedDirs = new Set<string>();
  const poll = setInterval(() => {
    for (const l of findLeftOvers()) if (l.ownerPid === child.pid) ownedDirs.add(l.dir);
  }, 200);
  void exited.then(() => clearInterval(poll));
  t.teardown(() => {
    clearInterval(poll);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const dir of ownedDirs) {
      for (const pid of processesMentioning(dir)) killGroup(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return { child, output: () => out, exited, ownedDirs };
}

/**
 * Closes the reading ends, as `head` does when it has its lines: the lab's next write gets EPIPE.
 */
function closeReader(lab: Lab): void {
  lab.child.stdout!.destroy();
  lab.child.stderr!.destroy();
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: not within ${ms / 1000} s`)), ms).unref(),
    ),
  ]);
}

test.serial(
  'a run whose output pipe closes after its first lines finishes normally and writes its whole run directory',
  async (t) => {
    const lab = startLab(t, scenarioFile('pipe-closed', '4s'), '127.0.180');
    await waitFor(
      'the run directory line',
      () => /run directory: \S+\n/.test(lab.output()),
      60_000,
    );
    const runDir = /run directory: (\S+)\n/.exec(lab.output())![1]!;
    t.teardown(() => rmSync(runDir, { recursive: true, force: true }));
    closeReader(lab);
    const { code } = await within(lab.exited, 120_000, 'the run to end');
    t.is(code, 0, 'the run ends as a finished run, not an interrupted or failed one');
    const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as {
      interrupted: string | null;
    };
    t.is(results.interrupted, null);
    const { events } = readHistory(join(runDir, 'history.jsonl'));
    t.true(
      events.some((e) => e.type === 'ok' && (e as { f: string }).f !== 'FinalRead'),
      'the workload ran',
    );
    t.true(
      events.some((e) => e.type === 'ok' && (e as { f: string }).f === 'FinalRead'),
      'the final read ran',
    );
    t.true(lab.ownedDirs.size >= 1, 'the cluster ran in a temp dir of the lab');
    for (const dir of lab.ownedDirs)
      t.deepEqual(processesMentioning(dir), [], `no process of ${dir} is left`);
  },
);

test.serial(
  'SIGTERM ends a lab whose output pipe has closed, within seconds, leaving no process and an interrupted report',
  async (t) => {
    const lab = startLab(t, scenarioFile('pipe-closed-sigterm', '60s'), '127.0.181');
    await waitFor(
      'the workload to start',
      () => /workload: \d+ clients/.test(lab.output()),
      90_000,
    );
    const runDir = /run directory: (\S+)\n/.exec(lab.output())![1]!;
    t.teardown(() => rmSync(runDir, { recursive: true, force: true }));
    const workDir = /initialised \d+ datadir\(s\) under (\S+)/.exec(lab.output())?.[1];
    t.truthy(workDir);
    closeReader(lab);
    // The workload's progress line (every 5 s) is the lab's next write: wait until it must have
    // failed.
    await new Promise((r) => setTimeout(r, 6000));
    t.is(lab.child.exitCode, null, 'the closed pipe alone did not stop the run');
    lab.child.kill('SIGTERM');
    const { code } = await within(lab.exited, 30_000, 'the lab to exit after SIGTERM');
    t.is(code, 143);
    t.deepEqual(processesMentioning(workDir!), [], 'no node of the cluster is left');
    const report = readFileSync(join(runDir, 'report.md'), 'utf8');
    t.regex(report, /This run was interrupted/);
    const { events } = readHistory(join(runDir, 'history.jsonl'));
    t.true(
      events.some((e) => e.type === 'ok'),
      'ops recorded before SIGTERM are kept',
    );
  },
);
