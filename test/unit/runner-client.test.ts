// The workload client (lab/runner/workload-client.ts): one invoke and one completion per op,
// Jepsen's process rule after an unknown outcome, and the scenario's backoff after an op that did
// not succeed, and the schedule of a paced client. The executor here is a plain function standing
// in for a database call's outcome.

import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompletionEvent, InvokeEvent } from '../../lab/history/event.ts';
import { readHistory } from '../../lab/history/reader.ts';
import { HistoryWriter } from '../../lab/history/writer.ts';
import { primed, runClient, withRequestTimeout } from '../../lab/runner/workload-client.ts';
import { slotsBefore } from '../../lab/workload/pacing.ts';
import type { ExecOutcome } from '../../lab/workload/types.ts';

async function run(outcomes: ExecOutcome[], backoffMs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-client-'));
  const writer = new HistoryWriter(join(dir, 'h.jsonl'));
  let n = 0;
  const ops = (function* () {
    for (let i = 0; i < outcomes.length; i++) yield { f: 'read', key: 'k', value: i };
  })();
  await runClient({
    client: 0,
    processStride: 4,
    target: 't',
    exec: async () => outcomes[n++]!,
    ops,
    writer,
    nextOpId: (() => {
      let i = 0;
      return () => i++;
    })(),
    shouldStop: () => false,
    backoffMs,
  });
  writer.close();
  const events = readHistory(join(dir, 'h.jsonl')).events;
  rmSync(dir, { recursive: true, force: true });
  return events;
}

const refused: ExecOutcome = {
  error: { code: 'ECONNREFUSED', message: 'refused', phase: 'connect' },
};
const lost: ExecOutcome = {
  error: { code: 'PROTOCOL_CONNECTION_LOST', message: 'lost', phase: 'statement' },
};

test('every op is an invoke and one completion; after an unknown outcome the process changes', async (t) => {
  const ev = await run([{ value: 1 }, refused, lost, { value: 2 }], 0);
  const done = ev.filter((e): e is CompletionEvent => e.type !== 'invoke' && e.type !== 'nemesis');
  t.deepEqual(
    done.map((e) => e.type),
    ['ok', 'fail', 'info', 'ok'],
  );
  t.deepEqual(
    done.map((e) => e.process),
    [0, 0, 0, 4],
  );
});

test('with a backoff, the op after a failed or unknown one is invoked at least that much later; after an ok, at once', async (t) => {
  const ev = await run([refused, lost, { value: 1 }, { value: 2 }], 400);
  const inv = ev.filter((e): e is InvokeEvent => e.type === 'invoke');
  const done = ev.filter((e): e is CompletionEvent => e.type !== 'invoke' && e.type !== 'nemesis');
  t.true(inv[1]!.time - done[0]!.time >= 400e6, 'after the refused connection');
  t.true(inv[2]!.time - done[1]!.time >= 400e6, 'after the lost connection');
  t.true(inv[3]!.time - done[2]!.time < 400e6, 'no pause after an ok op');
});

test('primed: the same ops, the first drawn at once', (t) => {
  let drawn = 0;
  const it = (function* () {
    for (let i = 0; i < 3; i++) {
      drawn++;
      yield i;
    }
  })();
  const p = primed(it);
  t.is(drawn, 1, 'the first op is drawn before anyone asks');
  t.deepEqual([p.next().value, p.next().value, p.next().value, p.next().done], [0, 1, 2, true]);
});

test('paced: every invoke records its slot and when it was due; slots only grow, no op starts before it is due, never more ops than slots', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-client-'));
  const writer = new HistoryWriter(join(dir, 'h.jsonl'));
  const ops = (function* () {
    for (let i = 0; ; i++) yield { f: 'read', key: 'k', value: i };
  })();
  const grid = { rate: 200, origin: 0.002 };
  await runClient({
    client: 0,
    processStride: 1,
    target: 't',
    exec: async () => ({ value: 1 }),
    ops,
    writer,
    nextOpId: (() => {
      let i = 0;
      return () => i++;
    })(),
    shouldStop: () => false,
    pace: { grid, startNs: writer.now(), endSec: 0.1 },
  });
  writer.close();
  const inv = readHistory(join(dir, 'h.jsonl')).events.filter(
    (e): e is InvokeEvent => e.type === 'invoke',
  );
  rmSync(dir, { recursive: true, force: true });
  t.true(inv.length >= 1);
  t.true(inv.length <= slotsBefore(grid, 0.1));
  t.true(
    inv.every(
      (e, i) =>
        e.slot !== undefined &&
        e.due !== undefined &&
        e.time >= e.due &&
        (i === 0 || e.slot > inv[i - 1]!.slot!),
    ),
  );
});

test('request timeout: an executor that never answers ends its op `info` (request-timeout) and the client goes on under a new process', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-client-'));
  const writer = new HistoryWriter(join(dir, 'h.jsonl'));
  const ops = (function* () {
    for (let i = 0; i < 3; i++) yield { f: 'read', key: 'k', value: i };
  })();
  let n = 0;
  // The second op waits forever, as a store waiting for a pooled connection no one will return.
  const exec = () =>
    n++ === 1 ? new Promise<ExecOutcome>(() => {}) : Promise.resolve({ value: n });
  await runClient({
    client: 0,
    processStride: 4,
    target: 't',
    exec,
    ops,
    writer,
    nextOpId: (() => {
      let i = 0;
      return () => i++;
    })(),
    shouldStop: () => false,
    requestTimeoutMs: 50,
  });
  writer.close();
  const done = readHistory(join(dir, 'h.jsonl')).events.filter(
    (e): e is CompletionEvent => e.type !== 'invoke' && e.type !== 'nemesis',
  );
  rmSync(dir, { recursive: true, force: true });
  t.deepEqual(
    done.map((e) => e.type),
    ['ok', 'info', 'ok'],
  );
  t.is(done[1]!.error?.code, 'BBS_REQUEST_TIMEOUT');
  t.deepEqual(
    done.map((e) => e.process),
    [0, 0, 4],
  );
});

test('request timeout: an answer in time is the answer; a late answer or a late throw is dropped', async (t) => {
  t.deepEqual(await withRequestTimeout(Promise.resolve({ value: 7 }), 1000), { value: 7 });
  t.deepEqual(await withRequestTimeout(Promise.resolve({ value: 7 }), undefined), { value: 7 });
  let late!: (v: ExecOutcome) => void;
  const r = await withRequestTimeout(new Promise<ExecOutcome>((res) => (late = res)), 20);
  late({ value: 8 });
  t.is(r.error?.code, 'BBS_REQUEST_TIMEOUT');
  const thrown = await withRequestTimeout(Promise.reject(new Error('boom')), 1000);
  t.regex(thrown.error?.message ?? '', /executor threw: boom/);
});
