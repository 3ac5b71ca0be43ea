// The generator draws each op in the argument shapes its real callers send
// (lab/workload/README.md), in the weights SHAPES gives, and the reach table counts the shapes a
// history's ops had.

import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import type { BbsOp } from '../../bbs/ops.ts';
import { FRESH_WINDOW, opStream } from '../../lab/workload/generator.ts';
import { SHAPES, shapeOf } from '../../lab/workload/shapes.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';
import { computeReach, renderReachMarkdown } from '../../lab/report/reach.ts';
import { pairOps, type HistoryEvent } from '../../lab/history/event.ts';

const w = parseScenario(
  readFileSync('scenarios/multi-writer.yaml', 'utf8'),
  'multi-writer.yaml',
).workload;

function take(it: Iterator<BbsOp>, n: number): BbsOp[] {
  return Array.from({ length: n }, () => it.next().value as BbsOp);
}

test('shapeOf names each shape from the arguments alone', (t) => {
  const at = { processGuid: 'p', index: 0 };
  t.is(
    shapeOf({ f: 'RemoveActualLRP', args: { ...at, instanceGuid: 'cell-a-i0', cellId: 'cell-a' } }),
    'instance key',
  );
  t.is(
    shapeOf({ f: 'RemoveActualLRP', args: { ...at, instanceGuid: '', cellId: '' } }),
    'empty instance key',
  );
  t.is(shapeOf({ f: 'RemoveActualLRP', args: at }), 'no key');
  t.is(shapeOf({ f: 'UpsertDomain', args: { domain: 'fresh-3', ttl: 5 } }), 'fresh domain');
  t.is(shapeOf({ f: 'UpsertDomain', args: { domain: 'cf-apps', ttl: 5 } }), 'bulker domain');
  t.is(
    shapeOf({ f: 'UpdateDesiredLRP', args: { processGuid: 'p', instances: 2, annotation: 'x' } }),
    'instances and annotation',
  );
  t.is(shapeOf({ f: 'UpdateDesiredLRP', args: { processGuid: 'p' } }), 'routes only');
  t.is(
    shapeOf({ f: 'UpdateDesiredLRP', args: { processGuid: 'p', instances: 2 } }),
    'instances only',
  );
  t.is(
    shapeOf({
      f: 'CompleteTask',
      args: { taskGuid: 't', cellId: 'c', failed: true, failureReason: 'r', result: 'x' },
    }),
    'failed',
  );
  t.is(shapeOf({ f: 'StartTask', args: { taskGuid: 't', cellId: 'c' } }), 'caller');
});

test('seeded: every shape is drawn, near its weight, and the same seed gives the same shapes', (t) => {
  const ops = [0, 1, 2].flatMap((c) => take(opStream(w, 5, c), 4000));
  for (const [f, shapes] of Object.entries(SHAPES)) {
    const mine = ops.filter((o) => o.f === f);
    const total = shapes!.reduce((a, s) => a + s.weight, 0);
    for (const s of shapes!) {
      const n = mine.filter((o) => shapeOf(o) === s.name).length;
      const share = n / mine.length;
      const expected = s.weight / total;
      // Within ±50% of its weight's share (a few hundred draws per op): drawn, and in proportion.
      t.true(
        n > 0 && share > expected * 0.5 && share < expected * 1.5,
        `${f}: ${s.name} ${n}/${mine.length} (expected share ${expected.toFixed(2)})`,
      );
    }
  }
  const again = [0, 1, 2].flatMap((c) => take(opStream(w, 5, c), 4000));
  t.deepEqual(again.map(shapeOf), ops.map(shapeOf));
});

test('the rep removes its own instance: an instance key names a cell and an instance guid of that cell', (t) => {
  const removes = take(opStream(w, 9, 0), 6000).filter(
    (o) => o.f === 'RemoveActualLRP' && shapeOf(o) === 'instance key',
  );
  t.true(removes.length > 10);
  for (const o of removes) {
    const a = o.args as { instanceGuid: string; cellId: string };
    t.true(a.instanceGuid.startsWith(`${a.cellId}-i`), JSON.stringify(a));
  }
});

test('fresh domains: every client names the k-th window alike, so first upserts of one new domain race across clients', (t) => {
  const streams = [0, 1, 2, 3].map((c) => take(opStream(w, 3, c), 2000));
  const byName = new Map<string, Set<number>>();
  streams.forEach((ops, c) => {
    ops.forEach((o, i) => {
      if (o.f !== 'UpsertDomain' || shapeOf(o) !== 'fresh domain') return;
      const d = (o.args as { domain: string }).domain;
      t.is(d, `fresh-${Math.floor(i / FRESH_WINDOW)}`);
      if (!byName.has(d)) byName.set(d, new Set());
      byName.get(d)!.add(c);
    });
  });
  const raced = [...byName.values()].filter((s) => s.size >= 2).length;
  t.true(raced >= 10, `fresh domains upserted by two or more clients: ${raced} of ${byName.size}`);
});

test('property: shapeOf is total over generated ops and names only shapes SHAPES lists (or the one-shape "caller")', (t) => {
  fc.assert(
    fc.property(fc.nat(1000), fc.nat(7), (seed, client) => {
      for (const o of take(opStream(w, seed, client), 200)) {
        const sh = shapeOf(o);
        const listed = SHAPES[o.f];
        if (listed ? !listed.some((s) => s.name === sh) : sh !== 'caller') return false;
      }
      return true;
    }),
    { seed: 27, numRuns: 40 },
  );
  t.pass();
});

test('the reach table counts shapes of a fixed history: invoked and ran to the end, and names shapes never sent', (t) => {
  // op 0 RemoveActualLRP with an instance key: ok; op 1 the same shape: fail; op 2 with no key: ok.
  // Invoked: instance key 2 (1 ok), no key 1 (1 ok); never sent: empty instance key.
  const at = { processGuid: 'p', index: 0 };
  const steps: [Record<string, unknown>, 'ok' | 'fail', unknown][] = [
    [{ ...at, instanceGuid: 'cell-a-i0', cellId: 'cell-a' }, 'ok', { record: null }],
    [{ ...at, instanceGuid: 'cell-b-i0', cellId: 'cell-b' }, 'fail', undefined],
    [at, 'ok', { error: 'ResourceNotFound' }],
  ];
  const ev: HistoryEvent[] = [];
  steps.forEach(([args, type, value], op) => {
    const f = 'RemoveActualLRP';
    ev.push({
      type: 'invoke',
      index: 0,
      time: 2 * op,
      op,
      process: op,
      client: 0,
      f,
      key: 'actual/p/0',
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
      key: 'actual/p/0',
      value: value ?? { f, args },
      ...(type === 'fail' ? { error: { errno: 1213, message: 'x' } } : {}),
    } as HistoryEvent);
  });
  const r = computeReach(pairOps(ev));
  t.deepEqual(r.shapes, {
    'RemoveActualLRP: instance key': { invoked: 2, ok: 1 },
    'RemoveActualLRP: no key': { invoked: 1, ok: 1 },
  });
  t.deepEqual(r.missingShapes, ['RemoveActualLRP: empty instance key']);
  const md = renderReachMarkdown(r);
  t.true(md.includes('| RemoveActualLRP: instance key | 2 | 1 |'));
  t.true(md.includes('never sent (nothing here is checked): RemoveActualLRP: empty instance key.'));
});
