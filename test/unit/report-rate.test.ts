// The offered load read back from a history (lab/report/rate.ts), its words (rate-text.ts) and the
// machine's load (machine.ts), on small histories worked out by hand.

import test from 'ava';
import fc from 'fast-check';
import type { HistoryEvent } from '../../lab/history/event.ts';
import {
  computeRate,
  percentile,
  type RateRecord,
  type ScheduleDetail,
} from '../../lab/report/rate.ts';
import { machineSentence, notKeptNotice, rateSentence } from '../../lab/report/rate-text.ts';
import {
  cpuShares,
  parseCpuTimes,
  parseLoad1,
  parseMachineJsonl,
  summarizeMachine,
} from '../../lab/report/machine.ts';
import { takeSlot, slotTime, slotsBefore, type Grid } from '../../lab/workload/pacing.ts';

const S = 1e9; // the schedule's zero on the history clock (ns)
const at = (sec: number) => Math.round(S + sec * 1e9);

interface OpSpec {
  client: number;
  slot?: number;
  due?: number;
  invoke: number;
  end: number;
  type: 'ok' | 'fail' | 'info';
  attempts?: number;
}

/**
 * A history with its schedule event at S and, unless `interrupted`, its end event after the last
 * op.
 */
function history(
  detail: ScheduleDetail,
  ops: OpSpec[],
  nemesis: HistoryEvent[] = [],
  interrupted = false,
): HistoryEvent[] {
  const ev: HistoryEvent[] = [
    {
      index: 0,
      time: S,
      type: 'nemesis',
      phase: 'event',
      fault: 'workload',
      kind: 'schedule',
      detail,
    },
  ];
  if (!interrupted)
    ev.push({
      index: 0,
      time: at(Math.max(detail.durationSec, ...ops.map((o) => o.end))),
      type: 'nemesis',
      phase: 'event',
      fault: 'workload',
      kind: 'schedule-end',
    });
  ops.forEach((o, op) => {
    ev.push({
      index: 0,
      time: at(o.invoke),
      type: 'invoke',
      op,
      process: o.client,
      client: o.client,
      f: 'StartTask',
      ...(o.slot !== undefined ? { slot: o.slot, due: at(o.due!) } : {}),
    });
    ev.push({
      index: 0,
      time: at(o.end),
      type: o.type,
      op,
      process: o.client,
      client: o.client,
      f: 'StartTask',
      ...(o.attempts ? { attempts: o.attempts } : {}),
    });
  });
  return [...ev, ...nemesis].sort((a, b) => a.time - b.time).map((e, index) => ({ ...e, index }));
}

// 4 ops/s per client (interval 0.25 s), 2 clients for 2 s; client 0 from 0 s, client 1 from 0.1 s.
// Client 0's slots: 0, .25, .5, .75, 1, 1.25, 1.5, 1.75; client 1's: .1, .35, … 1.85: 16 in all.
const detail: ScheduleDetail = {
  ratePerClient: 4,
  clients: 2,
  durationSec: 2,
  offsetsSec: [0, 0.1],
};
const ops: OpSpec[] = [
  // Client 0. Slot 1's ok op takes until 0.9: slot 2 (0.5) is skipped behind it (missed: the op was
  // ok at its first attempt, outside any fault), slot 3 (0.75) is taken at once, due 0.9.
  { client: 0, slot: 0, due: 0, invoke: 0.001, end: 0.02, type: 'ok' },
  { client: 0, slot: 1, due: 0.25, invoke: 0.252, end: 0.9, type: 'ok' },
  // It fails at 0.95; the 500 ms backoff runs to 1.45: slot 4 (1.0) is paused, slot 5 (1.25) taken
  // then.
  { client: 0, slot: 3, due: 0.9, invoke: 0.902, end: 0.95, type: 'fail' },
  // Retried by the BBS (2 attempts) until 1.8: slot 6 (1.5) is held; slot 7 (1.75) taken at 1.8.
  { client: 0, slot: 5, due: 1.45, invoke: 1.46, end: 1.8, type: 'ok', attempts: 2 },
  { client: 0, slot: 7, due: 1.8, invoke: 1.805, end: 1.83, type: 'ok' },
  // Client 1. Slot 3's op runs into the fault (1.0–1.3 s): no skip (slot 4 at 1.1 is taken at
  // 1.15).
  { client: 1, slot: 0, due: 0.1, invoke: 0.1, end: 0.12, type: 'ok' },
  { client: 1, slot: 1, due: 0.35, invoke: 0.36, end: 0.4, type: 'ok' },
  { client: 1, slot: 2, due: 0.6, invoke: 0.6, end: 0.62, type: 'ok' },
  { client: 1, slot: 3, due: 0.85, invoke: 0.85, end: 1.15, type: 'ok' },
  // Unknown at 1.7: slots 5 (1.35) and 6 (1.6) held behind it, slot 7 (1.85) in its backoff; the
  // client is next ready at 2.2, after the end.
  { client: 1, slot: 4, due: 1.15, invoke: 1.15, end: 1.7, type: 'info' },
];
const fault: HistoryEvent[] = [
  {
    index: 0,
    time: at(1.0),
    type: 'nemesis',
    phase: 'start',
    fault: 'f1',
    kind: 'kill',
    detail: { target: 'n1' },
  },
  { index: 0, time: at(1.2), type: 'nemesis', phase: 'stop', fault: 'f1', kind: 'kill' },
  { index: 0, time: at(1.3), type: 'nemesis', phase: 'event', fault: 'f1', kind: 'recovered' },
];

test('a paced run, by hand: slots issued, missed, held and paused, the start delays, and the verdict', (t) => {
  const r = computeRate(history(detail, ops, fault), { backoffMs: 500 })!;
  t.is(r.offeredPerClient, 4);
  t.is(r.offered, 8);
  t.is(r.spanSec, 2);
  t.is(r.achieved, 5); // 10 ops in 2 s
  t.deepEqual(r.slots, { scheduled: 16, issued: 10, missed: 1, held: 3, paused: 2 });
  // Start delays (ms): client 0: 1, 2, 2, 10, 5; client 1: 0, 10, 0, 0, 0. Sorted: 0 0 0 0 1 2 2 5
  // 10 10.
  t.deepEqual(
    r.lagMs && {
      p50: Math.round(r.lagMs.p50),
      p99: Math.round(r.lagMs.p99),
      max: Math.round(r.lagMs.max),
    },
    { p50: 2, p99: 10, max: 10 },
  );
  // Judged: 16 − 3 held − 2 paused = 11 slots, 1 missed: 9.1% > 5%.
  t.is(r.judged!.slots, 11);
  t.is(r.judged!.missedShare, 1 / 11);
  t.is(r.judged!.lagBoundMs, 500);
  t.false(r.keptUp);
  t.regex(r.rule, /at most 5% of the offered slots were missed/);
});

test('the same run without the slow ok op keeps its rate; a late start alone can break it', (t) => {
  // Slot 1's op ends at 0.3 and slot 2 is taken on time: no slot missed.
  const fast = ops.map((o) =>
    o.client === 0 && o.slot === 1
      ? { ...o, end: 0.3 }
      : o.client === 0 && o.slot === 3
        ? { ...o, slot: 2, due: 0.5, invoke: 0.502, end: 0.95 }
        : o,
  );
  const r = computeRate(history(detail, fast, fault), { backoffMs: 500 })!;
  // Slot 3 (0.75) now falls between slot 2's op and its 0.95 failure: skipped while behind... no:
  // it is due before the failure, so it is put down to that op (it failed: held).
  t.deepEqual(r.slots, { scheduled: 16, issued: 10, missed: 0, held: 4, paused: 2 });
  t.true(r.keptUp);
  // Every op 510 ms late (p99 510 ms > 500 ms): not kept, whatever the slots say.
  const late = fast.map((o) => ({
    ...o,
    invoke: o.due! + 0.51,
    end: Math.max(o.end, o.due! + 0.52),
  }));
  const r2 = computeRate(history(detail, late, fault), { backoffMs: 500 })!;
  t.false(r2.keptUp);
  t.is(Math.round(r2.judged!.lagP99Ms), 510);
});

test('a closed-loop run: no offered rate, achieved ops/s over the duration, kept up by definition', (t) => {
  const closed: ScheduleDetail = {
    ratePerClient: null,
    clients: 2,
    durationSec: 2,
    offsetsSec: [],
  };
  const r = computeRate(
    history(
      closed,
      ops.map(({ slot: _s, due: _d, ...o }) => o),
    ),
    { backoffMs: 500 },
  )!;
  t.is(r.offered, null);
  t.is(r.achieved, 5);
  t.is(r.slots, null);
  t.true(r.keptUp);
  t.regex(r.rule, /closed loop/);
});

test('no schedule event (a history from before offered load, or another tool): no rate record', (t) => {
  t.is(computeRate(history(detail, ops).slice(1), { backoffMs: 500 }), null);
});

test('an interrupted run (no end event) is judged over the time until its last event', (t) => {
  const r = computeRate(
    history(
      detail,
      ops.filter((o) => o.end < 1),
      [],
      true,
    ),
    { backoffMs: 500 },
  )!;
  // Last event at 0.95 s (client 0's failure): client 0's slots before it 0, .25, .5, .75 (4), slot
  // 2 missed behind the slow ok op; client 1's .1, .35, .6, .85 (4), slot 3 not reached: missed.
  t.is(r.spanSec, 0.95);
  t.deepEqual(r.slots, { scheduled: 8, issued: 6, missed: 2, held: 0, paused: 0 });
});

test('percentile: nearest rank at floor(q·n)', (t) => {
  t.is(percentile([], 0.5), 0);
  t.is(percentile([1, 2, 3, 4], 0.5), 3);
  t.is(percentile([1, 2, 3, 4], 0.99), 4);
});

// A client simulated against the runner's rule with random op durations and outcomes: the record
// read back accounts for every slot, never reports more ops than slots nor slots than the rate, and
// with every op ok and shorter than the interval it keeps up with nothing skipped.
test('property: every offered slot is issued or skipped for exactly one cause', (t) => {
  fc.assert(
    fc.property(
      fc.double({ min: 1, max: 20, noNaN: true }),
      fc.array(
        fc.record({
          d: fc.double({ min: 0, max: 1, noNaN: true }),
          type: fc.constantFrom<'ok' | 'fail' | 'info'>('ok', 'ok', 'ok', 'fail', 'info'),
        }),
        { minLength: 1, maxLength: 40 },
      ),
      fc.integer({ min: 0, max: 1000 }),
      (rate, draws, backoffMs) => {
        const duration = 3;
        const grid: Grid = { rate, origin: 0.3 / rate };
        const spec: OpSpec[] = [];
        let next = 0;
        let ready = 0;
        let reachedEnd = false;
        for (const { d, type } of draws) {
          const take = takeSlot(grid, next, ready);
          if (take.due >= duration) {
            reachedEnd = true;
            break;
          }
          spec.push({
            client: 0,
            slot: take.slot,
            due: take.due,
            invoke: take.due,
            end: take.due + d,
            type,
          });
          next = take.slot + 1;
          ready = take.due + d + (type !== 'ok' ? backoffMs / 1000 : 0);
        }
        const r = computeRate(
          history(
            { ratePerClient: rate, clients: 1, durationSec: duration, offsetsSec: [grid.origin] },
            spec,
          ),
          { backoffMs },
        )!;
        const s = r.slots!;
        if (s.scheduled !== slotsBefore(grid, duration)) return false;
        if (s.issued + s.missed + s.held + s.paused !== s.scheduled) return false;
        // Never more ops than slots, and never more slots than the rate allows over the duration.
        if (s.issued !== spec.length || s.scheduled > Math.ceil(rate * duration)) return false;
        const calm = spec.every((o) => o.type === 'ok' && o.end - o.invoke < 1 / rate - 1e-6);
        if (calm && reachedEnd && (s.missed !== 0 || s.held !== 0 || !r.keptUp)) return false;
        return slotTime(grid, 0) >= 0;
      },
    ),
    { numRuns: 200 },
  );
  t.pass();
});

const kept: RateRecord = {
  offeredPerClient: 10,
  clients: 8,
  offered: 80,
  achieved: 79.5,
  spanSec: 20,
  slots: { scheduled: 1600, issued: 1590, missed: 2, held: 5, paused: 3 },
  lagMs: { p50: 0.4, p99: 3.2, max: 12 },
  keptUp: true,
  rule: '',
  judged: { slots: 1592, missed: 2, missedShare: 2 / 1592, lagP99Ms: 3.2, lagBoundMs: 100 },
};

test('the setup sentence: offered, achieved, slots, delays and the verdict; a run that did not keep up says so', (t) => {
  t.is(
    rateSentence(kept),
    'Offered load: 10 ops/s per client (80 ops/s in all), achieved 79.5 ops/s (1,590 of 1,600 slots issued; skipped: 5 behind ops the system held (failed, unknown, retried or in a fault), 3 in backoff pauses, 2 missed); ops started behind schedule by p50 0.4 ms, p99 3.2 ms, max 12.0 ms; the run kept its rate (at most 5% of slots missed, p99 start delay at most 100 ms).',
  );
  t.is(notKeptNotice(kept), null);
  const slow: RateRecord = {
    ...kept,
    achieved: 60,
    keptUp: false,
    slots: { ...kept.slots!, issued: 1200, missed: 392 },
    judged: { ...kept.judged!, missed: 392, missedShare: 392 / 1592, lagP99Ms: 140 },
  };
  t.regex(
    rateSentence(slow),
    /the run did NOT keep its rate: 24\.6% of the slots it answers for were missed \(at most 5% allowed\) and ops started 140\.0 ms behind schedule at p99 \(at most 100 ms allowed\)\.$/,
  );
  t.deepEqual(notKeptNotice(slow)?.head, 'This run did not keep its offered rate');
  t.regex(notKeptNotice(slow)!.rest, /^ \(achieved 60\.0 of 80 ops\/s; 24\.6% of the slots/);
  t.is(
    rateSentence({
      ...kept,
      offeredPerClient: null,
      offered: null,
      achieved: 602.44,
      slots: null,
      lagMs: null,
      judged: null,
    }),
    "Closed loop (clients.rate: closed): each client issued its next op as soon as the last returned, 602.4 ops/s, so the op count follows the machine's speed.",
  );
});

test('machine: /proc/stat and /proc/loadavg parsed, busy and steal shares between readings, the summary and its sentence', (t) => {
  const a = parseCpuTimes('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\n')!;
  const b = parseCpuTimes('cpu  160 0 70 860 60 0 0 50 0 0\ncpu0 1 1 1 1\n')!;
  t.deepEqual(a, { total: 1000, idle: 850, steal: 0 });
  t.deepEqual(b, { total: 1200, idle: 920, steal: 50 });
  // 200 jiffies: 70 idle/iowait, 50 steal, 80 busy.
  t.deepEqual(cpuShares(a, b), { busyPct: 40, stealPct: 25 });
  t.is(cpuShares(a, a), null);
  t.is(parseCpuTimes('intr 1 2'), null);
  t.is(parseLoad1('1.52 1.10 0.65 3/512 4242\n'), 1.52);
  t.is(parseLoad1(''), null);
  const samples = parseMachineJsonl(
    '{"t":0,"load1":1.5,"busyPct":null,"stealPct":null}\n{"t":1,"load1":2.5,"busyPct":40,"stealPct":0}\n{"t":2,"load1":2,"busyPct":60,"stealPct":1}\n{"t":3,"lo',
  );
  t.is(samples.length, 3);
  const m = summarizeMachine(samples, 2);
  t.deepEqual(m, {
    samples: 3,
    cores: 2,
    load1: { min: 1.5, median: 2, max: 2.5 },
    busyPct: { min: 40, median: 50, max: 60 },
    stealPct: { min: 0, median: 0.5, max: 1 },
  });
  t.is(
    machineSentence(m),
    'Machine: 2 cores, sampled every second through the workload: 1-min load average median 2.00 (1.50–2.50), CPU busy median 50% (40–60%), steal median 0.5% (0.0–1.0%).',
  );
  t.is(machineSentence(summarizeMachine([], 2)), null);
});
