// The offered-load schedule (lab/workload/pacing.ts): slot times, the behind-schedule rule (the
// latest due slot at once, older ones skipped, never a burst), and the seeded offsets.

import test from 'ava';
import fc from 'fast-check';
import {
  clientOffsetSec,
  latestSlotAt,
  slotsBefore,
  slotTime,
  takeSlot,
  type Grid,
} from '../../lab/workload/pacing.ts';

// 4 ops/s from 0.1 s: slots at 0.1, 0.35, 0.6, 0.85, 1.1, …
const g: Grid = { rate: 4, origin: 0.1 };

test('slot k is due at origin + k / rate', (t) => {
  t.deepEqual(
    [0, 1, 2, 4].map((k) => slotTime(g, k)),
    [0.1, 0.35, 0.6, 1.1],
  );
});

test('on time: a client ready before its next slot waits for it', (t) => {
  t.deepEqual(takeSlot(g, 0, 0), { slot: 0, due: 0.1 });
  t.deepEqual(takeSlot(g, 2, 0.5), { slot: 2, due: 0.6 });
  // Exactly at the slot's time is on time.
  t.deepEqual(takeSlot(g, 1, 0.35), { slot: 1, due: 0.35 });
});

test('behind: the latest slot due by then, at once; the older ones are skipped', (t) => {
  // Next was slot 1 (0.35); ready at 0.9: slots 1, 2 (0.6) and 3 (0.85) are due; 3 is taken now.
  t.deepEqual(takeSlot(g, 1, 0.9), { slot: 3, due: 0.9 });
  // Only the next slot is due: it is taken, late.
  t.deepEqual(takeSlot(g, 1, 0.4), { slot: 1, due: 0.4 });
});

test('latestSlotAt and slotsBefore count by the slot times', (t) => {
  t.is(latestSlotAt(g, 0.05), -1);
  t.is(latestSlotAt(g, 0.1), 0);
  t.is(latestSlotAt(g, 0.849), 2);
  t.is(latestSlotAt(g, 0.85), 3);
  // Slots before 1.1 s: 0.1, 0.35, 0.6, 0.85 (1.1 itself is not before).
  t.is(slotsBefore(g, 1.1), 4);
  t.is(slotsBefore(g, 1.11), 5);
  t.is(slotsBefore(g, 0.1), 0);
  // 10 ops/s from 0.03 over 20 s: 200 slots.
  t.is(slotsBefore({ rate: 10, origin: 0.03 }, 20), 200);
});

test('offsets are seeded, within one interval, and differ between clients', (t) => {
  const offs = Array.from({ length: 8 }, (_, c) => clientOffsetSec(42, c, 10));
  t.deepEqual(
    offs,
    Array.from({ length: 8 }, (_, c) => clientOffsetSec(42, c, 10)),
  );
  t.true(offs.every((o) => o >= 0 && o < 0.1));
  t.is(new Set(offs).size, 8);
  t.notDeepEqual(
    offs,
    Array.from({ length: 8 }, (_, c) => clientOffsetSec(43, c, 10)),
  );
});

// A client simulated against the rule, with op times drawn at random, compared with a simple
// reference: it never issues two ops in one slot, never more ops than slots due by then, and
// every op starts no earlier than its slot.
test('property: however long ops take, a client never exceeds the offered rate and never starts an op before its slot', (t) => {
  fc.assert(
    fc.property(
      fc.double({ min: 0.5, max: 50, noNaN: true }),
      fc.double({ min: 0, max: 0.999, noNaN: true }),
      fc.array(fc.double({ min: 0, max: 3, noNaN: true }), { minLength: 1, maxLength: 60 }),
      (rate, frac, durations) => {
        const grid: Grid = { rate, origin: frac / rate };
        let next = 0;
        let now = 0;
        let last = -1;
        for (const d of durations) {
          const take = takeSlot(grid, next, now);
          const start = Math.max(now, take.due);
          if (take.slot <= last) return false;
          if (start + 1e-9 < slotTime(grid, take.slot)) return false;
          // Ops issued so far (this one included) never outnumber the slots due by its start.
          if (take.slot + 1 > latestSlotAt(grid, start + 1e-9) + 1) return false;
          // Behind: the slot taken is the latest due one, so the next slot is not yet due.
          if (
            take.due === now &&
            now > slotTime(grid, next) &&
            slotTime(grid, take.slot + 1) <= now
          )
            return false;
          last = take.slot;
          next = take.slot + 1;
          now = start + d;
        }
        return true;
      },
    ),
    { numRuns: 300 },
  );
  t.pass();
});
