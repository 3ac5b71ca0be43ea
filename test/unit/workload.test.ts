import test from 'ava';
import { parseScenario } from '../../lab/scenario/validate.ts';
import { FRESH_WINDOW, opStream } from '../../lab/workload/generator.ts';
import { keyOf, type BbsOp } from '../../bbs/ops.ts';

const s = parseScenario(`
name: t
question: q
duration: 5
topology: { nodes: 3 }
clients: { count: 2 }
workload: { tasks: 3, desiredLRPs: 2, instances: 2, cells: 2 }
`);

function take(it: Iterator<BbsOp>, n: number): BbsOp[] {
  const out: BbsOp[] = [];
  for (let i = 0; i < n; i++) out.push(it.next().value as BbsOp);
  return out;
}

test('the same seed gives the same stream for a client, across batches', (t) => {
  t.deepEqual(take(opStream(s.workload, 42, 0), 600), take(opStream(s.workload, 42, 0), 600));
});

test('clients and seeds get different streams', (t) => {
  t.notDeepEqual(take(opStream(s.workload, 42, 0), 50), take(opStream(s.workload, 42, 1), 50));
  t.notDeepEqual(take(opStream(s.workload, 42, 0), 50), take(opStream(s.workload, 43, 0), 50));
});

test('ops stay inside the small key space and cover every family', (t) => {
  const ops = take(opStream(s.workload, 7, 0), 2000);
  const keys = new Set(ops.map(keyOf).filter((k): k is string => k !== undefined));
  // 3 tasks + 2 desired + 2x2 actual + 2 bulker domains, and one fresh domain per FRESH_WINDOW ops
  const fresh = [...keys].filter((k) => k.startsWith('domain/fresh-'));
  t.true(keys.size - fresh.length <= 3 + 2 + 4 + 2);
  t.true(fresh.length > 0 && fresh.length <= Math.ceil(2000 / FRESH_WINDOW));
  for (const prefix of ['task/', 'desired/', 'actual/', 'domain/'])
    t.true(
      [...keys].some((k) => k.startsWith(prefix)),
      prefix,
    );
  const fs = new Set(ops.map((o) => o.f));
  for (const f of [
    'DesireTask',
    'StartTask',
    'CompleteTask',
    'ClaimActualLRP',
    'UpdateDesiredLRP',
    'TaskByGuid',
  ])
    t.true(fs.has(f as BbsOp['f']), f);
});

test('a family with weight 0 never appears', (t) => {
  const w = { ...s.workload, mix: { tasks: 1, desiredLRPs: 0, actualLRPs: 0, domains: 0 } };
  const ops = take(opStream(w, 1, 0), 500);
  t.true(ops.every((o) => keyOf(o)?.startsWith('task/')));
});

test('the BBS workload makes every traced written value unique in the run (results, annotations, reasons, placement errors)', async (t) => {
  const { readFileSync } = await import('node:fs');
  const { parseScenario } = await import('../../lab/scenario/validate.ts');
  const { bbsWorkload } = await import('../../lab/workload/bbs.ts');
  const { TRACED } = await import('../../lab/checkers/failed-applied.ts');
  const w = bbsWorkload(
    parseScenario(readFileSync('scenarios/multi-writer.yaml', 'utf8'), 'multi-writer.yaml'),
  );
  const seen = new Map<string, number>();
  const byOp = new Map<string, number>();
  for (const client of [0, 1, 2]) {
    const it = w.stream(7, client);
    for (let i = 0; i < 600; i++) {
      const op = it.next().value as { f: string; value: { args: Record<string, unknown> } };
      const tr = TRACED[op.f];
      if (!tr || (tr.when && !tr.when(op.value.args))) continue;
      const v = op.value.args[tr.arg] as string;
      seen.set(`${tr.field} ${v}`, (seen.get(`${tr.field} ${v}`) ?? 0) + 1);
      byOp.set(op.f, (byOp.get(op.f) ?? 0) + 1);
    }
  }
  t.true(
    [...seen.values()].every((n) => n === 1),
    'no value twice',
  );
  // Every traced write appears in 1,800 ops of the multi-writer mix.
  t.deepEqual([...byOp.keys()].sort(), Object.keys(TRACED).sort());
});
