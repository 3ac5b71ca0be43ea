// The route watch (lab/runner/route-watch.ts) writes a health or DNS event only when the answer
// changes, the first answer included (health before DNS within a poll); an unreadable health check
// counts as unhealthy.

import test from 'ava';
import { startRouteWatch } from '../../lab/runner/route-watch.ts';

test('events on change only: n1 healthy, healthy, unreadable, healthy; DNS n1,n2 then n2', async (t) => {
  const script: (boolean | null)[] = [true, true, null, true];
  const dnsScript = [['n2', 'n1'], ['n1', 'n2'], ['n2'], ['n2']];
  let i = 0;
  let j = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const events: { fault: string; kind: string; detail: unknown }[] = [];
  const watch = startRouteWatch({
    healthchecks: [
      {
        name: 'n1',
        status: async () => {
          const v = script[Math.min(i++, script.length - 1)]!;
          if (v === null) throw new Error('connect ECONNREFUSED');
          return { healthy: v, message: 'synced', localState: 4, localIndex: '0', override: null };
        },
      },
    ],
    passing: async () => dnsScript[Math.min(j++, dnsScript.length - 1)]!,
    writer: {
      append: (e) => {
        events.push(e as never);
        if (events.length === 5) done();
        return e as never;
      },
    },
    intervalMs: 1,
  });
  await finished;
  await watch.stop();
  t.deepEqual(
    events.map((e) => [e.fault, e.kind, e.detail]),
    [
      ['n1', 'health', { healthy: true, message: 'synced' }],
      ['consul', 'dns-answer', { passing: ['n1', 'n2'] }],
      ['n1', 'health', { healthy: false, message: 'connect ECONNREFUSED' }],
      ['consul', 'dns-answer', { passing: ['n2'] }],
      ['n1', 'health', { healthy: true, message: 'synced' }],
    ],
  );
});
