// Client configurations on a real cluster behind two switchboard proxies, one proxy killed for a
// while: a client that knows one proxy is down with it; a client that resolves a name with both
// addresses, or holds both and fails over, keeps going. Asserted on the recorded history.

import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NemesisEvent } from '../../lab/history/event.ts';
import { readHistory } from '../../lab/history/reader.ts';
import { runScenario } from '../../lab/runner/run.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';

const runsDir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-runs-'));
test.after.always(() => rmSync(runsDir, { recursive: true, force: true }));

async function okDuringProxyLoss(
  config: string,
  base: string,
  log: (m: string) => void,
  lossSecs = 7,
): Promise<{ okInside: number; okBefore: number; firstOkAfterKillSec: number }> {
  const s = parseScenario(`
name: client-config-${config}
question: does the client survive losing a proxy?
duration: ${lossSecs + 5}s
topology: { nodes: 1, proxies: 2 }
clients: { count: 4, via: proxies, config: ${config}, timeoutMs: 2000 }
workload: { tasks: 2, desiredLRPs: 1 }
nemesis:
  schedule:
    - { kind: proxy-kill, target: proxy1, at: 3s, duration: ${lossSecs}s }
`);
  const res = await runScenario(s, { seed: 5, runsDir, addressBase: base, log });
  const { events } = readHistory(res.dir.history);
  const start = events.find(
    (e): e is NemesisEvent => e.type === 'nemesis' && e.phase === 'start',
  )!.time;
  const stop = events.find(
    (e): e is NemesisEvent => e.type === 'nemesis' && e.phase === 'stop',
  )!.time;
  const first = events.find((e) => e.type === 'invoke')!.time;
  const ok = events.filter((e) => e.type === 'ok');
  // A second of grace after the kill: in-flight ops and the first failed dials.
  const inside = ok.filter((e) => e.time > start + 1e9 && e.time < stop);
  return {
    okInside: inside.length,
    okBefore: ok.filter((e) => e.time >= first && e.time < start).length,
    firstOkAfterKillSec: inside.length > 0 ? (inside[0]!.time - start) / 1e9 : Infinity,
  };
}

test('single-proxy: no op succeeds while its one proxy is down', async (t) => {
  const r = await okDuringProxyLoss('single-proxy', '127.0.21', (m) => t.log(m));
  t.true(r.okBefore > 50, `it worked before (${r.okBefore})`);
  t.is(r.okInside, 0);
});

test('proxies-by-hostname: new connections go to the other proxy', async (t) => {
  const r = await okDuringProxyLoss('proxies-by-hostname', '127.0.22', (m) => t.log(m));
  t.true(r.okBefore > 50, `it worked before (${r.okBefore})`);
  t.true(r.okInside > 50, `ops succeed while proxy1 is down (${r.okInside})`);
});

test('multi-ip: the pool cluster fails over to the other proxy', async (t) => {
  const r = await okDuringProxyLoss('multi-ip', '127.0.23', (m) => t.log(m));
  t.true(r.okBefore > 50, `it worked before (${r.okBefore})`);
  t.true(r.okInside > 50, `ops succeed while proxy1 is down (${r.okInside})`);
});

test('consul-dns: the dead proxy fails its Consul check and DNS sends new connections to the other', async (t) => {
  const r = await okDuringProxyLoss('consul-dns', '127.0.28', (m) => t.log(m));
  t.true(r.okBefore > 50, `it worked before (${r.okBefore})`);
  t.true(r.okInside > 50, `ops succeed while proxy1 is down (${r.okInside})`);
});

/** ok writes per one-second window and node: how many windows had writes on more than one node. */
function multiNodeWriteSeconds(events: ReturnType<typeof readHistory>['events']): {
  windows: number;
  nodes: Set<string>;
} {
  const bySecond = new Map<number, Set<string>>();
  const nodes = new Set<string>();
  for (const e of events) {
    const c = e as { type: string; f?: string; node?: string; time: number };
    if (
      c.type !== 'ok' ||
      !c.node ||
      c.f === 'FinalRead' ||
      ['TaskByGuid', 'DesiredLRPByProcessGuid', 'ActualLRPByIndex'].includes(c.f ?? '')
    )
      continue;
    nodes.add(c.node);
    const sec = Math.floor(c.time / 1e9);
    if (!bySecond.has(sec)) bySecond.set(sec, new Set());
    bySecond.get(sec)!.add(c.node);
  }
  return { windows: [...bySecond.values()].filter((s) => s.size > 1).length, nodes };
}

test('leader-proxy: two proxies that disagree send writes to two nodes; with the Consul lock every write goes to one', async (t) => {
  const scenario = (config: string) =>
    parseScenario(`
name: leader-${config}
question: do writes reach two nodes?
duration: 8s
topology: { nodes: 3, proxies: 2, proxyRule: sticky-random }
clients: { count: 6, via: proxies, config: ${config} }
workload: { tasks: 3, desiredLRPs: 2 }
`);
  // Seed 1: the sticky-random proxies' first picks are n2 and n3 (seeds 1 and 2 of their draws).
  const plain = await runScenario(scenario('spread'), {
    seed: 1,
    runsDir,
    addressBase: '127.0.29',
    log: (m) => t.log(m),
  });
  const p = multiNodeWriteSeconds(readHistory(plain.dir.history).events);
  t.true(
    p.windows > 0,
    `plain proxies: writes on ${[...p.nodes].join(', ')} in the same second ${p.windows} times`,
  );
  const led = await runScenario(scenario('leader-proxy'), {
    seed: 1,
    runsDir,
    addressBase: '127.0.31',
    log: (m) => t.log(m),
  });
  const l = multiNodeWriteSeconds(readHistory(led.dir.history).events);
  t.is(l.windows, 0, 'never two nodes in the same second');
  t.is(l.nodes.size, 1, `every write on one node (${[...l.nodes].join(', ')})`);
});

test("leader-proxy: when the leader proxy dies, the other serves once the dead one's session lapses", async (t) => {
  const r = await okDuringProxyLoss('leader-proxy', '127.0.33', (m) => t.log(m), 28);
  t.true(r.okBefore > 50, `it worked before (${r.okBefore})`);
  t.true(r.okInside > 50, `ops succeed again while proxy1 is down (${r.okInside})`);
  // Consul invalidates a session only after up to twice its 10 s TTL; the takeover cannot be quick.
  t.true(
    r.firstOkAfterKillSec > 5,
    `the first success came ${r.firstOkAfterKillSec.toFixed(1)} s after the kill`,
  );
});
