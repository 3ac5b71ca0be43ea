// Reads a history back, in two steps so another encoding only has to write the first:
//   1. a format reader turns bytes into raw events, each with where it came from ("line 12" of a
//      JSONL file, "event 3" of a JSON array, "history.edn:12:1" of Jepsen EDN): parseJsonEvents
//      here (JSONL in jsonl.ts), parseEdnEvents in edn.ts; a reader per format is chosen by file
//      extension in lab/cli/check.ts; what a reader gives back is in parsed.ts;
//   2. toHistory checks every event and the pairing of invokes with completions, refuses what a
//      checker would otherwise misread (with the line and what is wrong), and orders the events
//      by `time`.
//
// The ordering rule, shared by every checker (docs/history-format.md): events are ordered by
// `time`; events with equal times keep their file order, but an op's completion at the very
// instant of another op's invoke does not precede it (equal instants are concurrent). A torn last
// line of an interrupted run (a final line without a newline that does not parse) is skipped with
// a warning; anything else that does not parse is an error.

import { readFileSync } from 'node:fs';
import type { HistoryEvent } from './event.ts';
import { parseJsonl } from './jsonl.ts';
import { depthOf, HistoryFormatError, MAX_VALUE_DEPTH, type ParsedEvents } from './parsed.ts';

export { depthOf, HistoryFormatError, MAX_VALUE_DEPTH, type ParsedEvents };

export interface ReadHistory {
  /** In time order (stable on ties); `index` is the position in this order. */
  events: HistoryEvent[];
  /** Problems that did not stop the read (a torn last line). */
  warnings: string[];
  /** Where an event of `events` came from: "history.jsonl line 12" or "history.json event 3". */
  where(e: HistoryEvent): string;
}

const TYPES = new Set(['invoke', 'ok', 'fail', 'info', 'nemesis']);
const describe = (x: unknown): string => (x === undefined ? 'nothing' : JSON.stringify(x));

// The place (at(i)) is named only in an error: building it for every valid event cost more than
// parsing it. `deep`: the reader knows no bound on the value's nesting within the limit, so it is
// measured.
function checkEvent(x: unknown, i: number, at: (i: number) => string, deep: boolean): HistoryEvent {
  if (typeof x !== 'object' || x === null || Array.isArray(x))
    throw new HistoryFormatError(
      `${at(i)}: an event must be a JSON object, got ${Array.isArray(x) ? 'an array' : describe(x)}`,
    );
  const e = x as Record<string, unknown>;
  if (typeof e.type !== 'string' || !TYPES.has(e.type)) {
    throw new HistoryFormatError(
      `${at(i)}: type must be one of invoke, ok, fail, info, nemesis, got ${describe(e.type)}`,
    );
  }
  if (typeof e.time !== 'number' || !Number.isFinite(e.time)) {
    throw new HistoryFormatError(
      `${at(i)}: time must be a number (nanoseconds on one monotonic clock), got ${describe(e.time)}`,
    );
  }
  if (e.type !== 'nemesis') {
    if (typeof e.op !== 'number' || !Number.isInteger(e.op))
      throw new HistoryFormatError(
        `${at(i)}: op must be a whole number shared by an invoke and its completion, got ${describe(e.op)}`,
      );
    if (typeof e.process !== 'number')
      throw new HistoryFormatError(
        `${at(i)}: process must be a number, got ${describe(e.process)}`,
      );
    if (typeof e.f !== 'string')
      throw new HistoryFormatError(
        `${at(i)}: f must be the op's name as a string, got ${describe(e.f)}`,
      );
    const key = e.key;
    if (
      key !== undefined &&
      typeof key !== 'string' &&
      !(typeof key === 'number' && Number.isFinite(key))
    ) {
      throw new HistoryFormatError(
        `${at(i)}: key must be a string (or a number, read as its decimal text), got ${describe(key)}`,
      );
    }
  }
  if (deep && depthOf(e, MAX_VALUE_DEPTH + 1) > MAX_VALUE_DEPTH)
    throw new HistoryFormatError(
      `${at(i)}: the event nests more than ${MAX_VALUE_DEPTH} levels of arrays and objects; flatten its value`,
    );
  return e as unknown as HistoryEvent;
}

/** Positions in time order (stable on ties), or null when the file is in time order already. */
function timeOrder(checked: readonly HistoryEvent[]): number[] | null {
  for (let i = 1; i < checked.length; i++) {
    if (checked[i]!.time < checked[i - 1]!.time) {
      const order = checked.map((_, j) => j);
      return order.sort((a, b) => checked[a]!.time - checked[b]!.time || a - b);
    }
  }
  return null;
}

/** An op id's state while pairing: the position of its open invoke, DONE, or UNSEEN. */
const DONE = -1;
const UNSEEN = -2;

/** Every op id's state: in an array when the ids are small whole numbers (the lab's are 0, 1, …). */
class OpStates {
  private readonly dense: Int32Array | null = null;
  private readonly map = new Map<number, number>();

  constructor(checked: readonly HistoryEvent[]) {
    let max = -1;
    for (const e of checked) {
      if (e.type === 'nemesis') continue;
      if (e.op < 0 || e.op > 2 * checked.length + 16) return;
      if (e.op > max) max = e.op;
    }
    this.dense = new Int32Array(max + 1).fill(UNSEEN);
  }

  get(op: number): number {
    return this.dense ? this.dense[op]! : (this.map.get(op) ?? UNSEEN);
  }

  set(op: number, state: number): void {
    if (this.dense) this.dense[op] = state;
    else this.map.set(op, state);
  }
}

/**
 * Checks that invokes and completions pair up, in time order. Only the state of each op id is
 * kept; the places an error names besides its own are looked up when it is thrown.
 */
function checkPairs(
  checked: readonly HistoryEvent[],
  order: readonly number[] | null,
  at: (i: number) => string,
  whereOf: (i: number) => string,
): void {
  const state = new OpStates(checked);
  const n = checked.length;
  for (let k = 0; k < n; k++) {
    const i = order ? order[k]! : k;
    const e = checked[i]!;
    if (e.type === 'nemesis') continue;
    const s = state.get(e.op);
    if (e.type === 'invoke') {
      if (s === UNSEEN) {
        state.set(e.op, i);
        continue;
      }
      if (s !== DONE)
        throw new HistoryFormatError(
          `${at(i)}: a second invoke of op ${e.op}, which is still open since ${whereOf(s)}; every op is one invoke and one completion, with its own op id`,
        );
      const was = pairBefore(checked, order, k, e.op);
      throw new HistoryFormatError(
        `${at(i)}: op id ${e.op} is used again (invoked at ${whereOf(was.invoke)}, completed at ${whereOf(was.complete)}); op ids must be unique`,
      );
    }
    if (s !== UNSEEN && s !== DONE) {
      state.set(e.op, DONE);
      continue;
    }
    if (s === DONE)
      throw new HistoryFormatError(
        `${at(i)}: a second completion of op ${e.op} (it already completed at ${whereOf(pairBefore(checked, order, k, e.op).complete)}); an op has exactly one of ok, fail, info`,
      );
    // The first invoke of this op id in the file, to tell "completion before its invoke" from "no
    // invoke at all".
    const later = checked.findIndex((x) => x.type === 'invoke' && x.op === e.op);
    if (later < 0)
      throw new HistoryFormatError(
        `${at(i)}: a completion (${e.type}) of op ${e.op}, which has no invoke`,
      );
    const li = checked[later]!;
    if (li.time > e.time) {
      throw new HistoryFormatError(
        `${at(i)}: the completion of op ${e.op} has time ${e.time}, earlier than its invoke's time ${li.time} (${whereOf(later)})`,
      );
    }
    throw new HistoryFormatError(
      `${at(i)}: the completion of op ${e.op} is listed before its invoke (${whereOf(later)}) with the same time ${e.time}; at equal times the file order decides, so list the invoke first`,
    );
  }
}

/** The invoke and the completion of op id `op` among the first `k` events in time order. */
function pairBefore(
  checked: readonly HistoryEvent[],
  order: readonly number[] | null,
  k: number,
  op: number,
): { invoke: number; complete: number } {
  let invoke = -1;
  let complete = -1;
  for (let j = 0; j < k; j++) {
    const i = order ? order[j]! : j;
    const e = checked[i]!;
    if (e.type === 'nemesis' || e.op !== op) continue;
    if (e.type === 'invoke') invoke = i;
    else complete = i;
  }
  return { invoke, complete };
}

type Loose = HistoryEvent & { client?: number; key?: string | number };

/**
 * The events in time order with `index` their place in it: the checked values themselves when the
 * reader owns them, else copies.
 */
function numbered(
  checked: readonly HistoryEvent[],
  order: readonly number[] | null,
  owned: boolean,
): HistoryEvent[] {
  const n = checked.length;
  const events: HistoryEvent[] = owned && !order ? (checked as HistoryEvent[]) : new Array(n);
  for (let index = 0; index < n; index++) {
    const x = checked[order ? order[index]! : index] as Loose;
    const e = owned ? x : ({ ...x } as Loose);
    e.index = index;
    // Histories from other tools may leave out the bookkeeping fields the lab's writer fills in.
    if (e.type !== 'nemesis' && typeof e.client !== 'number') e.client = e.process;
    if (typeof e.key === 'number') e.key = String(e.key);
    events[index] = e;
  }
  return events;
}

/** Checks the events, orders them by time and checks that invokes and completions pair up. */
export function toHistory(parsed: ParsedEvents): ReadHistory {
  const { source, values } = parsed;
  const whereOf = (i: number) => parsed.whereOf(i);
  const at = (i: number) =>
    parsed.whereNamesSource ? parsed.whereOf(i) : `${source} ${parsed.whereOf(i)}`;
  const deep = parsed.maxDepth === undefined || parsed.maxDepth > MAX_VALUE_DEPTH;
  for (let i = 0; i < values.length; i++) checkEvent(values[i], i, at, deep);
  const checked = values as HistoryEvent[];
  const order = timeOrder(checked);
  checkPairs(checked, order, at, whereOf);
  const events = numbered(checked, order, parsed.owned === true);
  return {
    events,
    warnings: parsed.warnings,
    where: (e) =>
      events[e.index] === e
        ? at(order ? order[e.index]! : e.index)
        : `${source} (event ${e.index})`,
  };
}

/** 1-based line of a character offset. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** JSON: one array of events; JSONL: one event per line. Told apart by the first character. */
export function parseJsonEvents(bytes: Uint8Array | string, source = 'history'): ParsedEvents {
  const buf = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  let start = 0;
  while (
    start < buf.length &&
    (buf[start] === 0x20 || buf[start] === 0x0a || buf[start] === 0x0d || buf[start] === 0x09)
  )
    start++;
  if (buf[start] !== 0x5b /* [ */) return parseJsonl(buf, source);
  let text: string;
  try {
    text = decoder.decode(buf);
  } catch {
    throw new HistoryFormatError(`${source}: not text (invalid UTF-8); a history is JSON text`);
  }
  let arr: unknown;
  try {
    arr = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const where = pos ? ` line ${lineOf(text, Number(pos[1]))}` : '';
    throw new HistoryFormatError(`${source}${where}: not valid JSON (${msg})`);
  }
  if (!Array.isArray(arr))
    throw new HistoryFormatError(`${source}: expected a JSON array of events`);
  return { source, values: arr, whereOf: (i) => `event ${i}`, warnings: [], owned: true };
}

export function parseHistory(text: string, source = 'history'): ReadHistory {
  return toHistory(parseJsonEvents(text, source));
}

export function readHistory(path: string): ReadHistory {
  return toHistory(parseJsonEvents(readFileSync(path), path));
}
