// consul-dns-nodes on a real 3-node cluster: the most-written node is cut off; its
// galera-healthcheck turns it unhealthy, Consul's DNS stops naming it, and once the connections on
// it reach their lifetime the clients dial again and land on the other nodes. Asserted on the
// recorded history.

import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompletionEvent, NemesisEvent } from '../../lab/history/event.ts';
import { readHistory } from '../../lab/history/reader.ts';
import { runScenario } from '../../lab/runner/run.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';

const runsDir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-runs-'));
// A failed run's directory (history, node logs, report) is kept and its path logged, to see why.
let keep = Boolean(process.env.BBS_LAB_KEEP_TEST_RUNS);
test.afterEach.always((t) => {
  if (!t.passed) keep = true;
});
test.after.always(() => (keep ? undefined : rmSync(runsDir, { recursive: true, force: true })));

test('a client on the partitioned node moves to another node on its next dial', async (t) => {
  const s = parseScenario(`
name: consul-dns-nodes-move
question: does a client on a partitioned node move?
duration: 15s
topology: { nodes: 3, proxies: 0, failureDetection: fast }
clients: { count: 4, via: nodes, config: consul-dns-nodes, timeoutMs: 2000, connectionMaxLifetime: 1s }
workload: { tasks: 2, desiredLRPs: 1 }
nemesis:
  schedule:
    - { kind: partition, target: isolate:most-written, at: 3s, duration: 11s }
`);
  const res = await runScenario(s, {
    seed: 3,
    runsDir,
    addressBase: '127.0.170',
    log: (m) => t.log(m),
  });
  const { events } = readHistory(res.dir.history);
  const start = events.find((e): e is NemesisEvent => e.type === 'nemesis' && e.phase === 'start')!;
  const stop = events.find((e): e is NemesisEvent => e.type === 'nemesis' && e.phase === 'stop')!;
  const cut = (start.detail as { node: string }).node;
  const done = events.filter(
    (e): e is CompletionEvent =>
      (e.type === 'ok' || e.type === 'fail' || e.type === 'info') && e.f !== 'FinalRead',
  );
  // A client whose ops the cut-off node served just before the partition.
  const onCut = new Set(
    done
      .filter((e) => e.node === cut && e.time < start.time && e.time > start.time - 3e9)
      .map((e) => e.client),
  );
  t.true(onCut.size > 0, `some client was on ${cut} before the partition`);
  // Detection (fast: ~3 s), the check (1 s, watched: DNS moved 3.6–4.9 s after the start in three
  // runs), then the lifetime (1 s) of a connection dialled just before: 7 s is past all of them.
  const late = done.filter((e) => e.time > start.time + 7e9 && e.time < stop.time);
  t.deepEqual(
    late.filter((e) => e.node === cut).map((e) => `${e.type} ${e.f} client ${e.client}`),
    [],
    `no op served by ${cut} late in the partition`,
  );
  const moved = late.filter((e) => e.type === 'ok' && onCut.has(e.client));
  // At least one success: on a loaded machine a 4 s window may hold few ops.
  t.true(
    moved.length > 0,
    `clients that were on ${cut} succeed on ${[...new Set(moved.map((e) => e.node))].join(', ')} (${moved.length} ok)`,
  );
});
