// When a fault is over: the pure decision (back to the pre-fault state) both ways, and the
// nemesis recording `recovered` after a heal, in the background, and never after stop().

import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryWriter } from '../../lab/history/writer.ts';
import { readHistory } from '../../lab/history/reader.ts';
import {
  startNemesis,
  type NemesisContext,
  type RecoveryProbe,
} from '../../lab/nemesis/nemesis.ts';
import { isBackTo, type SystemState } from '../../lab/runner/recovery.ts';

const before: SystemState = {
  up: ['n1', 'n2', 'n3'],
  proxies: [{ name: 'proxy1', active: 'n1', healthy: ['n1', 'n2', 'n3'], serving: true }],
};

test('back to the pre-fault state: every node up again and the proxy seeing them healthy, on a healthy backend', (t) => {
  t.true(isBackTo(before, before));
  // A killed n1 restarted but still joining: not up.
  t.false(isBackTo(before, { ...before, up: ['n2', 'n3'] }));
  // n1 Synced, but the proxy has not polled it healthy yet (so it has not moved back either).
  t.false(
    isBackTo(before, {
      up: ['n1', 'n2', 'n3'],
      proxies: [{ name: 'proxy1', active: 'n2', healthy: ['n2', 'n3'], serving: true }],
    }),
  );
  // The proxy sees n1 healthy; a sticky proxy may stay on n2: that is its rule's steady state.
  t.true(
    isBackTo(before, {
      up: ['n1', 'n2', 'n3'],
      proxies: [{ name: 'proxy1', active: 'n2', healthy: ['n1', 'n2', 'n3'], serving: true }],
    }),
  );
  // A killed proxy not started again, or one with no active backend.
  t.false(isBackTo(before, { up: before.up, proxies: [] }));
  t.false(
    isBackTo(before, {
      up: before.up,
      proxies: [{ name: 'proxy1', active: null, healthy: ['n1', 'n2', 'n3'], serving: true }],
    }),
  );
  // A leader-elected pair: before, proxy1 served; after, proxy2 holds the lock and serves: back.
  const leader: SystemState = {
    up: ['n1'],
    proxies: [
      { name: 'proxy1', active: 'n1', healthy: ['n1'], serving: true },
      { name: 'proxy2', active: 'n1', healthy: ['n1'], serving: false },
    ],
  };
  t.true(
    isBackTo(leader, {
      up: ['n1'],
      proxies: [
        { ...leader.proxies[0]!, serving: false },
        { ...leader.proxies[1]!, serving: true },
      ],
    }),
  );
  t.false(
    isBackTo(leader, {
      up: ['n1'],
      proxies: leader.proxies.map((p) => ({ ...p, serving: false })),
    }),
    'no proxy serving yet',
  );
  // A node that was already down before the fault need not come back for this fault to be over.
  t.true(isBackTo({ up: ['n2', 'n3'], proxies: [] }, { up: ['n2', 'n3'], proxies: [] }));
});

function context(dir: string, recovery: RecoveryProbe<string>) {
  const writer = new HistoryWriter(join(dir, 'history.jsonl'));
  const overrides: (string | null)[] = [];
  const ctx: NemesisContext = {
    cluster: { nodes: [] } as unknown as NemesisContext['cluster'],
    healthchecks: [
      {
        name: 'n1',
        setOverride: (s: string | null) => overrides.push(s),
      } as unknown as NemesisContext['healthchecks'][number],
    ],
    proxies: { names: () => [], kill: async () => {}, start: async () => {} },
    writer,
    seed: 1,
    log: () => {},
    recovery,
  };
  return { ctx, writer, overrides };
}

const nemesisEvents = (path: string) =>
  readHistory(path)
    .events.filter((e) => e.type === 'nemesis')
    .map((e) => [(e as { phase: string }).phase, (e as { kind: string }).kind]);

test('after a heal the nemesis records recovered once the probe says the state is back', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-recovery-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  let probes = 0;
  const seen: string[] = [];
  const { ctx, writer, overrides } = context(dir, {
    snapshot: async () => 'state-before',
    // Not back on the first two probes, back on the third.
    isBack: async (s) => {
      seen.push(s);
      return ++probes >= 3;
    },
  });
  const run = await startNemesis(
    [{ kind: 'health-flap', target: 'n1', at: 0, duration: 0.05 }],
    ctx,
  );
  await run.done;
  for (
    let i = 0;
    i < 200 && !nemesisEvents(writer.path).some(([p, k]) => p === 'event' && k === 'recovered');
    i++
  )
    await new Promise((r) => setTimeout(r, 50));
  await run.stop();
  writer.close();
  t.deepEqual(nemesisEvents(writer.path), [
    ['start', 'health-flap'],
    ['stop', 'health-flap'],
    ['event', 'recovered'],
  ]);
  t.deepEqual(overrides, ['unhealthy', null]);
  t.true(
    seen.every((s) => s === 'state-before'),
    'compared with the snapshot taken before the fault',
  );
  t.is(probes, 3);
});

test('stop() ends a recovery watch: nothing is recorded after it returns', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-recovery-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  let probes = 0;
  const { ctx, writer } = context(dir, {
    snapshot: async () => 's',
    isBack: async () => {
      probes++;
      return false;
    },
  });
  const run = await startNemesis(
    [{ kind: 'health-flap', target: 'n1', at: 0, duration: 0.05 }],
    ctx,
  );
  await run.done;
  for (let i = 0; i < 200 && probes === 0; i++) await new Promise((r) => setTimeout(r, 50));
  await run.stop();
  const after = probes;
  await new Promise((r) => setTimeout(r, 1200));
  writer.close();
  t.is(probes, after, 'no probe after stop()');
  t.deepEqual(nemesisEvents(writer.path), [
    ['start', 'health-flap'],
    ['stop', 'health-flap'],
  ]);
});
