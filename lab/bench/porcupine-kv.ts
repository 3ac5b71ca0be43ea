// Porcupine's kv logs (github.com/anishathalye/porcupine, test_data/kv/cNN-ok.txt, cNN-bad.txt)
// through the lab's append-kv check, timed as Porcupine's CheckOperations answers: it searches the
// keys in parallel and cancels the rest at the first non-linearizable one (checkParallel), so the
// lab stops there too (stopAtFirstFailure), without evidence and with it. Then every key is searched
// to its own verdict (the lab's default), within a minute: on c50-bad some keys need millions of
// steps to exhaust every order, work Porcupine never does.
//
//   node --import tsx lab/bench/porcupine-kv.ts DIR [NAME…]
//
// The log is read as Porcupine's parseKvLog reads it: one EDN map per line, an invoke of get, put
// or append on a string key, and its process's next `:ok` as its completion. Times are line
// numbers. An op with no completion is of unknown outcome (Porcupine gives it an empty output at
// the end of the history; none of its logs has one).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkLinearizable } from '../checkers/linearizability/index.ts';
import type { HistoryEvent, Op } from '../history/event.ts';
import { pairOps } from '../history/event.ts';
import { appendKvModel } from '../../specs/append-kv.ts';
import type { Model } from '../../specs/model.ts';

const LINE =
  /^\{:process (\d+), :type :(invoke|ok), :f :(get|put|append), :key "(.*?)", :value (nil|"(.*)")\}$/;

/** Ops of every key, in the lab's shape for the append-kv model. */
export function parseKvLog(text: string): Op[] {
  return pairOps(kvEvents(text));
}

/** The log's events, as the lab writes them to history.jsonl. */
export function kvEvents(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const open = new Map<number, number>();
  let next = 0;
  text.split('\n').forEach((line, t) => {
    const m = LINE.exec(line.trim());
    if (!m) return;
    const [, p, type, f, key, , str] = m as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
      string | undefined,
    ];
    const process = Number(p);
    const base = { process, client: process, f, key, time: t, index: events.length };
    if (type === 'invoke') {
      const op = next++;
      open.set(process, op);
      const value = f === 'get' ? { f } : { f, value: str ?? '' };
      events.push({ ...base, type: 'invoke', op, value } as HistoryEvent);
      return;
    }
    const op = open.get(process);
    if (op === undefined) return;
    open.delete(process);
    events.push({
      ...base,
      type: 'ok',
      op,
      value: f === 'get' ? (str ?? '') : null,
    } as HistoryEvent);
  });
  return events;
}

export interface KvRun {
  name: string;
  ops: number;
  keys: number;
  valid: boolean | 'unknown';
  /** Wall ms (best of `repeat`) to the verdict as Porcupine gives it (stopping at the first non-linearizable key), without and with evidence. */
  searchMs: number;
  fullMs: number;
  modelSteps: number;
  /** Every key searched to its own verdict (no stop at the first failure), within `everyKeyMs`. */
  everyKey: { ms: number; linearizable: number; notLinearizable: number; unknown: number };
}

export function runKv(name: string, text: string, repeat = 3, everyKeyMs = 60_000): KvRun {
  const ops = parseKvLog(text);
  const model = () => appendKvModel as Model;
  const best = (f: () => void): number => {
    let ms = Infinity;
    for (let i = 0; i < repeat; i++) {
      const t0 = performance.now();
      f();
      ms = Math.min(ms, performance.now() - t0);
    }
    return ms;
  };
  let r = checkLinearizable(ops, model, { shrink: false, stopAtFirstFailure: true });
  const searchMs = best(() => {
    r = checkLinearizable(ops, model, { shrink: false, stopAtFirstFailure: true });
  });
  const fullMs = best(() => checkLinearizable(ops, model, { stopAtFirstFailure: true }));
  const t0 = performance.now();
  const all = checkLinearizable(ops, model, { shrink: false, timeoutMs: everyKeyMs });
  const count = (v: string) => all.keys.filter((k) => k.verdict === v).length;
  return {
    name,
    ops: ops.length,
    keys: r.keys.length,
    valid: r.valid,
    searchMs,
    fullMs,
    modelSteps: r.keys.reduce((s, k) => s + (k.modelSteps ?? 0), 0),
    everyKey: {
      ms: performance.now() - t0,
      linearizable: count('linearizable'),
      notLinearizable: count('not-linearizable'),
      unknown: count('unknown'),
    },
  };
}

if (/porcupine-kv\.[jt]s$/.test(process.argv[1] ?? '')) {
  const [dir, ...names] = process.argv.slice(2);
  if (!dir) {
    console.error(
      'usage: node --import tsx lab/bench/porcupine-kv.ts DIR [NAME…] (DIR: test_data/kv)',
    );
    process.exit(2);
  }
  const list =
    names.length > 0 ? names : ['c01-ok', 'c01-bad', 'c10-ok', 'c10-bad', 'c50-ok', 'c50-bad'];
  for (const name of list) {
    const r = runKv(name, readFileSync(join(dir, `${name}.txt`), 'utf8'));
    console.log(
      `${name}: ${r.ops} ops, ${r.keys} keys, ${r.valid === true ? 'linearizable' : r.valid === false ? 'NOT linearizable' : 'unknown'}; to the first failure as Porcupine stops: search ${r.searchMs.toFixed(1)} ms (${r.modelSteps.toLocaleString('en-US')} model steps), with evidence ${r.fullMs.toFixed(1)} ms; every key: ${r.everyKey.linearizable} linearizable, ${r.everyKey.notLinearizable} not, ${r.everyKey.unknown} unknown in ${(r.everyKey.ms / 1000).toFixed(1)} s`,
    );
  }
}
