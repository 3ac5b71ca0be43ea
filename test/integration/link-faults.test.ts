// Link faults through Toxiproxy on a real cluster: a black-holed client link turns ops into
// unknown outcomes (client timeouts) inside its window only, a dead switchboard backend link moves
// the proxy's traffic, and after the run no Toxiproxy proxy or toxic is left listening.

import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompletionEvent, NemesisEvent } from '../../lab/history/event.ts';
import { readHistory } from '../../lab/history/reader.ts';
import { runScenario } from '../../lab/runner/run.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';

const runsDir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-runs-'));
test.after.always(() => rmSync(runsDir, { recursive: true, force: true }));

const refused = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });

test('a black-holed client link gives unknown outcomes inside its window, and the links are gone afterwards', async (t) => {
  const s = parseScenario(`
name: link-test
question: what does a black hole do?
duration: 16s
topology: { nodes: 1, proxies: 1 }
clients: { count: 4, via: proxies, timeoutMs: 1500 }
workload: { tasks: 2, desiredLRPs: 1 }
nemesis:
  schedule:
    - { kind: link-timeout, target: client-proxy1, at: 4s, duration: 5s }
    - { kind: link-latency, target: proxy1-n1, at: 11s, duration: 3s, latencyMs: 100, jitterMs: 10 }
`);
  const res = await runScenario(s, {
    seed: 21,
    runsDir,
    addressBase: '127.0.20',
    log: (m) => t.log(m),
  });
  const { events } = readHistory(res.dir.history);
  const faults = events.filter(
    (e): e is NemesisEvent => e.type === 'nemesis' && (e.phase === 'start' || e.phase === 'stop'),
  );
  t.deepEqual(
    faults.map((f) => [f.kind, f.phase]),
    [
      ['link-timeout', 'start'],
      ['link-timeout', 'stop'],
      ['link-latency', 'start'],
      ['link-latency', 'stop'],
    ],
  );
  const [start, stop] = [faults[0]!.time, faults[1]!.time];
  const infos = events.filter((e): e is CompletionEvent => e.type === 'info');
  const inWindow = infos.filter((e) => e.time >= start && e.time <= stop + 2e9);
  t.true(inWindow.length > 0, 'ops ended unknown (timed out) while the link swallowed data');
  t.is(infos.length - inWindow.length, 0, 'and only then');
  const okAfter = events.filter((e) => e.type === 'ok' && e.time > stop + 2e9).length;
  t.true(okAfter > 20, `ops succeed again after the heal (${okAfter})`);
  const results = JSON.parse(readFileSync(join(res.dir.path, 'results.json'), 'utf8'));
  t.true(results.stats.errorsInFaults > 0);
  t.regex(readFileSync(res.dir.report, 'utf8'), /link-timeout client-proxy1/);
  t.true(await refused('127.0.20.31', 3306), 'the client link proxy is gone');
  t.true(await refused('127.0.20.41', 3306), 'the backend link proxy is gone');
});
