// Differential test of the whole `check` path (reader + linearizability checker) against a
// brute-force oracle written here: small cas-register histories with ok, info and fail ops, their
// events shuffled out of file order (every time consistent), judged by trying every order that
// respects real time.
//
// The rule (docs/history-format.md): events are ordered by `time`; op a precedes op b exactly when
// a completed strictly before b was invoked; equal instants are concurrent. `ok` ops take effect
// between invoke and completion, `fail` ops never, `info` ops at any point after their invoke or
// never (an info read constrains nothing).

import test from 'ava';
import fc from 'fast-check';
import { checkHistory } from '../../lab/checkers/index.ts';
import { parseHistory } from '../../lab/history/reader.ts';

type Input = { f: 'read' } | { f: 'write'; value: number } | { f: 'cas'; value: [number, number] };
interface GenOp {
  input: Input;
  outcome: 'ok' | 'info' | 'fail';
  /** An ok read's value or an ok cas's answer. */
  output: number | null | boolean;
  inv: number;
  ret: number;
}

/** Whether some order of the ops, respecting real time, is a legal cas-register run. */
function oracle(ops: readonly GenOp[]): boolean {
  const live = ops.filter(
    (o) => o.outcome === 'ok' || (o.outcome === 'info' && o.input.f !== 'read'),
  );
  const n = live.length;
  const must = live.map((o) => o.outcome === 'ok');
  const ret = live.map((o) => (o.outcome === 'ok' ? o.ret : Infinity));
  // before[b]: the ok ops that completed strictly before b was invoked.
  const before = live.map((b) =>
    live.map((_a, i) => (ret[i]! < b.inv ? i : -1)).filter((i) => i >= 0),
  );
  const placed = new Array<boolean>(n).fill(false);
  const okLeft = () => must.some((m, i) => m && !placed[i]);
  const step = (o: GenOp, state: number | null): [boolean, number | null] => {
    const i = o.input;
    if (i.f === 'write') return [true, i.value];
    if (i.f === 'read') return [o.output === state, state];
    const matches = state === i.value[0];
    if (o.outcome === 'info') return [matches, matches ? i.value[1] : state];
    if (o.output === true) return [matches, i.value[1]];
    return [!matches && o.output === false, state];
  };
  const search = (state: number | null): boolean => {
    if (!okLeft()) return true;
    for (let b = 0; b < n; b++) {
      if (placed[b] || !before[b]!.every((a) => placed[a])) continue;
      const [legal, next] = step(live[b]!, state);
      if (!legal) continue;
      placed[b] = true;
      const found = search(next);
      placed[b] = false;
      if (found) return true;
    }
    return false;
  };
  return search(null);
}

const value = fc.integer({ min: 0, max: 1 });
const genOp = fc
  .record({
    input: fc.oneof(
      fc.constant({ f: 'read' } as Input),
      value.map((v): Input => ({ f: 'write', value: v })),
      fc.tuple(value, value).map(([a, b]): Input => ({ f: 'cas', value: [a, b] })),
    ),
    outcome: fc.constantFrom<GenOp['outcome']>('ok', 'ok', 'ok', 'info', 'fail'),
    readOutput: fc.constantFrom<number | null>(null, 0, 1),
    casOutput: fc.boolean(),
    inv: fc.integer({ min: 0, max: 8 }),
    dur: fc.integer({ min: 1, max: 4 }),
  })
  .map(
    ({ input, outcome, readOutput, casOutput, inv, dur }): GenOp => ({
      input,
      outcome,
      output: input.f === 'read' ? readOutput : input.f === 'cas' ? casOutput : null,
      inv,
      ret: inv + dur,
    }),
  );

/** JSONL of the ops' events, in the given (shuffled) order. */
function historyText(ops: readonly GenOp[], order: readonly number[]): string {
  const events = ops.flatMap((o, id) => {
    const base = { op: id, process: id, f: o.input.f, key: 'k' };
    return [
      { type: 'invoke', ...base, value: o.input, time: o.inv },
      { type: o.outcome, ...base, ...(o.outcome === 'ok' ? { value: o.output } : {}), time: o.ret },
    ];
  });
  return `${order.map((i) => JSON.stringify(events[i])).join('\n')}\n`;
}

const historyArb = (distinctTimes: boolean) =>
  fc
    .array(genOp, { minLength: 1, maxLength: 6 })
    .map((ops) => {
      if (!distinctTimes) return ops;
      // Spread times so no two events share an instant; the order of distinct times is kept.
      let k = 0;
      return ops.map((o) => ({ ...o, inv: o.inv * 100 + k++, ret: o.ret * 100 + k++ }));
    })
    .chain((ops) =>
      fc.tuple(
        fc.constant(ops),
        fc.shuffledSubarray([...Array(ops.length * 2).keys()], {
          minLength: ops.length * 2,
          maxLength: ops.length * 2,
        }),
      ),
    );

function agrees(ops: readonly GenOp[], order: readonly number[]): boolean {
  const text = historyText(ops, order);
  const report = checkHistory(parseHistory(text, 'generated').events, {
    model: 'cas-register',
    budget: 1_000_000,
  });
  const lab = report.linearizability?.valid;
  const expected = oracle(ops);
  if (lab !== expected)
    throw new Error(`lab says ${String(lab)}, oracle ${expected}, for:\n${text}`);
  return true;
}

test('differential: shuffled events with distinct times, the lab agrees with the brute-force oracle', (t) => {
  fc.assert(
    fc.property(historyArb(true), ([ops, order]) => agrees(ops, order)),
    { numRuns: 1000, seed: 14 },
  );
  t.pass();
});

// Equal instants are concurrent: a completion and another op's invoke at the same time may be
// ordered either way. The smallest case: write 1 [0, 10], read null [10, 20] is linearizable.
test('differential: shuffled events with equal instants (concurrent), the lab agrees with the oracle', (t) => {
  fc.assert(
    fc.property(historyArb(false), ([ops, order]) => agrees(ops, order)),
    { numRuns: 1000, seed: 14 },
  );
  t.pass();
});
