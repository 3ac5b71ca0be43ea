import test from 'ava';
import { interpretHealthAnswer } from '../../lab/routing/switchboard/probe.ts';
import { pick, seededRng } from '../../lab/routing/switchboard/random.ts';
import {
  chooseActive,
  chooseLowestIndex,
  chooseSticky,
  initialStickyPick,
  type BackendHealth,
} from '../../lab/routing/switchboard/rules.ts';

const h = (name: string, healthy: boolean, index: number | null): BackendHealth => ({
  name,
  healthy,
  index,
});

test('lowest-index: the healthy backend with the lowest wsrep_local_index, whatever the list order', (t) => {
  const rng = seededRng(1);
  t.is(chooseLowestIndex([h('a', true, 2), h('b', true, 0), h('c', true, 1)], rng), 'b');
  t.is(chooseLowestIndex([h('a', true, 2), h('b', false, 0), h('c', true, 1)], rng), 'c');
  t.is(chooseLowestIndex([h('a', true, 2), h('b', false, 0), h('c', false, 1)], rng), 'a');
  t.is(chooseLowestIndex([h('a', false, 2), h('b', false, 0), h('c', false, 1)], rng), null);
  // Healthy but never reported an index: cannot be ranked, so not chosen.
  t.is(chooseLowestIndex([h('a', true, null), h('b', true, 5)], rng), 'b');
  t.is(chooseLowestIndex([], rng), null);
});

test('lowest-index: a tie is broken at random, reproducibly from the seed, and both can win', (t) => {
  const tie = [h('a', true, 0), h('b', true, 0), h('c', true, 3)];
  const run = (seed: number) => {
    const rng = seededRng(seed);
    return Array.from({ length: 20 }, () => chooseLowestIndex(tie, rng));
  };
  t.deepEqual(run(7), run(7));
  const seen = new Set(run(7));
  t.deepEqual([...seen].sort(), ['a', 'b'], 'only the tied lowest win, and each of them sometimes');
});

test('sticky: keeps the current backend while healthy, even when another has a lower index', (t) => {
  const rng = seededRng(3);
  t.is(chooseSticky('c', [h('a', true, 0), h('b', true, 1), h('c', true, 2)], rng), 'c');
  t.is(chooseActive('sticky-random', 'c', [h('a', true, 0), h('c', true, 2)], rng), 'c');
  t.is(chooseActive('lowest-index', 'c', [h('a', true, 0), h('c', true, 2)], rng), 'a');
});

test('sticky: when the current one is unhealthy (or there is none), a healthy one at random; none healthy → null', (t) => {
  const rng = seededRng(11);
  const picks = new Set<string | null>();
  for (let i = 0; i < 30; i++)
    picks.add(chooseSticky('a', [h('a', false, 0), h('b', true, 1), h('c', true, 2)], rng));
  t.deepEqual([...picks].sort(), ['b', 'c']);
  t.is(chooseSticky(null, [h('a', false, 0), h('b', true, 1)], rng), 'b');
  t.is(chooseSticky('a', [h('a', false, 0), h('b', false, 1)], rng), null);
});

test('sticky: the first pick is any backend at random, the same for the same seed', (t) => {
  const names = ['n1', 'n2', 'n3'];
  const firstPicks = Array.from({ length: 30 }, (_, seed) =>
    initialStickyPick(names, seededRng(seed)),
  );
  t.deepEqual(
    firstPicks,
    Array.from({ length: 30 }, (_, seed) => initialStickyPick(names, seededRng(seed))),
  );
  t.deepEqual(
    [...new Set(firstPicks)].sort(),
    names,
    'over 30 seeds every backend is sometimes first',
  );
});

test('seeded generator: reproducible, in [0, 1), and a one-element pick takes no draw', (t) => {
  const a = seededRng(42);
  const b = seededRng(42);
  const xs = Array.from({ length: 100 }, () => a());
  t.deepEqual(
    xs,
    Array.from({ length: 100 }, () => b()),
  );
  t.true(xs.every((x) => x >= 0 && x < 1));
  t.notDeepEqual(xs, Array.from({ length: 100 }, seededRng(43)));
  const c = seededRng(5);
  const d = seededRng(5);
  t.is(pick(['only'], c), 'only');
  t.is(c(), d(), 'no draw was consumed');
  t.is(pick([], c), null);
});

test('health answers, from Sep 2016 (lowest-index): JSON healthy and index from a 200, anything else unhealthy', (t) => {
  t.deepEqual(
    interpretHealthAnswer('lowest-index', {
      ok: true,
      status: 200,
      body: '{"wsrep_local_index":2,"healthy":true}',
    }),
    {
      healthy: true,
      index: 2,
      detail: 'healthy',
    },
  );
  t.deepEqual(
    interpretHealthAnswer('lowest-index', {
      ok: true,
      status: 200,
      body: '{"wsrep_local_index":0,"healthy":false}',
    }),
    {
      healthy: false,
      index: 0,
      detail: 'reported unhealthy',
    },
  );
  t.false(
    interpretHealthAnswer('lowest-index', {
      ok: true,
      status: 200,
      body: 'Galera Cluster Node Status: synced',
    }).healthy,
  );
  t.deepEqual(
    interpretHealthAnswer('lowest-index', { ok: true, status: 500, body: 'connection refused' }),
    { healthy: false, index: null, detail: 'HTTP 500' },
  );
  t.deepEqual(
    interpretHealthAnswer('lowest-index', { ok: false, error: 'no answer within 300 ms' }),
    {
      healthy: false,
      index: null,
      detail: 'no answer within 300 ms',
    },
  );
});

test('health answers, up to Aug 2016 (sticky-random): the status code, and a JSON healthy:false when it says so', (t) => {
  t.true(
    interpretHealthAnswer('sticky-random', {
      ok: true,
      status: 200,
      body: 'Galera Cluster Node Status: synced',
    }).healthy,
  );
  t.false(
    interpretHealthAnswer('sticky-random', {
      ok: true,
      status: 503,
      body: 'Galera Cluster Node Status: joining',
    }).healthy,
  );
  t.false(
    interpretHealthAnswer('sticky-random', {
      ok: true,
      status: 200,
      body: '{"wsrep_local_index":1,"healthy":false}',
    }).healthy,
  );
  t.true(
    interpretHealthAnswer('sticky-random', {
      ok: true,
      status: 200,
      body: '{"wsrep_local_index":1,"healthy":true}',
    }).healthy,
  );
  t.false(
    interpretHealthAnswer('sticky-random', { ok: false, error: 'connect ECONNREFUSED' }).healthy,
  );
});
