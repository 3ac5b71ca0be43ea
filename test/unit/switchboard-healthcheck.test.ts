import test, { type ExecutionContext } from 'ava';
import { startHealthcheck, type HealthcheckHandle } from '../../lab/routing/healthcheck/server.ts';
import { startSwitchboard, type SwitchboardRule } from '../../lab/routing/switchboard/proxy.ts';
import { startFakeMysql, type FakeMysqlNode } from './healthcheck-fake-mysql.ts';
import { connectClient, startEchoBackend, waitFor } from './switchboard-fakes.ts';

// The contract between the two halves: switchboards polling real galera-healthcheck servers, each
// beside a fake Galera node (its MySQL) with an echo server standing in for the node's port 3306.

interface Node {
  name: string;
  mysql: FakeMysqlNode;
  hc: HealthcheckHandle;
  tcp: { host: string; port: number };
}

async function nodes(t: ExecutionContext, indexes: number[]): Promise<Node[]> {
  const out: Node[] = [];
  for (const [i, index] of indexes.entries()) {
    const name = `n${i + 1}`;
    const host = `127.0.3.${111 + i}`;
    const mysql = await startFakeMysql(host, {
      localState: 4,
      localIndex: String(index),
      readOnly: false,
    });
    t.teardown(() => mysql.stop());
    const hc = await startHealthcheck({
      name,
      listen: { host, port: 0 },
      mysql: { host, port: mysql.port, user: 'u', password: 'p' },
    });
    t.teardown(() => hc.stop());
    const echo = await startEchoBackend(name, host);
    t.teardown(() => echo.stop());
    out.push({ name, mysql, hc, tcp: { host, port: echo.port } });
  }
  return out;
}

async function proxy(
  t: ExecutionContext,
  ns: Node[],
  rule: SwitchboardRule,
  path: '/api/v1/status' | '/',
) {
  const p = await startSwitchboard({
    name: `proxy-${rule}`,
    listen: { host: '127.0.3.131', port: 0 },
    backends: ns.map((n) => ({ name: n.name, ...n.tcp, healthUrl: `${n.hc.baseUrl}${path}` })),
    rule,
    seed: 3,
    pollIntervalMs: 50,
    healthTimeoutMs: 2000,
  });
  t.teardown(() => p.stop());
  return p;
}

test('lowest-index on /api/v1/status: a Joining node loses active; a Donor keeps it (availableWhenDonor)', async (t) => {
  const ns = await nodes(t, [1, 0, 2]);
  const p = await proxy(t, ns, 'lowest-index', '/api/v1/status');
  t.is(p.activeBackend(), 'n2');
  ns[1]!.mysql.state.localState = 2;
  const polls = p.stats().polls;
  await waitFor('two more polls', () => p.stats().polls >= polls + 2);
  t.is(p.activeBackend(), 'n2', 'Donor/Desynced is healthy by default');
  const c = await connectClient(p.listen.host, p.listen.port);
  t.is(c.greeting, 'n2');
  ns[1]!.mysql.state.localState = 1;
  await waitFor('n1 (index 1) to become active', () => p.activeBackend() === 'n1');
  await waitFor('the n2 connection to be severed', () => c.isClosed());
});

test('lowest-index: the node whose MySQL is gone loses active; an override moves it too', async (t) => {
  const ns = await nodes(t, [0, 1]);
  const p = await proxy(t, ns, 'lowest-index', '/api/v1/status');
  t.is(p.activeBackend(), 'n1');
  await ns[0]!.mysql.stop();
  await waitFor('n2 to become active', () => p.activeBackend() === 'n2');
  ns[1]!.hc.setOverride('unhealthy');
  await waitFor('no active backend', () => p.activeBackend() === null);
  t.is((await connectClient(p.listen.host, p.listen.port)).greeting, null);
  ns[1]!.hc.setOverride(null);
  await waitFor('n2 back', () => p.activeBackend() === 'n2');
});

for (const path of ['/', '/api/v1/status'] as const) {
  test(`sticky-random reading ${path}: read-only makes the active node lose it, and it is not taken back`, async (t) => {
    const ns = await nodes(t, [0, 1, 2]);
    const p = await proxy(t, ns, 'sticky-random', path);
    const first = p.activeBackend()!;
    ns.find((n) => n.name === first)!.mysql.state.readOnly = true;
    await waitFor(
      'another node to become active',
      () => p.activeBackend() !== first && p.activeBackend() !== null,
    );
    const second = p.activeBackend();
    ns.find((n) => n.name === first)!.mysql.state.readOnly = false;
    await waitFor(
      'the first node healthy again',
      () => p.backends().find((b) => b.name === first)!.healthy,
    );
    const polls = p.stats().polls;
    await waitFor('three more polls', () => p.stats().polls >= polls + 3);
    t.is(p.activeBackend(), second);
  });
}
