import test from 'ava';
import { keyOf, type BbsOp, type BbsResult } from '../../bbs/ops.ts';
import {
  computeReach,
  DOCUMENTED_TRANSITIONS,
  renderReachMarkdown,
  transitionOf,
} from '../../lab/report/reach.ts';
import { opStream, type WorkloadSpec } from '../../lab/workload/generator.ts';
import { pairOps, type HistoryEvent } from '../../lab/history/event.ts';
import { actualLRPOutcomes, type ActualLRPPossibility } from '../../specs/actual-lrp.ts';
import { desiredLRPStep, type DesiredLRPModelState } from '../../specs/desired-lrp.ts';
import { taskStep, type TaskModelState } from '../../specs/task.ts';
import { readFileSync } from 'node:fs';
import { parseScenario } from '../../lab/scenario/validate.ts';

/**
 * One op from the state the earlier ops left: its result, the state after, and what it found (for
 * the label).
 */
function simulate(
  state: Map<string, unknown>,
  op: BbsOp,
): { result: BbsResult; before: unknown } | null {
  const key = keyOf(op);
  if (key === undefined) return null;
  if (key.startsWith('task/')) {
    const s = (state.get(key) ?? null) as TaskModelState;
    const o = taskStep(s, op)!;
    state.set(key, o.next);
    return { result: o.result, before: s ? { ...s } : null };
  }
  if (key.startsWith('desired/')) {
    const s = (state.get(key) ?? { lrp: null, retired: [] }) as DesiredLRPModelState;
    const o = desiredLRPStep(s, op)!;
    state.set(key, o.next);
    return { result: o.result, before: s.lrp };
  }
  if (key.startsWith('actual/')) {
    const s = (state.get(key) ?? { lrp: null, retired: [] }) as ActualLRPPossibility;
    // The crash count decides CRASHED or UNCLAIMED; the first outcome is the one the store takes
    // first.
    const o = actualLRPOutcomes('per-state', s, op)![0]!;
    state.set(key, o.next);
    return { result: o.result, before: s.lrp };
  }
  return null;
}

const RARE = new Set(['CrashActualLRP RUNNING → CRASHED']);

function reached(
  w: WorkloadSpec,
  seed: number,
  clients: number,
  perClient: number,
): Map<string, number> {
  const streams = Array.from({ length: clients }, (_, c) => opStream(w, seed, c));
  const state = new Map<string, unknown>();
  const out = new Map<string, number>();
  for (let i = 0; i < perClient; i++) {
    for (const s of streams) {
      const op = s.next().value as BbsOp;
      const r = simulate(state, op);
      if (!r) continue;
      const label = transitionOf(
        keyOf(op)!,
        op.f,
        op.args as Record<string, unknown>,
        r.before,
        r.result,
      );
      out.set(label, (out.get(label) ?? 0) + 1);
    }
  }
  return out;
}

test('the generator with the multi-writer hot keys reaches every documented transition, refusals included', (t) => {
  const w = parseScenario(
    readFileSync('scenarios/multi-writer.yaml', 'utf8'),
    'multi-writer.yaml',
  ).workload;
  for (const [name, spec] of [
    ['multi-writer', w],
    [
      'quickstart',
      parseScenario(readFileSync('scenarios/quickstart.yaml', 'utf8'), 'quickstart.yaml').workload,
    ],
  ] as const) {
    // 8 clients × 500 ops each, interleaved round robin
    // and run one at a time through the specifications; on 3 seeds.
    // A crash loop (RUNNING → CRASHED) needs three crashes of one instance, each naming its
    // instance key, with no remove between: under the per-state rule it is rare, so it must be
    // reached on some seed, and every other transition on every seed.
    const someSeed = new Set<string>();
    for (const seed of [1, 2, 3]) {
      const got = reached(spec, seed, 8, 500);
      for (const x of got.keys()) someSeed.add(x);
      const missing = DOCUMENTED_TRANSITIONS.filter((x) => !got.has(x) && !RARE.has(x));
      t.deepEqual(missing, [], `${name} seed ${seed}: not reached: ${missing.join('; ')}`);
    }
    t.deepEqual(
      [...RARE].filter((x) => !someSeed.has(x)),
      [],
      `${name}: not reached on any seed`,
    );
  }
  // And the check can fail: with one cell no task op can come from a cell that does not own it.
  const oneCell = reached({ ...w, cells: 1 }, 1, 4, 500);
  t.false(oneCell.has('StartTask refused: not owner'));
  t.false(oneCell.has('CompleteTask refused: not owner'));
});

test('transition labels: a refusal from another cell, from the wrong state, and a plain transition', (t) => {
  const running = {
    taskGuid: 't',
    domain: 'd',
    state: 'RUNNING',
    cellId: 'cell-a',
    result: '',
    failed: false,
    failureReason: '',
  };
  t.is(
    transitionOf('task/t', 'StartTask', { cellId: 'cell-b' }, running, {
      error: 'InvalidStateTransition',
    }),
    'StartTask refused: not owner',
  );
  t.is(
    transitionOf('task/t', 'ResolvingTask', {}, running, { error: 'InvalidStateTransition' }),
    'ResolvingTask refused: wrong state',
  );
  t.is(
    transitionOf('task/t', 'CompleteTask', { cellId: 'cell-b' }, undefined, {
      error: 'RunningOnDifferentCell',
    }),
    'CompleteTask refused: not owner',
  );
  t.is(
    transitionOf('task/t', 'StartTask', { cellId: 'cell-a' }, null, {
      shouldStart: true,
      record: { ...running } as never,
    }),
    'StartTask absent → RUNNING',
  );
});

test('reach of a fixed history: outcomes per op, transitions from the state as last seen, refusals, missing', (t) => {
  const task = (state: string, cellId = '') => ({
    record: {
      taskGuid: 't',
      domain: 'd',
      state,
      cellId,
      result: '',
      failed: false,
      failureReason: '',
    },
  });
  // op 0 DesireTask ok (absent → PENDING); op 1 StartTask cell-a ok (PENDING → RUNNING, last seen
  // op 0 done at 2); op 2 StartTask cell-b refused (last seen op 1 RUNNING on cell-a: other cell);
  // op 3 StartTask fail (1213); op 4 ResolvingTask refused (RUNNING: wrong state); op 5 info.
  const steps: [
    string,
    Record<string, unknown>,
    'ok' | 'fail' | 'info',
    unknown,
    number,
    number,
  ][] = [
    ['DesireTask', { taskGuid: 't', domain: 'd' }, 'ok', task('PENDING'), 1, 2],
    [
      'StartTask',
      { taskGuid: 't', cellId: 'cell-a' },
      'ok',
      { shouldStart: true, ...task('RUNNING', 'cell-a') },
      3,
      4,
    ],
    [
      'StartTask',
      { taskGuid: 't', cellId: 'cell-b' },
      'ok',
      { error: 'InvalidStateTransition' },
      5,
      6,
    ],
    ['StartTask', { taskGuid: 't', cellId: 'cell-c' }, 'fail', undefined, 7, 8],
    ['ResolvingTask', { taskGuid: 't' }, 'ok', { error: 'InvalidStateTransition' }, 9, 10],
    ['CompleteTask', { taskGuid: 't', cellId: 'cell-a' }, 'info', undefined, 11, 12],
  ];
  const ev: HistoryEvent[] = [];
  steps.forEach(([f, args, type, value, a, b], op) => {
    ev.push({
      type: 'invoke',
      index: 0,
      time: a,
      op,
      process: op,
      client: 0,
      f,
      key: 'task/t',
      value: { f, args },
    });
    ev.push({
      type,
      index: 0,
      time: b,
      op,
      process: op,
      client: 0,
      f,
      key: 'task/t',
      value: value ?? { f, args },
    } as HistoryEvent);
  });
  const r = computeReach(pairOps(ev));
  t.deepEqual(r.ops, {
    DesireTask: { ok: 1, fail: 0, info: 0, unfinished: 0 },
    StartTask: { ok: 2, fail: 1, info: 0, unfinished: 0 },
    ResolvingTask: { ok: 1, fail: 0, info: 0, unfinished: 0 },
    CompleteTask: { ok: 0, fail: 0, info: 1, unfinished: 0 },
  });
  t.deepEqual(r.transitions, {
    'DesireTask absent → PENDING': 1,
    'StartTask PENDING → RUNNING': 1,
    'StartTask refused: not owner': 1,
    'ResolvingTask refused: wrong state': 1,
  });
  t.deepEqual(r.refusals, { absent: 0, exists: 0, 'not owner': 1, 'wrong state': 1 });
  // Only the families made count: DesireTask 1 of 2 documented reached (1 missing), StartTask 2 of
  // 5 (3 missing), ResolvingTask 1 of 2 (1 missing), CompleteTask 0 of 3 (3 missing): 1+3+1+3 = 8.
  t.is(r.missing.length, 8);
  t.true(r.missing.includes('CompleteTask RUNNING → COMPLETED'));
  t.false(
    r.missing.some((m) => m.startsWith('CancelTask')),
    'no CancelTask was made: not listed',
  );
  const md = renderReachMarkdown(r);
  t.true(md.includes('4 distinct transitions among the ops that ran to the end; 2 refused'));
  t.true(md.includes('| StartTask refused: not owner | 1 |'));
});

test('Domains reads, which have no key, are counted among the ops and as a read transition', (t) => {
  // op 0 UpsertDomain ok [0,1]; op 1 Domains ok [2,3]; op 2 Domains info [4,5]; op 3 Domains ok
  // [6,7].
  // Ops: UpsertDomain ok 1; Domains ok 2, info 1. Transitions (ok only): "UpsertDomain absent →
  // present" 1 (nothing seen before it) and "Domains read" 2.
  const ev: HistoryEvent[] = [];
  const steps: [string, 'ok' | 'info', unknown][] = [
    ['UpsertDomain', 'ok', { record: { domain: 'd', ttl: 30 } }],
    ['Domains', 'ok', { domains: ['d'] }],
    ['Domains', 'info', undefined],
    ['Domains', 'ok', { domains: [] }],
  ];
  steps.forEach(([f, type, value], op) => {
    const key = f === 'UpsertDomain' ? { key: 'domain/d' } : {};
    const args = f === 'UpsertDomain' ? { domain: 'd', ttl: 30 } : {};
    ev.push({
      type: 'invoke',
      index: 0,
      time: 2 * op,
      op,
      process: op,
      client: 0,
      f,
      ...key,
      value: { f, args },
    });
    ev.push({
      type,
      index: 0,
      time: 2 * op + 1,
      op,
      process: op,
      client: 0,
      f,
      ...key,
      value: value ?? { f, args },
    } as HistoryEvent);
  });
  const r = computeReach(pairOps(ev));
  t.deepEqual(r.ops, {
    UpsertDomain: { ok: 1, fail: 0, info: 0, unfinished: 0 },
    Domains: { ok: 2, fail: 0, info: 1, unfinished: 0 },
  });
  t.deepEqual(r.transitions, { 'UpsertDomain absent → present': 1, 'Domains read': 2 });
});

test('for LRPs the state a write found is the version before its own, not the last one seen', (t) => {
  const lrp = (state: string, index: number, cellId = '') => ({
    record: {
      processGuid: 'p',
      index: 0,
      domain: 'd',
      state,
      instanceGuid: cellId ? `${cellId}-i0` : '',
      cellId,
      placementError: '',
      crashCount: 0,
      crashReason: '',
      modificationTag: { epoch: 'E', index },
    },
  });
  const at = { processGuid: 'p', index: 0 };
  // op 0 Create [0,1] → UNCLAIMED E:0; op 1 Claim by a [2,3] → CLAIMED E:1; op 2 Start by b
  // invoked at 2.5, before the claim completed, → RUNNING E:2: last seen at 2.5 is UNCLAIMED (op
  // 0), but E:2 found E:1, CLAIMED. op 3 Claim by a again [3.5,4] → CLAIMED E:1, the version op 1
  // showed at 3: it changed nothing and found CLAIMED.
  const steps: [string, Record<string, unknown>, unknown, number, number][] = [
    ['CreateUnclaimedActualLRP', { ...at, domain: 'd' }, lrp('UNCLAIMED', 0), 0, 1],
    ['ClaimActualLRP', { ...at, cellId: 'a', instanceGuid: 'a-i0' }, lrp('CLAIMED', 1, 'a'), 2, 3],
    [
      'StartActualLRP',
      { ...at, cellId: 'b', instanceGuid: 'b-i0' },
      lrp('RUNNING', 2, 'b'),
      2.5,
      6,
    ],
    [
      'ClaimActualLRP',
      { ...at, cellId: 'a', instanceGuid: 'a-i0' },
      lrp('CLAIMED', 1, 'a'),
      3.5,
      4,
    ],
  ];
  const ev: HistoryEvent[] = [];
  steps.forEach(([f, args, value, a, b], op) => {
    ev.push({
      type: 'invoke',
      index: 0,
      time: a,
      op,
      process: op,
      client: 0,
      f,
      key: 'actual/p/0',
      value: { f, args },
    });
    ev.push({
      type: 'ok',
      index: 0,
      time: b,
      op,
      process: op,
      client: 0,
      f,
      key: 'actual/p/0',
      value,
    } as HistoryEvent);
  });
  t.deepEqual(computeReach(pairOps(ev)).transitions, {
    'CreateUnclaimedActualLRP absent → UNCLAIMED': 1,
    'ClaimActualLRP UNCLAIMED → CLAIMED': 1,
    'StartActualLRP CLAIMED → RUNNING': 1,
    'ClaimActualLRP CLAIMED → CLAIMED': 1,
  });
});
