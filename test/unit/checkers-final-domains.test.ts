import test from 'ava';
import { checkInvariants } from '../../lab/checkers/invariants/index.ts';
import { ttlLeftRange } from '../../lab/checkers/invariants/final-read-domains.ts';
import { pairOps, type HistoryEvent } from '../../lab/history/event.ts';

const S = 1e9;

/**
 * Upserts of domain d: [ttl, invoke s, complete s, outcome]; then a final read at 11.0–11.2 s
 * listing `domains`.
 */
function history(
  upserts: [number, number, number, 'ok' | 'info' | 'fail'][],
  domains: { domain: string; ttl: number }[] | undefined,
) {
  const ev: HistoryEvent[] = [];
  upserts.forEach(([ttl, a, b, type], op) => {
    const value = { f: 'UpsertDomain', args: { domain: 'd', ttl } };
    ev.push({
      type: 'invoke',
      index: 0,
      time: a * S,
      op,
      process: op,
      client: op,
      f: 'UpsertDomain',
      key: 'domain/d',
      value,
    });
    ev.push({
      type,
      index: 0,
      time: b * S,
      op,
      process: op,
      client: op,
      f: 'UpsertDomain',
      key: 'domain/d',
      value: type === 'ok' ? { record: { domain: 'd', ttl } } : value,
    } as HistoryEvent);
  });
  const f = upserts.length;
  ev.push({ type: 'invoke', index: 0, time: 11 * S, op: f, process: f, client: 0, f: 'FinalRead' });
  ev.push({
    type: 'ok',
    index: 0,
    time: 11.2 * S,
    op: f,
    process: f,
    client: 0,
    f: 'FinalRead',
    value: { tasks: [], desiredLRPs: [], actualLRPs: [], ...(domains ? { domains } : {}) },
  });
  ev.sort((x, y) => x.time - y.time);
  return pairOps(ev.map((e, index) => ({ ...e, index })));
}

test('the time a domain has left: ttl minus the longest and the shortest gap between upsert and read', (t) => {
  // Upsert 1.0–1.1 s, read 11.0–11.2 s: the gap is 9.9 to 10.2 s. ttl 60 → 49.8 to 50.1 s left →
  // whole seconds 49 to 51. ttl 5 → -5.2 to -4.9: expired, 0. ttl 0 never expires: 0.
  const u = { invoke: 1 * S, complete: 1.1 * S };
  const r = { invoke: 11 * S, complete: 11.2 * S };
  t.deepEqual(ttlLeftRange(60, u, r), [49, 51]);
  t.deepEqual(ttlLeftRange(5, u, r), [0, 0]);
  t.deepEqual(ttlLeftRange(0, u, r), [0, 0]);
});

test('an acknowledged upsert missing from the final read, or with the wrong time left, is found; the right one is not', (t) => {
  const count = (ops: ReturnType<typeof history>) =>
    checkInvariants(ops).counts['acknowledged-write-lost'];
  t.is(count(history([[60, 1, 1.1, 'ok']], [{ domain: 'd', ttl: 50 }])), 0);
  t.is(count(history([[60, 1, 1.1, 'ok']], [])), 1, 'absent');
  t.is(
    count(history([[60, 1, 1.1, 'ok']], [{ domain: 'd', ttl: 60 }])),
    1,
    'expiry not the acknowledged one (60 s left after 10 s)',
  );
  t.is(
    count(history([[5, 1, 1.1, 'ok']], [{ domain: 'd', ttl: 0 }])),
    0,
    'expired, as it should be',
  );
  // The last upsert (ttl 30 at 2.0–2.1 s) is settled; a failed upsert after it changes nothing:
  // 30 - 9.2 = 20.8 to 30 - 8.9 = 21.1 → 20 to 22 s left.
  t.is(
    count(
      history(
        [
          [60, 1, 1.1, 'ok'],
          [30, 2, 2.1, 'ok'],
          [90, 3, 3.1, 'fail'],
        ],
        [{ domain: 'd', ttl: 21 }],
      ),
    ),
    0,
  );
  t.is(
    count(
      history(
        [
          [60, 1, 1.1, 'ok'],
          [30, 2, 2.1, 'ok'],
          [90, 3, 3.1, 'fail'],
        ],
        [{ domain: 'd', ttl: 80 }],
      ),
    ),
    1,
  );
  // An upsert of unknown outcome after it: not settled, nothing is claimed.
  t.is(
    count(
      history(
        [
          [60, 1, 1.1, 'ok'],
          [90, 3, 3.1, 'info'],
        ],
        [{ domain: 'd', ttl: 80 }],
      ),
    ),
    0,
  );
  // A final read from before domains were read claims nothing.
  t.is(count(history([[60, 1, 1.1, 'ok']], undefined)), 0);
});
