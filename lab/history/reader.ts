// Reads a history back, in two steps so another encoding only has to write the first:
//   1. a format reader turns bytes into raw events, each with where it came from ("line 12" of a
//      JSONL file, "event 3" of a JSON array, "history.edn:12:1" of Jepsen EDN): parseJsonEvents
//      here, parseEdnEvents in edn.ts; a reader per format is chosen by file extension in
//      lab/cli/check.ts;
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

export interface ReadHistory {
  /** In time order (stable on ties); `index` is the position in this order. */
  events: HistoryEvent[];
  /** Problems that did not stop the read (a torn last line). */
  warnings: string[];
  /** Where an event of `events` came from: "history.jsonl line 12" or "history.json event 3". */
  where(e: HistoryEvent): string;
}

/** A raw event and where it came from ("line 12", "event 3"). */
export interface RawEvent {
  value: unknown;
  where: string;
}

/** What a format reader gives back: raw events in file order. */
export interface ParsedEvents {
  source: string;
  events: RawEvent[];
  warnings: string[];
  /**
   * The `where`s already name the file (EDN's "history.edn:12:1"), so messages print them as they
   * are.
   */
  whereNamesSource?: boolean;
}

export class HistoryFormatError extends Error {}

/** Values nested deeper than this are refused: checkers and reports walk values recursively. */
export const MAX_VALUE_DEPTH = 100;

const TYPES = new Set(['invoke', 'ok', 'fail', 'info', 'nemesis']);
const describe = (x: unknown): string => (x === undefined ? 'nothing' : JSON.stringify(x));

/**
 * Nesting depth of a JSON value. Recursion stops past `limit` (so a hostile file that nests a
 * million levels costs `limit` frames); without a limit, an explicit stack.
 */
export function depthOf(value: unknown, limit = Infinity): number {
  if (limit !== Infinity) return depthUpTo(value, 0, limit);
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d + 1 > max) max = d + 1;
    for (const child of Array.isArray(v) ? v : Object.values(v))
      if (typeof child === 'object' && child !== null) stack.push([child, d + 1]);
  }
  return max;
}

/** Depth of v below depth d (d + its own nesting), stopping as soon as it passes limit. */
function depthUpTo(v: unknown, d: number, limit: number): number {
  if (typeof v !== 'object' || v === null) return d;
  const here = d + 1;
  if (here > limit) return here;
  let max = here;
  if (Array.isArray(v)) {
    for (const c of v)
      if (typeof c === 'object' && c !== null) {
        const x = depthUpTo(c, here, limit);
        if (x > max) max = x;
        if (max > limit) return max;
      }
  } else {
    for (const k in v) {
      const c = (v as Record<string, unknown>)[k];
      if (typeof c === 'object' && c !== null) {
        const x = depthUpTo(c, here, limit);
        if (x > max) max = x;
        if (max > limit) return max;
      }
    }
  }
  return max;
}

// The place is named only in an error (whereOf): building it for every valid event cost more than
// parsing it.
function checkEvent(x: unknown, whereOf: () => string): HistoryEvent {
  if (typeof x !== 'object' || x === null || Array.isArray(x))
    throw new HistoryFormatError(
      `${whereOf()}: an event must be a JSON object, got ${Array.isArray(x) ? 'an array' : describe(x)}`,
    );
  const e = x as Record<string, unknown>;
  if (typeof e.type !== 'string' || !TYPES.has(e.type)) {
    throw new HistoryFormatError(
      `${whereOf()}: type must be one of invoke, ok, fail, info, nemesis, got ${describe(e.type)}`,
    );
  }
  if (typeof e.time !== 'number' || !Number.isFinite(e.time)) {
    throw new HistoryFormatError(
      `${whereOf()}: time must be a number (nanoseconds on one monotonic clock), got ${describe(e.time)}`,
    );
  }
  if (e.type !== 'nemesis') {
    if (typeof e.op !== 'number' || !Number.isInteger(e.op))
      throw new HistoryFormatError(
        `${whereOf()}: op must be a whole number shared by an invoke and its completion, got ${describe(e.op)}`,
      );
    if (typeof e.process !== 'number')
      throw new HistoryFormatError(
        `${whereOf()}: process must be a number, got ${describe(e.process)}`,
      );
    if (typeof e.f !== 'string')
      throw new HistoryFormatError(
        `${whereOf()}: f must be the op's name as a string, got ${describe(e.f)}`,
      );
    const key = e.key;
    if (
      key !== undefined &&
      typeof key !== 'string' &&
      !(typeof key === 'number' && Number.isFinite(key))
    ) {
      throw new HistoryFormatError(
        `${whereOf()}: key must be a string (or a number, read as its decimal text), got ${describe(key)}`,
      );
    }
  }
  const depth = depthOf(e, MAX_VALUE_DEPTH + 1);
  if (depth > MAX_VALUE_DEPTH)
    throw new HistoryFormatError(
      `${whereOf()}: the event nests more than ${MAX_VALUE_DEPTH} levels of arrays and objects; flatten its value`,
    );
  return e as unknown as HistoryEvent;
}

/** Checks the events, orders them by time and checks that invokes and completions pair up. */
export function toHistory(parsed: ParsedEvents): ReadHistory {
  const { source } = parsed;
  const at = (w: string) => (parsed.whereNamesSource ? w : `${source} ${w}`);
  const checked = parsed.events.map((r) => checkEvent(r.value, () => at(r.where)));
  const wheres = parsed.events.map((r) => r.where);

  // Stable: ties keep file order. A file written in time order (the usual case) needs no sort.
  const order = checked.map((_, i) => i);
  if (checked.some((e, i) => i > 0 && e.time < checked[i - 1]!.time))
    order.sort((a, b) => checked[a]!.time - checked[b]!.time || a - b);

  // The first invoke of each op id, to tell "completion before its invoke" from "no invoke at all".
  const firstInvoke = new Map<number, number>();
  checked.forEach((e, i) => {
    if (e.type === 'invoke' && !firstInvoke.has(e.op)) firstInvoke.set(e.op, i);
  });
  const open = new Map<number, number>();
  const done = new Map<number, { invoke: number; complete: number }>();
  for (const i of order) {
    const e = checked[i]!;
    if (e.type === 'nemesis') continue;
    if (e.type === 'invoke') {
      const prior = open.get(e.op);
      if (prior !== undefined)
        throw new HistoryFormatError(
          `${at(wheres[i]!)}: a second invoke of op ${e.op}, which is still open since ${wheres[prior]}; every op is one invoke and one completion, with its own op id`,
        );
      const was = done.get(e.op);
      if (was)
        throw new HistoryFormatError(
          `${at(wheres[i]!)}: op id ${e.op} is used again (invoked at ${wheres[was.invoke]}, completed at ${wheres[was.complete]}); op ids must be unique`,
        );
      open.set(e.op, i);
      continue;
    }
    const inv = open.get(e.op);
    if (inv !== undefined) {
      open.delete(e.op);
      done.set(e.op, { invoke: inv, complete: i });
      continue;
    }
    const was = done.get(e.op);
    if (was)
      throw new HistoryFormatError(
        `${at(wheres[i]!)}: a second completion of op ${e.op} (it already completed at ${wheres[was.complete]}); an op has exactly one of ok, fail, info`,
      );
    const later = firstInvoke.get(e.op);
    if (later === undefined)
      throw new HistoryFormatError(
        `${at(wheres[i]!)}: a completion (${e.type}) of op ${e.op}, which has no invoke`,
      );
    const li = checked[later]!;
    if (li.time > e.time) {
      throw new HistoryFormatError(
        `${at(wheres[i]!)}: the completion of op ${e.op} has time ${e.time}, earlier than its invoke's time ${li.time} (${wheres[later]})`,
      );
    }
    throw new HistoryFormatError(
      `${at(wheres[i]!)}: the completion of op ${e.op} is listed before its invoke (${wheres[later]}) with the same time ${e.time}; at equal times the file order decides, so list the invoke first`,
    );
  }

  const events = order.map((i, index) => {
    const x = checked[i] as HistoryEvent & { client?: number; key?: string | number };
    const e = { ...x, index } as HistoryEvent & { client?: number; key?: string | number };
    // Histories from other tools may leave out the bookkeeping fields the lab's writer fills in.
    if (e.type !== 'nemesis' && typeof e.client !== 'number') e.client = e.process;
    if (typeof e.key === 'number') e.key = String(e.key);
    return e as HistoryEvent;
  });
  return {
    events,
    warnings: parsed.warnings,
    where: (e) =>
      events[e.index] === e ? at(wheres[order[e.index]!]!) : `${source} (event ${e.index})`,
  };
}

/** 1-based line of a character offset. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The first control character that has no business in JSON text (NUL, …), or -1. */
function binaryAt(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c < 0x20 && c !== 9 && c !== 13) return i;
  }
  return -1;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
/** The control characters binaryAt looks for: a native scan first, binaryAt only to say where. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\x00-\x08\x0a-\x0c\x0e-\x1f]/;

function decodeLine(
  bytes: Uint8Array,
  source: string,
  lineNo: number,
  last: boolean,
): { text: string; tornChar: boolean } {
  try {
    return { text: decoder.decode(bytes), tornChar: false };
  } catch {
    // A torn write can cut the last line inside a multi-byte character.
    if (last) {
      for (let cut = 1; cut <= 3 && cut < bytes.length; cut++) {
        try {
          return { text: decoder.decode(bytes.subarray(0, bytes.length - cut)), tornChar: true };
        } catch {
          /* try a shorter cut */
        }
      }
    }
    throw new HistoryFormatError(
      `${source} line ${lineNo}: not text (invalid UTF-8); a history is JSON text, one event per line or one array`,
    );
  }
}

function topLevelObject(text: string, source: string): HistoryFormatError | null {
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof whole !== 'object' || whole === null || Array.isArray(whole) || 'type' in whole)
    return null;
  const keys = Object.keys(whole).slice(0, 5);
  return new HistoryFormatError(
    `${source}: the top level is one JSON object${keys.length ? ` (with ${keys.map((k) => JSON.stringify(k)).join(', ')})` : ''}, not a history; give a JSON array of events ([{"type":"invoke",…}, …]) or one event per line (JSONL)`,
  );
}

/** JSON: one array of events; JSONL: one event per line. Told apart by the first character. */
export function parseJsonEvents(bytes: Uint8Array | string, source = 'history'): ParsedEvents {
  const buf = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  const warnings: string[] = [];
  let start = 0;
  while (
    start < buf.length &&
    (buf[start] === 0x20 || buf[start] === 0x0a || buf[start] === 0x0d || buf[start] === 0x09)
  )
    start++;
  if (buf[start] === 0x5b /* [ */) {
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
    return { source, events: arr.map((value, i) => ({ value, where: `event ${i}` })), warnings };
  }

  const events: RawEvent[] = [];
  const ends: number[] = [];
  for (let i = 0; i < buf.length; i++) if (buf[i] === 0x0a) ends.push(i);
  const terminated = buf.length === 0 || buf[buf.length - 1] === 0x0a;
  if (!terminated) ends.push(buf.length);
  let from = 0;
  let text = '';
  // Decoding the whole buffer at once is far cheaper than line by line; a buffer that is not valid
  // UTF-8 (a torn last character, or worse) is decoded per line to say where.
  let whole: string[] | null = null;
  try {
    whole = decoder.decode(buf).split('\n');
  } catch {
    whole = null;
  }
  for (let n = 0; n < ends.length; n++) {
    const lineNo = n + 1;
    const last = n === ends.length - 1 && !terminated;
    const { text: raw, tornChar } = whole
      ? { text: whole[n]!, tornChar: false }
      : decodeLine(buf.subarray(from, ends[n]), source, lineNo, last);
    from = ends[n]! + 1;
    if (lineNo <= 3) text += `${raw}\n`;
    const line = raw.trim();
    if (line === '') continue;
    const bin = CONTROL.test(line) ? binaryAt(line) : -1;
    if (bin >= 0)
      throw new HistoryFormatError(
        `${source} line ${lineNo}: not text (binary byte 0x${line.charCodeAt(bin).toString(16).padStart(2, '0')} at column ${bin + 1}); a history is JSON text`,
      );
    let parsed: unknown;
    try {
      if (tornChar) throw new Error('torn');
      parsed = JSON.parse(line);
    } catch {
      // Only the writer's own failure mode is forgiven: the last line, cut before its newline.
      if (last && line.startsWith('{')) {
        warnings.push(
          `${source}: line ${lineNo} is incomplete (the run was interrupted while writing it); skipped`,
        );
        continue;
      }
      if (events.length === 0) {
        const obj = topLevelObject(decoder.decode(buf), source);
        if (obj) throw obj;
      }
      throw new HistoryFormatError(
        `${source} line ${lineNo}: not valid JSON${last ? '' : ' (only a last line without a newline may be torn)'}`,
      );
    }
    events.push({ value: parsed, where: `line ${lineNo}` });
  }
  if (events.length === 1 && warnings.length === 0) {
    const v = events[0]!.value;
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && !('type' in v)) {
      const obj = topLevelObject(text, source);
      if (obj) throw obj;
    }
  }
  return { source, events, warnings };
}

export function parseHistory(text: string, source = 'history'): ReadHistory {
  return toHistory(parseJsonEvents(text, source));
}

export function readHistory(path: string): ReadHistory {
  return toHistory(parseJsonEvents(readFileSync(path), path));
}
