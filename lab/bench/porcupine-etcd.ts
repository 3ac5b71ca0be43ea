// Porcupine's Jepsen etcd logs (github.com/anishathalye/porcupine, test_data/jepsen/etcd_NNN.log)
// through the lab's cas-register check, with each non-linearizable key's evidence re-checked on
// its own: the evidence's ops plus every state-changing op invoked before its end, from the
// initial state, must not be linearizable (the witness proves alone; shrink.ts says why it should).
//
//   node --import tsx lab/bench/porcupine-etcd.ts DIR [EXPECTED]
//
// EXPECTED is an optional file of "NNN true|false" lines (Porcupine's own verdicts, from its
// porcupine_test.go). The log is read as Porcupine reads it: a `:fail` cas answered false (it did
// not swap), a `:fail` read timed out (unknown), and an op with no completion (`:info`) is of
// unknown outcome. Times are line numbers.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkLinearizable,
  toSearchOps,
  type LinFailure,
} from '../checkers/linearizability/index.ts';
import { searchLinearization, type SearchOp } from '../checkers/linearizability/search.ts';
import { StepCache } from '../checkers/linearizability/steps.ts';
import type { HistoryEvent, Op } from '../history/event.ts';
import { pairOps } from '../history/event.ts';
import { casRegisterModel } from '../../specs/cas-register.ts';
import type { Model } from '../../specs/model.ts';

const LINE = /jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s+(.*)$/;

/** Ops of one key ("etcd"), in the lab's shape for the cas-register model. */
export function parseJepsenLog(text: string): Op[] {
  return pairOps(jepsenEvents(text));
}

/** The log's events, as the lab writes them to history.jsonl. */
export function jepsenEvents(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const open = new Map<number, { op: number; f: string }>();
  let next = 0;
  text.split('\n').forEach((line, t) => {
    const m = LINE.exec(line.trim());
    if (!m) return;
    const [, p, type, f, raw] = m as unknown as [string, string, string, string, string];
    const process = Number(p);
    const base = { process, client: process, f, key: 'etcd', time: t, index: events.length };
    if (type === 'invoke') {
      const op = next++;
      open.set(process, { op, f });
      const value =
        f === 'read'
          ? { f }
          : f === 'write'
            ? { f, value: Number(raw) }
            : { f, value: raw.replace(/[[\]]/g, ' ').trim().split(/\s+/).map(Number) };
      events.push({ ...base, type: 'invoke', op, value } as HistoryEvent);
      return;
    }
    const o = open.get(process);
    if (!o) return;
    open.delete(process);
    if (type === 'ok')
      events.push({
        ...base,
        type: 'ok',
        op: o.op,
        value: f === 'read' ? (raw === 'nil' ? null : Number(raw)) : f === 'cas' ? true : null,
      } as HistoryEvent);
    else if (type === 'fail' && f === 'cas')
      events.push({ ...base, type: 'ok', op: o.op, value: false } as HistoryEvent);
    else events.push({ ...base, type: 'info', op: o.op, value: null } as HistoryEvent);
  });
  return events;
}

/**
 * The evidence with every state-changing op invoked before its end, from the initial state: true
 * when that is not linearizable.
 */
export function witnessAlone(model: Model, ops: readonly Op[], f: LinFailure): boolean | 'unknown' {
  const { search } = toSearchOps(ops, model);
  const shown = new Set(f.ops.map((o) => o.op));
  const end = Math.max(...f.ops.map((o) => o.complete ?? o.invoke));
  const keep: SearchOp[] = [];
  for (const o of search) {
    if (o.call > end) continue;
    const changes = model.changesState
      ? model.changesState(o.input, o.known ? o.output : undefined)
      : true;
    if (!shown.has(o.id) && !changes) continue;
    if (o.known && o.ret > end) {
      if (changes) keep.push({ ...o, known: false, output: undefined, ret: Infinity });
    } else keep.push(o);
  }
  const r = searchLinearization(new StepCache(model), keep, {
    budget: 10_000_000,
    memoryBytes: 1 << 28,
  });
  return r.verdict === 'unknown' ? 'unknown' : r.verdict === 'not-linearizable';
}

function main(dir: string, expectedFile?: string): void {
  const expected = new Map<number, boolean>();
  if (expectedFile)
    for (const l of readFileSync(expectedFile, 'utf8').split('\n'))
      if (l.trim()) expected.set(Number(l.split(' ')[0]), l.split(' ')[1] === 'true');
  const model = casRegisterModel as Model;
  let agree = 0;
  let bad = 0;
  let alone = 0;
  let pending = 0;
  const files = readdirSync(dir)
    .filter((f) => /^etcd_\d+\.log$/.test(f))
    .sort();
  for (const file of files) {
    const n = Number(/\d+/.exec(file)![0]);
    const ops = parseJepsenLog(readFileSync(join(dir, file), 'utf8'));
    const k = checkLinearizable(ops, () => model).keys[0];
    const verdict = k?.verdict ?? 'linearizable';
    const want = expected.get(n);
    if (want !== undefined && (want ? 'linearizable' : 'not-linearizable') === verdict) agree++;
    let line = `${file}: ${verdict}${want === undefined ? '' : ` (Porcupine: ${want ? 'linearizable' : 'not linearizable'})`}`;
    if (k?.failure) {
      bad++;
      const holds = witnessAlone(model, ops, k.failure);
      if (holds === true) alone++;
      const p = k.failure.ops.filter((o) => o.outcome === 'info').length;
      if (p > 0) pending++;
      line += `; evidence ${k.failure.ops.length} ops (${p} of unknown outcome), proves alone: ${holds}`;
    }
    console.log(line);
  }
  console.log(
    `${files.length} histories; ${agree} verdicts agree with Porcupine's; ${bad} not linearizable, evidence proves alone in ${alone}; ${pending} show ops of unknown outcome`,
  );
}

if (/porcupine-etcd\.[jt]s$/.test(process.argv[1] ?? '')) main(process.argv[2]!, process.argv[3]);
