// `bbs-lab run` of a scenario with topology.provider: docker (scenarios/docker-quick.yaml) on this
// machine, where no Docker engine answers: `engine: auto` starts the lab's own engine. The run
// ends in a report; its faults (a partition by network disconnect of the proxy's active node,
// a kill) are recorded and have their effect; nothing of the engine is left afterwards.
// Proxies on 127.0.58.x, the run's network on 127.0.59.0/24.

import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chainOwner, listLabChains } from '../../lab/network/iptables.ts';
import { dockerAvailable } from '../../lab/providers/docker/provider.ts';
import { labTempPath, processesMentioning, stopOnTeardown } from './helpers.ts';

const realEngine = await dockerAvailable();

// Where a real engine answers, engine: auto would use it: this test is about the lab's engine, so
// it is skipped there.
(realEngine ? test.skip : test)(
  "bbs-lab run of a docker scenario on the lab's engine ends in a report with its faults, and leaves nothing",
  async (t) => {
    const child = spawn(
      process.execPath,
      ['bin/bbs-lab.js', 'run', 'scenarios/docker-quick.yaml', '--duration', '24'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          BBS_LAB_ADDRESS_BASE: '127.0.58',
          BBS_LAB_ENGINE_SUBNETS: '127.0.59-127.0.59',
        },
      },
    );
    stopOnTeardown(t, child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    const report = stdout.trim();
    if (report !== '') t.teardown(() => rmSync(dirname(report), { recursive: true, force: true }));
    t.is(code, 0, stderr.split('\n').slice(-20).join('\n'));
    t.regex(stderr, /using the lab's Docker engine at unix:\/\//);
    t.true(existsSync(report), 'report.md');
    const dir = dirname(report);
    for (const f of ['results.json', 'history.jsonl', 'report.html', 'scenario.yaml'])
      t.true(existsSync(join(dir, f)), f);
    t.deepEqual(readdirSync(join(dir, 'logs')).sort(), ['n1.err', 'n2.err', 'n3.err']);
    t.true(
      statSync(join(dir, 'logs', 'n1.err')).size > 0,
      "a node's log is the container's output",
    );
    t.regex(
      readFileSync(join(dir, 'logs', 'n1.err'), 'utf8'),
      /\[Entrypoint\]: MariaDB init process done/,
    );

    const events = readFileSync(join(dir, 'history.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            type: string;
            phase?: string;
            kind?: string;
            fault?: string;
            detail?: { from?: string; to?: string; error?: string };
          },
      );
    const nemesis = events.filter((e) => e.type === 'nemesis');
    const started = nemesis.filter((e) => e.phase === 'start').map((e) => e.kind);
    t.deepEqual(started, ['partition', 'kill']);
    t.false(
      nemesis.some((e) => e.phase === 'stop' && e.detail?.error),
      'every fault started',
    );
    t.true(
      nemesis.some((e) => e.kind === 'proxy-active-changed' && e.detail?.from === 'n1'),
      'disconnecting n1 made it unhealthy: the proxy moved away from it',
    );
    t.true(
      events.some((e) => e.type === 'ok' && (e as { f?: string }).f === 'FinalRead'),
      'the final read ran on a whole cluster',
    );
    const md = readFileSync(report, 'utf8');
    // The answer opens with the fault and its measured outage (4 s in, 8 s long).
    t.regex(md, /partition isolate:n1 at 4\.\d s \(healed at 12\.\d s/);
    t.regex(md, /Checkers:/);

    const workDir = new RegExp(`work dir (${labTempPath('engine-')})`).exec(stderr)?.[1];
    t.truthy(workDir, 'the engine logged its work dir');
    t.false(existsSync(workDir!), "the engine's work dir is gone");
    t.deepEqual(processesMentioning(workDir!), []);
    t.deepEqual(
      (await listLabChains()).filter((c) => chainOwner(c) === child.pid),
      [],
      'no iptables chain of the run is left',
    );
  },
);
