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

async function okDuringProxyLoss(config: string, base: string, log: (m: string) => void): Promise<{ okInside: number; okBefore: number }> {
  const s = parseScenario(`
name: client-config-${config}
question: does the client survive losing a proxy?
duration: 12s
topology: { nodes: 1, proxies: 2 }
clients: { count: 4, via: proxies, config: ${config}, timeoutMs: 2000 }
workload: { tasks: 2, desiredLRPs: 1 }
nemesis:
  schedule:
    - { kind: proxy-kill, target: proxy1, at: 3s, duration: 7s }
`);
  const res = await runScenario(s, { seed: 5, runsDir, addressBase: base, log });
  const { events } = readHistory(res.dir.history);
  const start = events.find((e): e is NemesisEvent => e.type === 'nemesis' && e.phase === 'start')!.time;
  const stop = events.find((e): e is NemesisEvent => e.type === 'nemesis' && e.phase === 'stop')!.time;
  const first = events.find((e) => e.type === 'invoke')!.time;
  const ok = events.filter((e) => e.type === 'ok');
  // A second of grace after the kill: in-flight ops and the first failed dials.
  return { okInside: ok.filter((e) => e.time > start + 1e9 && e.time < stop).length, okBefore: ok.filter((e) => e.time >= first && e.time < start).length };
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
