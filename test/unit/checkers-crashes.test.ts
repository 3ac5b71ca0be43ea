import test from 'ava';
import type { ActualLRPRecord, BbsResult } from '../../bbs/ops.ts';
import { checkCrashBookkeeping } from '../../lab/checkers/invariants/crashes.ts';
import { pairOps, type HistoryEvent } from '../../lab/history/event.ts';

const rec = (
  state: ActualLRPRecord['state'],
  crashCount: number,
  index: number,
  cellId = '',
): BbsResult => ({
  record: {
    processGuid: 'p',
    index: 0,
    domain: 'd',
    state,
    instanceGuid: cellId ? `${cellId}-i0` : '',
    cellId,
    placementError: '',
    crashCount,
    crashReason: crashCount ? 'x' : '',
    modificationTag: { epoch: 'E', index },
  },
});

/** Ops on actual/p/0 one after another (op i at 10i–10i+5), each answered with `out`. */
function history(steps: [string, BbsResult][]) {
  const ev: HistoryEvent[] = [];
  steps.forEach(([f, out], op) => {
    ev.push({
      type: 'invoke',
      index: 0,
      time: 10 * op,
      op,
      process: op,
      client: 0,
      f,
      key: 'actual/p/0',
      value: { f, args: { processGuid: 'p', index: 0 } },
    });
    ev.push({
      type: 'ok',
      index: 0,
      time: 10 * op + 5,
      op,
      process: op,
      client: 0,
      f,
      key: 'actual/p/0',
      value: out,
    });
  });
  return pairOps(ev.map((e, index) => ({ ...e, index })));
}

test('a well-kept crash history passes: counts 1 and 2 restart at once, the 3rd stays CRASHED', (t) => {
  // E:0 create, E:1 start on a, E:2 crash (1, UNCLAIMED), E:3 start, E:4 crash (2, UNCLAIMED),
  // E:5 start, E:6 crash (3, CRASHED), a read of it.
  const ok = history([
    ['CreateUnclaimedActualLRP', rec('UNCLAIMED', 0, 0)],
    ['StartActualLRP', rec('RUNNING', 0, 1, 'a')],
    ['CrashActualLRP', rec('UNCLAIMED', 1, 2)],
    ['StartActualLRP', rec('RUNNING', 1, 3, 'a')],
    ['CrashActualLRP', rec('UNCLAIMED', 2, 4)],
    ['StartActualLRP', rec('RUNNING', 2, 5, 'a')],
    ['CrashActualLRP', rec('CRASHED', 3, 6)],
    ['ActualLRPByIndex', rec('CRASHED', 3, 6)],
  ]);
  t.deepEqual(checkCrashBookkeeping(ok), []);
});

test('wrong bookkeeping is found: a crash counted twice, CRASHED too early, a count changed by a start', (t) => {
  // Crash from 1 (E:3, RUNNING) to 3: counted twice (ops 3 and 4).
  const twice = checkCrashBookkeeping(
    history([
      ['CreateUnclaimedActualLRP', rec('UNCLAIMED', 0, 0)],
      ['StartActualLRP', rec('RUNNING', 0, 1, 'a')],
      ['CrashActualLRP', rec('UNCLAIMED', 1, 2)],
      ['StartActualLRP', rec('RUNNING', 1, 3, 'a')],
      ['CrashActualLRP', rec('CRASHED', 3, 4)],
    ]),
  );
  t.deepEqual(
    twice.map((v) => v.ops),
    [[3, 4]],
  );
  t.is(
    twice[0]!.explanation,
    'CrashActualLRP (op 4) left 3 crashes on p/0, which had 1 (RUNNING) just before (op 3)',
  );
  // CRASHED at 1 crash: the crash's own result, and a read of it.
  const early = checkCrashBookkeeping(
    history([
      ['StartActualLRP', rec('RUNNING', 0, 0, 'a')],
      ['CrashActualLRP', rec('CRASHED', 1, 1)],
      ['ActualLRPByIndex', rec('CRASHED', 1, 1)],
    ]),
  );
  t.deepEqual(
    early.map((v) => v.ops),
    [[1], [2]],
  );
  // A start that reset the count.
  const reset = checkCrashBookkeeping(
    history([
      ['StartActualLRP', rec('RUNNING', 0, 0, 'a')],
      ['CrashActualLRP', rec('UNCLAIMED', 1, 1)],
      ['StartActualLRP', rec('RUNNING', 0, 2, 'a')],
    ]),
  );
  t.deepEqual(
    reset.map((v) => v.ops),
    [[1, 2]],
  );
  // A reset to 1 by a crash of a RUNNING instance is the documented reset after a long run:
  // allowed.
  t.deepEqual(
    checkCrashBookkeeping(
      history([
        ['StartActualLRP', rec('RUNNING', 2, 0, 'a')],
        ['CrashActualLRP', rec('UNCLAIMED', 1, 1)],
      ]),
    ),
    [],
  );
});
