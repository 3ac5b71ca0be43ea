// The migration stories' history verdict (lab/migration/story-verdict.ts) on histories with known
// answers, both ways, including generated ones: a sequence of BBS calls served by legacy nodes then
// dual nodes over one store that may lose the keys written before a chosen moment (the gap).

import test from 'ava';
import fc from 'fast-check';
import type { HistoryEvent } from '../../lab/history/event.ts';
import { stepWindows } from '../../lab/runner/migration-run.ts';
import { FINAL_READS, storyVerdict } from '../../lab/migration/story-verdict.ts';
import { holdTimes } from '../../lab/migration/stories/kit.ts';
import { nextOp, readsOfAllKeys } from '../../lab/migration/workload.ts';
import { seededRng } from '../../lab/random/seeded-rng.ts';
import { keyOf, type BbsOp, type TaskRecord } from '../../bbs/ops.ts';

class Builder {
  events: HistoryEvent[] = [];
  private t = 0;
  private op = 0;
  /** A sequential call: invoke then its completion, 10 ms apart. */
  call(op: BbsOp, outcome: 'ok' | 'fail' | 'info', node: string, value?: unknown): this {
    const id = this.op++;
    const key = keyOf(op);
    this.push({ type: 'invoke', op: id, process: 0, client: 0, f: op.f, key, value: op });
    this.push({
      type: outcome,
      op: id,
      process: 0,
      client: 0,
      f: op.f,
      key,
      value: outcome === 'ok' ? value : op,
      node,
    });
    return this;
  }
  mark(kind: string): this {
    this.push({ type: 'nemesis', phase: 'event', fault: 'story', kind });
    return this;
  }
  wait(ms: number): this {
    this.t += ms * 1e6;
    return this;
  }
  private push(e: Record<string, unknown>): void {
    this.t += 10e6;
    this.events.push({ ...e, index: this.events.length, time: this.t } as unknown as HistoryEvent);
  }
}

const task = (guid: string): TaskRecord => ({
  taskGuid: guid,
  domain: 'cf-tasks',
  state: 'PENDING',
  cellId: '',
  result: '',
  failed: false,
  failureReason: '',
});
const desire = (guid: string): BbsOp =>
  ({ f: 'DesireTask', args: { taskGuid: guid, domain: 'cf-tasks' } }) as BbsOp;
const read = (guid: string): BbsOp => ({ f: 'TaskByGuid', args: { taskGuid: guid } }) as BbsOp;

test('a clean story: writes on legacy, then migrated and read on dual: valid, nothing lost', (t) => {
  const b = new Builder()
    .call(desire('a'), 'ok', 'legacy-1', { record: task('a') })
    .mark('stop legacy-1')
    .call(read('a'), 'fail', 'dual-2')
    .wait(2000)
    .call(desire('b'), 'ok', 'dual-2', { record: task('b') })
    .mark(FINAL_READS)
    .call(read('a'), 'ok', 'dual-2', { record: task('a') })
    .call(read('b'), 'ok', 'dual-2', { record: task('b') });
  const v = storyVerdict(b.events);
  t.is(v.checkers.valid, true);
  t.deepEqual(v.lostWrites, []);
  t.deepEqual(v.legacyAfterMigration, []);
  t.is(v.ops, 3);
  t.is(v.okOps, 2);
  t.true(v.longestOutageSec > 2 && v.longestOutageSec < 2.2, String(v.longestOutageSec));
});

test('the gap: a write a legacy node acknowledged is missing when a dual node serves again', (t) => {
  const b = new Builder()
    .call(desire('a'), 'ok', 'legacy-3', { record: task('a') })
    .call(desire('a'), 'ok', 'legacy-3', { error: 'ResourceExists' })
    .mark(FINAL_READS)
    .call(read('a'), 'ok', 'dual-4', { record: null });
  const v = storyVerdict(b.events);
  t.is(v.checkers.valid, false);
  t.deepEqual(v.lostWrites, [{ key: 'task/a', f: 'DesireTask', node: 'legacy-3', op: 0 }]);
});

test('a legacy node answering after a dual node served is reported; a failed or refused call is not', (t) => {
  const b = new Builder()
    .call(read('a'), 'ok', 'legacy-1', { record: null })
    .call(read('a'), 'ok', 'dual-2', { record: null })
    .call(read('a'), 'fail', 'legacy-3')
    .call(read('a'), 'ok', 'legacy-3', { record: null });
  const v = storyVerdict(b.events);
  t.deepEqual(v.legacyAfterMigration, [{ op: 3, f: 'TaskByGuid', node: 'legacy-3' }]);
  t.is(
    v.checkers.valid,
    true,
    'reads of nothing are linearizable: only the serving rule catches it',
  );
});

test('an unknown create that never shows up is not a lost write', (t) => {
  const b = new Builder()
    .call(desire('a'), 'info', 'legacy-1')
    .mark(FINAL_READS)
    .call(read('a'), 'ok', 'dual-2', { record: null });
  const v = storyVerdict(b.events);
  t.deepEqual(v.lostWrites, []);
  t.is(v.checkers.valid, true);
});

// Generated: a run of creates and reads over a few keys; the store is a map; at the migration
// point (an index into the run) a lossy migration forgets every key. The verdict must report lost
// writes exactly for the acknowledged keys the final reads find missing, and the checkers must
// reject the history exactly when the migration dropped some acknowledged key.
test('generated stories: lost writes are found exactly when a lossy migration dropped an acknowledged key', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ create: fc.boolean(), key: fc.integer({ min: 0, max: 3 }) }), {
        minLength: 1,
        maxLength: 30,
      }),
      fc.nat(),
      fc.boolean(),
      (calls, at, lossy) => {
        const cut = at % (calls.length + 1);
        const store = new Map<string, TaskRecord>();
        const b = new Builder();
        const createdBefore = new Set<string>();
        calls.forEach((c, i) => {
          if (i === cut && lossy) store.clear();
          const guid = `k${c.key}`;
          const node = i < cut ? 'legacy-1' : 'dual-2';
          if (c.create) {
            if (store.has(guid)) b.call(desire(guid), 'ok', node, { error: 'ResourceExists' });
            else {
              store.set(guid, task(guid));
              if (i < cut) createdBefore.add(guid);
              b.call(desire(guid), 'ok', node, { record: task(guid) });
            }
          } else b.call(read(guid), 'ok', node, { record: store.get(guid) ?? null });
        });
        if (cut === calls.length && lossy) store.clear();
        b.mark(FINAL_READS);
        for (let k = 0; k <= 3; k++)
          b.call(read(`k${k}`), 'ok', 'dual-2', { record: store.get(`k${k}`) ?? null });
        const v = storyVerdict(b.events);
        const lost = lossy ? [...createdBefore].filter((g) => !store.has(g)) : [];
        if (
          v.lostWrites
            .map((w) => w.key)
            .sort()
            .join() !==
          lost
            .map((g) => `task/${g}`)
            .sort()
            .join()
        )
          return false;
        // The checkers agree: every key is read at the end, so a dropped acknowledged create is a
        // linearizability violation (seen as a read of nothing, or as a second create succeeding).
        return v.checkers.valid === !(lossy && createdBefore.size > 0);
      },
    ),
    { numRuns: 300 },
  );
  t.pass();
});

test('step windows run from each stop, kill or killed migration to the next answer', (t) => {
  const b = new Builder()
    .call(read('a'), 'ok', 'legacy-1', { record: null })
    .mark('stop legacy-1')
    .mark('start a dual node')
    .call(read('a'), 'fail', 'dual-2')
    .call(read('a'), 'ok', 'dual-2', { record: null })
    .mark('dual-3 killed at after-copy');
  const w = stepWindows(b.events);
  t.is(w.length, 2);
  t.is(w[0]!.kind, 'stop legacy-1');
  t.true(w[0]!.end! > w[0]!.start);
  t.is(w[1]!.end, null, 'nothing answered after the last step');
});

test('the workload op stream is reproducible and its key window moves up', (t) => {
  const a = Array.from({ length: 50 }, (_, i) => nextOp(seededRng(9), i, 4, 'w-'));
  const b = Array.from({ length: 50 }, (_, i) => nextOp(seededRng(9), i, 4, 'w-'));
  t.deepEqual(a, b);
  const r = seededRng(3);
  const late = Array.from({ length: 100 }, () => keyOf(nextOp(r, 100, 4, 'w-'))!);
  t.true(
    late.every((k) => /w-(t|lrp)-10[0-3]/.test(k)),
    late.find((k) => !/w-(t|lrp)-10[0-3]/.test(k)),
  );
  t.is(readsOfAllKeys(3, 'w-').length, 12, 'a task, a desired LRP and two actual LRPs per key');
});

test('lock hold times come from the holder samples; the last holder holds it until now', (t) => {
  const samples = [
    { t: 1000, id: 'legacy-1' },
    { t: 1500, id: null },
    { t: 2500, id: 'legacy-3' },
    { t: 2600, id: 'dual-4' },
  ];
  t.deepEqual(holdTimes(samples, 9600), [
    { id: 'legacy-1', ms: 500 },
    { id: 'legacy-3', ms: 100 },
    { id: 'dual-4', ms: 7000 },
  ]);
});
