import test from 'ava';
import fc from 'fast-check';
import { checkDomainsReads } from '../../lab/checkers/invariants/domains-read.ts';
import { checkInvariants } from '../../lab/checkers/invariants/index.ts';
import { invariantsChecker } from '../../lab/checkers/invariants/checker.ts';
import { runCheckers } from '../../lab/checkers/index.ts';
import { pairOps, type HistoryEvent, type Op } from '../../lab/history/event.ts';

const S = 1e9;

type Outcome = 'ok' | 'info' | 'fail';
/**
 * An upsert [domain, ttl s, invoke s, complete s, outcome] or a Domains read ['read', invoke s,
 * complete s, listed].
 */
type Step = ['up', string, number, number, number, Outcome] | ['read', number, number, string[]];

function history(steps: readonly Step[]): Op[] {
  const ev: HistoryEvent[] = [];
  steps.forEach((st, op) => {
    if (st[0] === 'up') {
      const [, domain, ttl, a, b, type] = st;
      const value = { f: 'UpsertDomain', args: { domain, ttl } };
      const key = `domain/${domain}`;
      ev.push({
        type: 'invoke',
        index: 0,
        time: a * S,
        op,
        process: op,
        client: op,
        f: 'UpsertDomain',
        key,
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
        key,
        value: type === 'ok' ? { record: { domain, ttl } } : value,
      } as HistoryEvent);
    } else {
      const [, a, b, listed] = st;
      ev.push({
        type: 'invoke',
        index: 0,
        time: a * S,
        op,
        process: op,
        client: op,
        f: 'Domains',
        value: { f: 'Domains', args: {} },
      });
      ev.push({
        type: 'ok',
        index: 0,
        time: b * S,
        op,
        process: op,
        client: op,
        f: 'Domains',
        value: { domains: listed },
      });
    }
  });
  ev.sort((x, y) => x.time - y.time);
  return pairOps(ev.map((e, index) => ({ ...e, index })));
}

const flagged = (steps: readonly Step[], margin?: number) =>
  checkDomainsReads(history(steps), margin).map((v) => `${v.key} ${v.ops.join(',')}`);

test('a fresh domain missing from a Domains read is found, with the upsert and the read as evidence', (t) => {
  // Upsert of d, ttl 30, 1–2 s (ok); read 5–6 s. It ran at 1 s at the earliest: expires ≥ 31 s,
  // and 31 - 1 (margin) = 30 > 6: fresh for the whole read. Listed: fine; missing: found.
  t.deepEqual(
    flagged([
      ['up', 'd', 30, 1, 2, 'ok'],
      ['read', 5, 6, ['d']],
    ]),
    [],
  );
  t.deepEqual(
    flagged([
      ['up', 'd', 30, 1, 2, 'ok'],
      ['read', 5, 6, []],
    ]),
    ['domain/d 0,1'],
  );
  // Through checkInvariants, counted under its name.
  t.is(
    checkInvariants(
      history([
        ['up', 'd', 30, 1, 2, 'ok'],
        ['read', 5, 6, []],
      ]),
    ).counts['domains-read-wrong'],
    1,
  );
  // ttl 0 never expires: missing 100 s later is still found.
  t.deepEqual(
    flagged([
      ['up', 'd', 0, 1, 2, 'ok'],
      ['read', 100, 101, []],
    ]),
    ['domain/d 0,1'],
  );
});

test('an expired or never-upserted domain listed is found', (t) => {
  // ttl 3, upsert 1–2 s: expires by 2 + 3 = 5 s at the latest; + 1 s margin = 6 < 7 (read start).
  t.deepEqual(
    flagged([
      ['up', 'd', 3, 1, 2, 'ok'],
      ['read', 7, 8, ['d']],
    ]),
    ['domain/d 0,1'],
  );
  t.deepEqual(
    flagged([
      ['up', 'd', 3, 1, 2, 'ok'],
      ['read', 7, 8, []],
    ]),
    [],
  );
  // Never upserted at all, or only by an upsert invoked after the read completed (9 s > 8 s).
  t.deepEqual(flagged([['read', 7, 8, ['x']]]), ['domain/x 0']);
  t.deepEqual(
    flagged([
      ['read', 7, 8, ['d']],
      ['up', 'd', 30, 9, 10, 'ok'],
    ]),
    ['domain/d 0'],
  );
  // A failed upsert never took effect: listed anyway is found.
  t.deepEqual(
    flagged([
      ['up', 'd', 30, 1, 2, 'fail'],
      ['read', 7, 8, ['d']],
    ]),
    ['domain/d 1'],
  );
});

test('a domain within its uncertain window is not flagged either way', (t) => {
  // ttl 5, upsert 1–2 s: expires between 6 and 7 s. A read 6.5–6.8 s may see it fresh or not.
  t.deepEqual(
    flagged([
      ['up', 'd', 5, 1, 2, 'ok'],
      ['read', 6.5, 6.8, ['d']],
    ]),
    [],
  );
  t.deepEqual(
    flagged([
      ['up', 'd', 5, 1, 2, 'ok'],
      ['read', 6.5, 6.8, []],
    ]),
    [],
  );
  // Within the clock margin: expires ≥ 6 s, read ends at 5.5 s: 6 - 1 = 5 < 5.5, not surely fresh.
  t.deepEqual(
    flagged([
      ['up', 'd', 5, 1, 2, 'ok'],
      ['read', 5, 5.5, []],
    ]),
    [],
  );
  // ... but with no margin it is (6 > 5.5): the margin is what spares it.
  t.deepEqual(
    flagged(
      [
        ['up', 'd', 5, 1, 2, 'ok'],
        ['read', 5, 5.5, []],
      ],
      0,
    ),
    ['domain/d 0,1'],
  );
  // Expired by 7 s at the latest; read from 7.5 s: 7 + 1 > 7.5, spared by the margin.
  t.deepEqual(
    flagged([
      ['up', 'd', 5, 1, 2, 'ok'],
      ['read', 7.5, 8, ['d']],
    ]),
    [],
  );
  // An upsert still running when the read began (completes at 6 s > 5 s): may not be there yet.
  t.deepEqual(
    flagged([
      ['up', 'd', 30, 1, 6, 'ok'],
      ['read', 5, 5.5, []],
    ]),
    [],
  );
  // Of unknown outcome: may take effect any time, never surely fresh nor surely expired.
  t.deepEqual(
    flagged([
      ['up', 'd', 3, 1, 2, 'info'],
      ['read', 50, 51, ['d']],
    ]),
    [],
  );
  t.deepEqual(
    flagged([
      ['up', 'd', 3, 1, 2, 'info'],
      ['read', 50, 51, []],
    ]),
    [],
  );
});

test('a later upsert overwrites the expiry: a shorter ttl can make a domain expire, and the overwritten upsert is not evidence', (t) => {
  // ttl 300 at 1–2 s, then ttl 3 at 3–4 s: the row expires by 4 + 3 = 7 s; read at 10–11 s must not
  // list it.
  const steps: Step[] = [
    ['up', 'd', 300, 1, 2, 'ok'],
    ['up', 'd', 3, 3, 4, 'ok'],
  ];
  t.deepEqual(
    flagged([...steps, ['read', 10, 11, []]]),
    [],
    'not listed: right, though the first upsert alone would make it fresh',
  );
  t.deepEqual(
    flagged([...steps, ['read', 10, 11, ['d']]]),
    ['domain/d 1,2'],
    'listed: only the second upsert is the row the read can see',
  );
  // The two overlap (2nd begins 1.5 s, before the 1st completes): either may be last; not surely
  // expired.
  t.deepEqual(
    flagged([
      ['up', 'd', 300, 1, 2, 'ok'],
      ['up', 'd', 3, 1.5, 4, 'ok'],
      ['read', 10, 11, ['d']],
    ]),
    [],
  );
  t.deepEqual(
    flagged([
      ['up', 'd', 300, 1, 2, 'ok'],
      ['up', 'd', 3, 1.5, 4, 'ok'],
      ['read', 10, 11, []],
    ]),
    [],
  );
});

test('a history with Domains reads and upserts only is checked, not refused (the invariants own the keyless reads)', (t) => {
  const ops = history([
    ['up', 'd', 30, 1, 2, 'ok'],
    ['read', 5, 6, []],
  ]);
  t.true(invariantsChecker.appliesTo(ops[1]!, { history: ops, options: {}, forced: undefined }));
  const events = ops.flatMap((o) => [o.invoke, o.complete!]);
  const run = runCheckers(events);
  t.false(run.valid, 'the missing fresh domain is an anomaly');
  const clean = runCheckers(
    history([
      ['up', 'd', 30, 1, 2, 'ok'],
      ['read', 5, 6, ['d']],
    ]).flatMap((o) => [o.invoke, o.complete!]),
  );
  t.true(clean.valid);
});

// --- generated histories against a brute-force reference ------------------------------------
//
// The reference enumerates executions on a 1 s grid: each upsert that may have taken effect
// picks the time it read the clock (a) and its commit time (c, a ≤ c) within its interval (an
// info one also "never"; its interval runs to a horizon past every read), the read picks its
// server time s; the row at s is the upsert with the latest c < s (ties either way), fresh iff
// a + ttl > s. A domain is surely listed when every execution lists it, surely absent when none
// does. Endpoint times are distinct even seconds and TTLs odd, so no extreme ties: there the grid
// answers as the continuum does.

interface GenUp {
  start: number;
  end: number;
  ttl: number;
  type: Outcome;
}

function reference(
  ups: readonly GenUp[],
  r0: number,
  r1: number,
  horizon: number,
): { always: boolean; never: boolean } {
  const live = ups.filter((u) => u.type !== 'fail');
  let sawPresent = false;
  let sawAbsent = false;
  const choices = live.map((u) => {
    const hi = u.type === 'ok' ? u.end : horizon;
    const out: ({ a: number; c: number } | null)[] = u.type === 'ok' ? [] : [null];
    for (let a = u.start; a <= hi; a++) for (let c = a; c <= hi; c++) out.push({ a, c });
    return out;
  });
  const pick: ({ a: number; c: number } | null)[] = [];
  const visit = (i: number): boolean => {
    if (sawPresent && sawAbsent) return true;
    if (i < live.length) {
      for (const ch of choices[i]!) {
        pick[i] = ch;
        if (visit(i + 1)) return true;
      }
      return false;
    }
    for (let sr = r0; sr <= r1; sr++) {
      const before = pick
        .map((p, j) => ({ p, u: live[j]! }))
        .filter((x) => x.p !== null && x.p.c <= sr) as { p: { a: number; c: number }; u: GenUp }[];
      if (before.length === 0) {
        sawAbsent = true;
        continue;
      }
      // A commit at sr itself may fall either side of the read: with and without it.
      const sets = [before, before.filter((x) => x.p.c < sr)];
      for (const set of sets) {
        if (set.length === 0) {
          sawAbsent = true;
          continue;
        }
        const lastC = Math.max(...set.map((x) => x.p.c));
        for (const x of set.filter((y) => y.p.c === lastC)) {
          if (x.u.ttl === 0 || x.p.a + x.u.ttl > sr) sawPresent = true;
          else sawAbsent = true;
        }
      }
    }
    return sawPresent && sawAbsent;
  };
  visit(0);
  return { always: !sawAbsent, never: !sawPresent };
}

const genHistory = (maxUps: number) =>
  fc
    .record({
      ups: fc.array(
        fc.record({
          ttl: fc.integer({ min: 0, max: 4 }).map((k) => 2 * k + 1),
          type: fc.constantFrom<Outcome>('ok', 'ok', 'info', 'fail'),
        }),
        { minLength: 0, maxLength: maxUps },
      ),
      order: fc.array(fc.nat(99), { minLength: 8, maxLength: 8 }),
      listed: fc.boolean(),
    })
    .map(({ ups, order, listed }) => {
      // Distinct even endpoint times 0, 2, 4, …: the 2n endpoints of the n intervals (upserts,
      // then the read) laid out in an order the generator shuffles.
      const n = ups.length + 1;
      const pts = Array.from({ length: 2 * n }, (_, i) => i).sort(
        (x, y) => order[x]! * 100 + x - (order[y]! * 100 + y),
      );
      const at = new Map(pts.map((p, i) => [p, 2 * i]));
      const span = (i: number): [number, number] =>
        [at.get(2 * i)!, at.get(2 * i + 1)!].sort((p, q) => p - q) as [number, number];
      const g: GenUp[] = ups.map((u, i) => {
        const [start, end] = span(i);
        return { start, end, ttl: u.ttl, type: u.type };
      });
      const [r0, r1] = span(ups.length);
      // Past every endpoint (the last is 4n - 2): an info upsert may take effect up to here.
      return { ups: g, r0, r1, listed, horizon: 4 * n + 2 };
    });

function stepsOf(h: { ups: GenUp[]; r0: number; r1: number; listed: boolean }): Step[] {
  return [
    ...h.ups.map((u): Step => ['up', 'd', u.ttl, u.start, u.end, u.type]),
    ['read', h.r0, h.r1, h.listed ? ['d'] : []],
  ];
}

test('generated histories: every violation is one the reference proves (margin 0 and 1 s)', (t) => {
  let found = 0;
  fc.assert(
    fc.property(genHistory(3), (h) => {
      const ref = reference(h.ups, h.r0, h.r1, h.horizon);
      for (const margin of [0, S]) {
        const v = checkDomainsReads(history(stepsOf(h)), margin);
        if (v.length > 0) {
          found++;
          // Flagged listed ⇒ the reference says never; flagged missing ⇒ always.
          if (h.listed ? !ref.never : !ref.always) return false;
        }
      }
      return true;
    }),
    { numRuns: 400, seed: 17 },
  );
  t.true(found > 20, `the checker flagged ${found} generated histories (it can fail)`);
});

test('generated histories with one upsert: with no margin the checker flags exactly what the reference proves', (t) => {
  let found = 0;
  fc.assert(
    fc.property(genHistory(1), (h) => {
      const ref = reference(h.ups, h.r0, h.r1, h.horizon);
      const flaggedNow = checkDomainsReads(history(stepsOf(h)), 0).length > 0;
      if (flaggedNow) found++;
      const wrong = h.listed ? ref.never : ref.always;
      return flaggedNow === wrong;
    }),
    { numRuns: 500, seed: 23 },
  );
  t.true(found > 20, `${found} generated histories flagged`);
});
