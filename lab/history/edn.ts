// Reads Jepsen's own histories (history.edn): a sequence of op maps, one a line as Jepsen writes
// them, or one vector/list of maps as Knossos's test data has them. Values are parsed by edn-data;
// a small scanner of our own finds where each op starts, so that every problem (an unclosed
// bracket, a string that never ends, an op without :process) is named by line and column.
//
// Mapping to the lab's history (docs/history-format.md, "Jepsen EDN"):
// - a process's completion matches its open invoke (Jepsen's rule: a process runs one op at a
//   time); op ids are assigned in invoke order; ops of the :nemesis process become lab events;
// - register-shaped ops (:read, :write, :cas, and any other f) become `{ f, value }` inputs, with
//   Knossos's meaning of outcomes: an :ok cas swapped (output true), a :fail cas did not happen,
//   an :ok read of nil read a value nobody knows (it becomes an info completion: it constrains
//   nothing);
//   values that are independent-key tuples [k v] (jepsen.independent) give the op's key, else all
//   such ops share the key `default`;
// - :txn ops keep their micro-ops ([:append k v] [:r k [..]], keywords as strings) for the
//   isolation checker;
// - an op map that carries :key was written by the lab's own export: its :value is the lab's value.
//
// This is the first step of reading only (lab/history/reader.ts): it gives raw events, each with
// where it came from as file:line:col, and toHistory checks them and orders them by :time with the
// same rule as every other format (an op completed before its invoke is refused, equal instants
// keep the file order).

import { readFileSync } from 'node:fs';
import { parseEDNString } from 'edn-data';
import type { CompletionEvent, HistoryEvent, InvokeEvent, NemesisEvent, Outcome } from './event.ts';
import { HistoryFormatError, toHistory, type ParsedEvents, type ReadHistory } from './reader.ts';

/** The key of register-shaped ops that carry no independent-key tuple. */
export const DEFAULT_KEY = 'default';

/**
 * Deeper nesting than this is refused: no history needs it, and a recursive reader would overflow.
 */
const MAX_DEPTH = 500;

interface Span {
  start: number;
  end: number;
  line: number;
  col: number;
}

const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const isSpace = (c: string) =>
  c === ' ' || c === ',' || c === '\n' || c === '\r' || c === '\t' || c === '\f';
const isDelimiter = (c: string) => isSpace(c) || '()[]{}";'.includes(c);

/**
 * Splits EDN text into its top-level forms (and the elements of a single top-level vector or
 * list), checking that brackets match, strings end and maps have pairs. Values are not built here.
 */
export function scanEdnForms(
  text: string,
  source: string,
): { top: Span[]; inner: Span[]; topIsCollection: boolean } {
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  const where = (p: number): string => {
    // Only on errors, so counting from the start is fine.
    let l = 1;
    let ls = 0;
    for (let i = 0; i < p; i++) {
      if (text.charCodeAt(i) !== 10) continue;
      l++;
      ls = i + 1;
    }
    return `${source}:${l}:${p - ls + 1}`;
  };
  const here = (): { line: number; col: number } => ({ line, col: pos - lineStart + 1 });
  const advance = () => {
    if (text.charCodeAt(pos) === 10) {
      line++;
      lineStart = pos + 1;
    }
    pos++;
  };
  const skipSpace = () => {
    while (pos < text.length) {
      const c = text[pos]!;
      if (isSpace(c)) advance();
      else if (c === ';') while (pos < text.length && text[pos] !== '\n') advance();
      else break;
    }
  };
  const inner: Span[] = [];
  // Returns false for a discarded form (#_), which does not count as an element.
  const readForm = (depth: number): boolean => {
    if (depth > MAX_DEPTH)
      throw new HistoryFormatError(
        `${where(pos)}: EDN nested more than ${MAX_DEPTH} levels deep; a history op never is`,
      );
    const c = text[pos]!;
    if (c === '"') {
      const open = pos;
      advance();
      while (pos < text.length && text[pos] !== '"') {
        if (text[pos] === '\\') advance();
        advance();
      }
      if (pos >= text.length)
        throw new HistoryFormatError(
          `${where(open)}: a string starts here and never ends (a missing closing ")`,
        );
      advance();
      return true;
    }
    if (c in CLOSER) {
      readSeq(c, depth);
      return true;
    }
    if (c === ')' || c === ']' || c === '}')
      throw new HistoryFormatError(`${where(pos)}: unexpected ${c} with nothing open to close`);
    if (c === '#') {
      const next = text[pos + 1];
      if (next === '{') {
        advance();
        readSeq('{', depth, true);
        return true;
      }
      if (next === '_') {
        advance();
        advance();
        skipSpace();
        if (pos >= text.length)
          throw new HistoryFormatError(`${where(pos)}: #_ at the end with no form to discard`);
        readForm(depth);
        return false;
      }
      // A tag (#inst, #jepsen.history.Op, …): the tag and the form after it are one form.
      const tagAt = pos;
      while (pos < text.length && !isDelimiter(text[pos]!)) advance();
      skipSpace();
      if (pos >= text.length)
        throw new HistoryFormatError(`${where(tagAt)}: a tag with no form after it`);
      readForm(depth);
      return true;
    }
    if (c === '\\') {
      advance(); // a character literal: the next character is taken as is, even a delimiter
      if (pos < text.length) advance();
    }
    while (pos < text.length && !isDelimiter(text[pos]!)) advance();
    return true;
  };
  const readSeq = (open: string, depth: number, isSet = false): void => {
    const at = pos;
    const closer = CLOSER[open]!;
    advance();
    let count = 0;
    for (;;) {
      skipSpace();
      if (pos >= text.length)
        throw new HistoryFormatError(
          `${where(isSet ? at - 1 : at)}: ${isSet ? '#{' : open} opened here is never closed (a missing ${closer})`,
        );
      const c = text[pos]!;
      if (c === ')' || c === ']' || c === '}') {
        if (c !== closer)
          throw new HistoryFormatError(
            `${where(pos)}: ${c} closes the ${open} opened at ${where(at)} (expected ${closer})`,
          );
        if (open === '{' && !isSet && count % 2 === 1)
          throw new HistoryFormatError(
            `${where(at)}: this map has a key without a value (${count} forms)`,
          );
        advance();
        return;
      }
      const start = pos;
      const pos0 = here();
      if (readForm(depth + 1)) {
        count++;
        if (depth === 0) inner.push({ start, end: pos, line: pos0.line, col: pos0.col });
      }
    }
  };
  const top: Span[] = [];
  let topIsCollection = false;
  for (;;) {
    skipSpace();
    if (pos >= text.length) break;
    const start = pos;
    const p = here();
    inner.length = 0;
    const c = text[pos]!;
    if (readForm(0)) {
      top.push({ start, end: pos, line: p.line, col: p.col });
      topIsCollection = c === '[' || c === '(';
    }
  }
  return {
    top,
    inner: top.length === 1 && topIsCollection ? inner : [],
    topIsCollection: top.length === 1 && topIsCollection,
  };
}

/**
 * EDN as parsed by edn-data → plain JSON-like values: maps → objects, sets and lists → arrays, tags
 * unwrapped.
 */
function plain(v: unknown): unknown {
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v) o[typeof k === 'string' ? k : JSON.stringify(plain(k))] = plain(x);
    return o;
  }
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (v !== null && typeof v === 'object' && 'tag' in v && 'val' in v)
    return plain((v as { val: unknown }).val);
  return v;
}

function parseForm(text: string, span: Span, source: string): Record<string, unknown> {
  const at = `${source}:${span.line}:${span.col}`;
  let v: unknown;
  try {
    v = parseEDNString(text.slice(span.start, span.end), {
      mapAs: 'map',
      setAs: 'array',
      listAs: 'array',
      keywordAs: 'string',
      symbolAs: 'string',
      charAs: 'string',
    });
  } catch (e) {
    throw new HistoryFormatError(`${at}: not valid EDN: ${(e as Error).message}`);
  }
  const o = plain(v);
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    throw new HistoryFormatError(
      `${at}: an op must be an EDN map like {:type :invoke, :process 0, :f :read, :value nil}; got ${JSON.stringify(o)?.slice(0, 80)}`,
    );
  }
  return o as Record<string, unknown>;
}

const TYPES = new Set(['invoke', 'ok', 'fail', 'info']);

interface RawOp {
  at: string;
  m: Record<string, unknown>;
  type: 'invoke' | Outcome;
  process: number | 'nemesis';
  f: string;
  time: number;
}

function checkOp(m: Record<string, unknown>, at: string, i: number, timed: boolean): RawOp {
  const type = m.type;
  if (typeof type !== 'string' || !TYPES.has(type))
    throw new HistoryFormatError(
      `${at}: :type must be one of :invoke, :ok, :fail, :info; got ${JSON.stringify(type)}`,
    );
  const process = m.process;
  if (!(process === 'nemesis' || (typeof process === 'number' && Number.isInteger(process)))) {
    throw new HistoryFormatError(
      `${at}: :process must be an integer (a client process) or :nemesis; got ${JSON.stringify(process)}`,
    );
  }
  const f = m.f;
  if (process !== 'nemesis' && (typeof f !== 'string' || f === ''))
    throw new HistoryFormatError(
      `${at}: :f must name the op (a keyword like :read); got ${JSON.stringify(f)}`,
    );
  const time = m.time;
  if (timed && (typeof time !== 'number' || !Number.isFinite(time)))
    throw new HistoryFormatError(
      `${at}: :time must be a number (nanoseconds), as on the first op; got ${JSON.stringify(time)}`,
    );
  if (!timed && time !== undefined)
    throw new HistoryFormatError(
      `${at}: :time is given here but not on the first op; give it on every op or on none`,
    );
  return {
    at,
    m,
    type: type as RawOp['type'],
    process: process as RawOp['process'],
    f: typeof f === 'string' ? f : 'nemesis',
    time: timed ? (time as number) : i,
  };
}

const isPair = (v: unknown): v is [unknown, unknown] => Array.isArray(v) && v.length === 2;
const keyOf = (k: unknown): string => (typeof k === 'string' ? k : JSON.stringify(k));
const READS = new Set(['read', 'r', 'get']);

function errorOf(e: unknown): CompletionEvent['error'] | undefined {
  if (e === undefined || e === null) return undefined;
  if (
    typeof e === 'object' &&
    !Array.isArray(e) &&
    typeof (e as { message?: unknown }).message === 'string'
  )
    return e as CompletionEvent['error'];
  return { message: typeof e === 'string' ? e : JSON.stringify(e) };
}

/** An event before toHistory numbers it (its `index` is its place in time order). */
type Unindexed<T> = T extends unknown ? Omit<T, 'index'> : never;

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Jepsen EDN → raw events in file order, each `where` naming file:line:col of its op map. */
export function parseEdnEvents(bytes: Uint8Array | string, source = 'history.edn'): ParsedEvents {
  let text: string;
  if (typeof bytes === 'string') text = bytes;
  else {
    try {
      text = decoder.decode(bytes);
    } catch {
      throw new HistoryFormatError(
        `${source}: not text (invalid UTF-8); Jepsen's history.edn is EDN text`,
      );
    }
  }
  const { top, inner, topIsCollection } = scanEdnForms(text, source);
  const spans = topIsCollection ? inner : top;
  const maps = spans.map((s) => ({
    at: `${source}:${s.line}:${s.col}`,
    m: parseForm(text, s, source),
  }));
  const timed = maps.length > 0 && maps[0]!.m.time !== undefined;
  const raws = maps.map(({ at, m }, i) => checkOp(m, at, i, timed));

  let lastIndex = -Infinity;
  for (const r of raws) {
    const ix = r.m.index;
    if (ix === undefined) continue;
    if (typeof ix !== 'number' || !Number.isInteger(ix) || ix <= lastIndex)
      throw new HistoryFormatError(
        `${r.at}: :index must be an integer larger than the previous op's; got ${JSON.stringify(ix)}`,
      );
    lastIndex = ix;
  }

  // Pair by process, as Jepsen does; remember each op's invoke for the value mapping below.
  const open = new Map<number, { op: number; raw: RawOp }>();
  const opOf: (number | null)[] = [];
  const invokeOf = new Map<number, RawOp>();
  let nextOp = 0;
  for (const r of raws) {
    if (r.process === 'nemesis') {
      opOf.push(null);
      continue;
    }
    const o = open.get(r.process);
    if (r.type === 'invoke') {
      if (o)
        throw new HistoryFormatError(
          `${r.at}: process ${r.process} invokes while its op invoked at ${o.raw.at} is still open (a process runs one op at a time; its completion is missing)`,
        );
      const id = nextOp++;
      open.set(r.process, { op: id, raw: r });
      invokeOf.set(id, r);
      opOf.push(id);
    } else {
      if (!o)
        throw new HistoryFormatError(
          `${r.at}: a :${r.type} completion of process ${r.process} with no open invoke before it`,
        );
      if (o.raw.f !== r.f)
        throw new HistoryFormatError(
          `${r.at}: a completion of :${r.f} for process ${r.process}, whose open invoke at ${o.raw.at} is :${o.raw.f}`,
        );
      open.delete(r.process);
      opOf.push(o.op);
    }
  }

  // Independent keys: every register-shaped invoke value is a [k v] tuple (and a cas's v is [a b]).
  const generic = [...invokeOf.values()].filter((r) => r.f !== 'txn' && !('key' in r.m));
  const independent =
    generic.length > 0 &&
    generic.every(
      (r) => isPair(r.m.value) && (r.f !== 'cas' || isPair((r.m.value as unknown[])[1])),
    );

  const events = raws.map((r, index): Unindexed<HistoryEvent> => {
    if (r.process === 'nemesis') {
      const v = r.m.value;
      const lab =
        v !== null &&
        typeof v === 'object' &&
        !Array.isArray(v) &&
        typeof (v as { fault?: unknown }).fault === 'string' &&
        ['start', 'stop', 'event'].includes(r.f);
      const e: Unindexed<NemesisEvent> = lab
        ? {
            type: 'nemesis',
            time: r.time,
            phase: r.f as NemesisEvent['phase'],
            fault: (v as { fault: string }).fault,
            kind: String((v as { kind?: unknown }).kind ?? r.f),
          }
        : {
            type: 'nemesis',
            time: r.time,
            phase: 'event',
            fault: 'nemesis',
            kind: r.f,
            detail: { type: r.type, value: v ?? null },
          };
      if (lab && (v as { detail?: unknown }).detail !== undefined)
        e.detail = (v as { detail: unknown }).detail;
      return e;
    }
    const op = opOf[index]!;
    const inv = invokeOf.get(op)!;
    const base = { time: r.time, op, process: r.process, client: r.process, f: r.f };
    let key: string | undefined;
    let value: unknown;
    let type = r.type;
    let unknownRead = false;
    const raw = r.m.value ?? null;
    if ('key' in inv.m) {
      // The lab's own export: values are the lab's.
      if (inv.m.key !== null && inv.m.key !== undefined) key = keyOf(inv.m.key);
      value = raw;
    } else if (r.f === 'txn') {
      value = raw;
    } else {
      const invRaw = inv.m.value ?? null;
      key = independent ? keyOf((invRaw as unknown[])[0]) : DEFAULT_KEY;
      const inner = independent && isPair(raw) && keyOf(raw[0]) === key ? raw[1] : raw;
      if (r.type === 'invoke')
        value = inner === null || inner === undefined ? { f: r.f } : { f: r.f, value: inner };
      else if (r.type === 'ok' && READS.has(r.f) && (inner === null || inner === undefined)) {
        // Knossos reads an :ok read of nil as a value it does not know (its models accept it in
        // any state): the lab's way to say so is an outcome it does not know.
        type = 'info';
        unknownRead = true;
        value = null;
      } else if (r.type === 'ok') value = r.f === 'cas' ? true : inner;
      else value = inner;
    }
    if (r.type === 'invoke') {
      const e: Unindexed<InvokeEvent> = { type: 'invoke', ...base };
      if (key !== undefined) e.key = key;
      if (value !== undefined) e.value = value;
      return e;
    }
    const e: Unindexed<CompletionEvent> = { type, ...base } as Unindexed<CompletionEvent>;
    if (key !== undefined) e.key = key;
    if (value !== undefined) e.value = value;
    const err = unknownRead
      ? { message: 'an :ok read of nil: Knossos reads it as an unknown value' }
      : errorOf(r.m.error);
    if (err) e.error = err;
    return e;
  });
  return {
    source,
    values: events,
    whereOf: (i) => raws[i]!.at,
    warnings: [],
    whereNamesSource: true,
    owned: true,
  };
}

export function parseEdnHistory(text: string, source = 'history.edn'): ReadHistory {
  return toHistory(parseEdnEvents(text, source));
}

export function readEdnHistory(path: string): ReadHistory {
  return toHistory(parseEdnEvents(readFileSync(path), path));
}
