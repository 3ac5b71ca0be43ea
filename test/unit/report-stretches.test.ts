import test from 'ava';
import fc from 'fast-check';
import { bbsStretches, MIN_GAP_SEC } from '../../lab/report/stretches.ts';

test('two stretches split by one lone success are one outage (1.4 s + 1.4 s = 2.8 s)', (t) => {
  // oks at 0.2, 0.5; nothing until a lone ok at 1.9; nothing until 3.3, 3.4; end 4.0.
  // Raw gaps: 0–0.2, 0.2–0.5, 0.5–1.9 (1.4), 1.9–3.3 (1.4), 3.3–3.4, 3.4–4.0.
  // The ok at 1.9 has 1.4 s without success on each side: lone, so 0.5–3.3 is one stretch of 2.8 s.
  const s = bbsStretches([0.2, 0.5, 1.9, 3.3, 3.4], 4);
  const long = s.filter((g) => g.sec >= 1);
  t.is(long.length, 1);
  t.is(long[0]!.from, 0.5);
  t.is(long[0]!.to, 3.3);
  t.is(Number(long[0]!.sec.toFixed(6)), 2.8);
  t.deepEqual(long[0]!.split, [1.9]);
});

test('a success with another success within a second is not lone: the stretches stay apart', (t) => {
  // oks at 1.0 and 1.5 between two long gaps: 0–1.0 (1 s), 1.0–1.5 (0.5 s), 1.5–3.0 (1.5 s).
  const s = bbsStretches([1.0, 1.5], 3);
  t.deepEqual(s, [
    { from: 0, to: 1, sec: 1 },
    { from: 1, to: 1.5, sec: 0.5 },
    { from: 1.5, to: 3, sec: 1.5 },
  ]);
});

test('two successes at the same instant are two successes, not a lone one', (t) => {
  // oks at 2.0 and 2.0: gaps 0–2 (2 s), 2–2 (0 s), 2–4 (2 s); the zero gap keeps them apart.
  const s = bbsStretches([2, 2], 4);
  t.deepEqual(s, [
    { from: 0, to: 2, sec: 2 },
    { from: 2, to: 4, sec: 2 },
  ]);
});

test('a chain of lone successes is one stretch', (t) => {
  // oks at 1, 2.5, 4 in a 6 s workload: every gap ≥ 1 s, so one stretch 0–6 split at all three.
  t.deepEqual(bbsStretches([1, 2.5, 4], 6), [{ from: 0, to: 6, sec: 6, split: [1, 2.5, 4] }]);
});

test('property: stretches tile [0, end], none shorter than a second sits beside a long one across a single ok, and the longest is at least the longest raw gap', (t) => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0, max: 20, noNaN: true }), { maxLength: 30 }), (raw) => {
      const oks = [...raw].sort((a, b) => a - b);
      const end = 20;
      const s = bbsStretches(oks, end);
      // Reference: the plain gaps between consecutive successes.
      const pts = [0, ...oks, end];
      const gaps = pts.slice(1).map((p, i) => p - pts[i]!);
      const longestRaw = Math.max(...gaps);
      const longest = Math.max(0, ...s.map((g) => g.sec));
      if (longest + 1e-9 < longestRaw) return false;
      const total = s.reduce((a, g) => a + g.sec, 0);
      if (Math.abs(total - end) > 1e-6) return false;
      for (let i = 1; i < s.length; i++)
        if (Math.abs(s[i]!.from - s[i - 1]!.to) > 1e-9) return false;
      // Two neighbouring long stretches would have been merged (they share one success).
      for (let i = 1; i < s.length; i++)
        if (s[i]!.sec >= MIN_GAP_SEC && s[i - 1]!.sec >= MIN_GAP_SEC) return false;
      return true;
    }),
  );
  t.pass();
});
