// The JSONL reader's batches (lab/history/jsonl.ts) against a plain reference written here: the
// documented rule (docs/history-format.md) one line at a time, JSON.parse per line, then the
// documented checks of every event, the time order and the pairing. On generated histories, valid
// and slightly broken (cut lines, stray values, control and non-UTF-8 bytes, bad fields, lines
// repeated or swapped, torn last lines), both give the same events, or an error on the same line.
// The reader runs with its own limits and with tiny ones, so that lines cross chunk and batch
// boundaries.

import test from 'ava';
import fc from 'fast-check';
import { type JsonlLimits, parseJsonl, scanLine } from '../../lab/history/jsonl.ts';
import { HistoryFormatError, toHistory } from '../../lab/history/reader.ts';

// ---------- the reference ----------

type Outcome = { events: unknown[]; warnings: string[] } | { error: string };

const SRC = 'h';
const TYPES = ['invoke', 'ok', 'fail', 'info', 'nemesis'];

function depth(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  let d = 0;
  for (const c of Array.isArray(v) ? v : Object.values(v)) d = Math.max(d, depth(c));
  return d + 1;
}

/** Why an event is refused (docs/history-format.md, "What is refused"), or null. */
function eventProblem(e: unknown): string | null {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return 'not an object';
  const x = e as Record<string, unknown>;
  if (typeof x.type !== 'string' || !TYPES.includes(x.type)) return 'type';
  if (typeof x.time !== 'number' || !Number.isFinite(x.time)) return 'time';
  if (x.type !== 'nemesis') {
    if (!Number.isInteger(x.op)) return 'op';
    if (typeof x.process !== 'number') return 'process';
    if (typeof x.f !== 'string') return 'f';
    const k = x.key;
    if (k !== undefined && typeof k !== 'string' && !(typeof k === 'number' && Number.isFinite(k)))
      return 'key';
  }
  return depth(e) > 100 ? 'depth' : null;
}

const strict = new TextDecoder('utf-8', { fatal: true });
const isControl = (c: number) => c < 0x20 && c !== 9 && c !== 13 && c !== 10;

/** The lines of a file as text, each with whether it was cut inside a character. */
function linesOf(bytes: Uint8Array): { text: string; torn: boolean; bad: boolean }[] {
  const raw: Uint8Array[] = [];
  let from = 0;
  for (let i = 0; i < bytes.length; i++)
    if (bytes[i] === 10) {
      raw.push(bytes.subarray(from, i));
      from = i + 1;
    }
  if (from < bytes.length) raw.push(bytes.subarray(from));
  let whole: string | null = null;
  try {
    whole = strict.decode(bytes);
  } catch {
    /* line by line */
  }
  if (whole !== null) {
    const texts = whole.split('\n');
    return raw.map((_, i) => ({ text: texts[i]!, torn: false, bad: false }));
  }
  const unterminated = bytes.length > 0 && bytes[bytes.length - 1] !== 10;
  return raw.map((b, i) => {
    try {
      return { text: strict.decode(b), torn: false, bad: false };
    } catch {
      if (i === raw.length - 1 && unterminated)
        for (let cut = 1; cut <= 3 && cut < b.length; cut++) {
          try {
            return { text: strict.decode(b.subarray(0, b.length - cut)), torn: true, bad: false };
          } catch {
            /* shorter */
          }
        }
      return { text: '', torn: false, bad: true };
    }
  });
}

function topLevelObject(text: string): boolean {
  try {
    const v = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) && !('type' in v);
  } catch {
    return false;
  }
}

function reference(bytes: Uint8Array): Outcome {
  const lines = linesOf(bytes);
  const unterminated = bytes.length > 0 && bytes[bytes.length - 1] !== 10;
  const values: { v: unknown; line: number }[] = [];
  const warnings: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const { text, torn, bad } = lines[i]!;
    const n = i + 1;
    if (bad) return { error: `line ${n}` };
    const line = text.trim();
    if (line === '') continue;
    if ([...line].some((c) => isControl(c.charCodeAt(0)))) return { error: `line ${n}` };
    let v: unknown;
    try {
      if (torn) throw new Error('torn');
      v = JSON.parse(line);
    } catch {
      if (i === lines.length - 1 && unterminated && line.startsWith('{')) {
        warnings.push(
          `${SRC}: line ${n} is incomplete (the run was interrupted while writing it); skipped`,
        );
        continue;
      }
      let whole = '';
      try {
        whole = strict.decode(bytes);
      } catch {
        /* not text: no top-level object */
      }
      if (values.length === 0 && topLevelObject(whole)) return { error: 'top' };
      return { error: `line ${n}` };
    }
    values.push({ v, line: n });
  }
  // One value that is an object without a type: the file may be one JSON object (first 3 lines).
  if (
    values.length === 1 &&
    warnings.length === 0 &&
    topLevelObject(JSON.stringify(values[0]!.v)) &&
    topLevelObject(
      lines
        .slice(0, 3)
        .map((l) => `${l.text}\n`)
        .join(''),
    )
  )
    return { error: 'top' };
  for (const { v, line } of values) if (eventProblem(v)) return { error: `line ${line}` };
  type E = Record<string, unknown> & { time: number; type: string; op: number };
  const order = values
    .map((x, i) => ({ e: x.v as E, line: x.line, i }))
    .sort((a, b) => a.e.time - b.e.time || a.i - b.i);
  const open = new Set<number>();
  const done = new Set<number>();
  for (const { e, line } of order) {
    if (e.type === 'nemesis') continue;
    if (e.type === 'invoke') {
      if (open.has(e.op) || done.has(e.op)) return { error: `line ${line}` };
      open.add(e.op);
    } else {
      if (!open.has(e.op)) return { error: `line ${line}` };
      open.delete(e.op);
      done.add(e.op);
    }
  }
  const events = order.map(({ e }, index) => {
    const x: Record<string, unknown> = { ...e, index };
    if (x.type !== 'nemesis' && typeof x.client !== 'number') x.client = x.process;
    if (typeof x.key === 'number') x.key = String(x.key);
    return x;
  });
  return { events, warnings };
}

// ---------- the reader under test ----------

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
  );
}

function actual(bytes: Uint8Array, limits?: JsonlLimits): Outcome {
  try {
    const h = toHistory(parseJsonl(bytes, SRC, limits));
    return { events: h.events.map(canonical), warnings: h.warnings };
  } catch (e) {
    if (!(e instanceof HistoryFormatError)) throw e;
    if (e.message.startsWith(`${SRC}: the top level is one JSON object`)) return { error: 'top' };
    const m = /^h (line \d+): /.exec(e.message);
    return { error: m ? m[1]! : `unexpected message: ${e.message}` };
  }
}

const expected = (bytes: Uint8Array): Outcome => {
  const r = reference(bytes);
  return 'events' in r ? { events: r.events.map(canonical), warnings: r.warnings } : r;
};

// ---------- generated histories ----------

/** Strings that a bracket counter must not be fooled by. */
const tricky = fc.constantFrom(
  'a],[{"b":1}',
  '\\',
  '"',
  '}{',
  ',',
  '\\"]',
  'é',
  '日本',
  '🙂',
  ' ',
  '',
  '\u2028',
  '\u0001',
);
const leaf = fc.oneof(
  fc.integer({ min: -5, max: 1000 }),
  fc.constant(null),
  fc.boolean(),
  tricky,
  fc.string({ maxLength: 4 }),
  fc.string({ unit: 'binary', maxLength: 3 }),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c,d', '[x'), tie('v'), { maxKeys: 3 }),
  ),
})).v;

interface GenOp {
  key: string | number;
  process: number;
  f: string;
  start: number;
  length: number;
  end: 'ok' | 'fail' | 'info' | 'none';
  input: unknown;
  output: unknown;
  client: boolean;
}
const genOp: fc.Arbitrary<GenOp> = fc.record({
  key: fc.oneof(fc.constantFrom('x', 'y', 'k,1'), fc.integer({ min: 0, max: 3 })),
  process: fc.integer({ min: 0, max: 4 }),
  f: fc.constantFrom('read', 'write', 'cas', 'txn'),
  start: fc.integer({ min: 0, max: 50 }),
  length: fc.integer({ min: 0, max: 10 }),
  end: fc.constantFrom('ok', 'fail', 'info', 'none'),
  input: value,
  output: value,
  client: fc.boolean(),
});
const nemesis = fc.record({
  type: fc.constant('nemesis'),
  time: fc.integer({ min: 0, max: 60 }),
  phase: fc.constantFrom('start', 'stop', 'event'),
  fault: fc.constantFrom('p1', 'kill'),
  kind: fc.constant('partition'),
});

/** The events of ops and nemesis events, in time order or in the order generated. */
function eventsOf(ops: GenOp[], nem: object[], sorted: boolean): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  ops.forEach((o, id) => {
    const base = {
      op: id,
      process: o.process,
      f: o.f,
      key: o.key,
      ...(o.client ? { client: 9 } : {}),
    };
    out.push({ type: 'invoke', time: o.start, ...base, value: o.input });
    if (o.end !== 'none')
      out.push({ type: o.end, time: o.start + o.length, ...base, value: o.output, index: 77 });
  });
  out.push(...(nem as Record<string, unknown>[]));
  if (sorted) out.sort((a, b) => (a.time as number) - (b.time as number));
  return out;
}

const STRAY = [
  '{"oops"',
  '1,2',
  '[1',
  '2]',
  '{"a":[1',
  '2]}',
  '',
  '   ',
  '\t',
  '{}',
  'null',
  '"str"',
  '[]',
  '{"type":"ok"}',
  '\u0000{}',
  '\u00a0{"type":"nemesis","time":1}',
  '{"type":"nemesis","time":1}\u000b',
  '{"type":"nemesis","time":2} ,',
  '{"type":"nemesis","time":3, "x":"\\u00e9"}',
  `{"type":"nemesis","time":4,"v":${'['.repeat(101)}${']'.repeat(101)}}`,
  `{"type":"nemesis","time":4,"v":${'['.repeat(99)}${']'.repeat(99)}}`,
];
/**
 * Lines that fool a count of values per batch: two halves of one value, and two values on one
 * line, so that the batch still parses into one value per line.
 */
const FOOLS = [
  [
    '{"type":"nemesis","time":1,"v":[1',
    '2]}',
    '{"type":"nemesis","time":2},{"type":"nemesis","time":3}',
  ],
  [
    '{"type":"nemesis","time":2},{"type":"nemesis","time":3}',
    '{"type":"nemesis","time":1,"v":{"a":[1',
    '"b"]}}',
  ],
  ['{"type":"nemesis","time":1,"v":"x', 'y"}', '1,2'],
];

type Mutation =
  | { kind: 'cut'; at: number; pos: number }
  | { kind: 'stray'; at: number; line: string }
  | { kind: 'fool'; at: number; lines: string[] }
  | { kind: 'field'; at: number; field: string; to: unknown }
  | { kind: 'dup'; at: number }
  | { kind: 'swap'; at: number; with: number }
  | { kind: 'control'; at: number; pos: number }
  | { kind: 'spaces'; at: number };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), pos: fc.nat() }),
  fc.record({ kind: fc.constant('stray' as const), at: fc.nat(), line: fc.constantFrom(...STRAY) }),
  fc.record({ kind: fc.constant('fool' as const), at: fc.nat(), lines: fc.constantFrom(...FOOLS) }),
  fc.record({
    kind: fc.constant('field' as const),
    at: fc.nat(),
    field: fc.constantFrom('time', 'op', 'process', 'type', 'key', 'f'),
    to: fc.constantFrom('x', 1.5, null, undefined, { k: 1 }, 'done', 3),
  }),
  fc.record({ kind: fc.constant('dup' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('control' as const), at: fc.nat(), pos: fc.nat() }),
  fc.record({ kind: fc.constant('spaces' as const), at: fc.nat() }),
);

function mutate(lines: string[], m: Mutation): void {
  if (lines.length === 0) return;
  const i = m.at % lines.length;
  const line = lines[i]!;
  switch (m.kind) {
    case 'cut':
      lines[i] = line.slice(0, m.pos % (line.length + 1));
      break;
    case 'stray':
      lines.splice(i, 0, m.line);
      break;
    case 'fool':
      lines.splice(i, 0, ...m.lines);
      break;
    case 'field': {
      try {
        const e = JSON.parse(line) as Record<string, unknown>;
        e[m.field] = m.to;
        lines[i] = JSON.stringify(e);
      } catch {
        /* not an event any more */
      }
      break;
    }
    case 'dup':
      lines.splice(i, 0, line);
      break;
    case 'swap': {
      const j = m.with % lines.length;
      [lines[i], lines[j]] = [lines[j]!, line];
      break;
    }
    case 'control': {
      const p = m.pos % (line.length + 1);
      lines[i] = `${line.slice(0, p)}\u0001${line.slice(p)}`;
      break;
    }
    case 'spaces':
      lines[i] = ` \t${line} \r`;
      break;
  }
}

/** How the file ends and what bytes it is made of. */
interface Ending {
  newline: boolean;
  /** Cut this many bytes off the end (a torn last line, maybe inside a character). */
  cut: number;
  /** Put a byte that is never UTF-8 (0xff) at this line, if any. */
  badByte: number | null;
  bom: boolean;
}
const ending: fc.Arbitrary<Ending> = fc.record({
  newline: fc.boolean(),
  cut: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 12 })),
  badByte: fc.option(fc.nat(), { freq: 6 }),
  bom: fc.boolean(),
});

function bytesOf(lines: string[], end: Ending): Uint8Array {
  let text = lines.join('\n') + (end.newline ? '\n' : '');
  if (end.bom) text = `\ufeff${text}`;
  let bytes: Uint8Array = new TextEncoder().encode(text);
  if (end.cut > 0) bytes = bytes.subarray(0, Math.max(0, bytes.length - end.cut));
  if (end.badByte !== null && lines.length > 0) {
    // Just before the start of line badByte (mod the lines): never inside a line's character.
    const at = new TextEncoder().encode(
      lines.slice(0, end.badByte % lines.length).join('\n') +
        (end.badByte % lines.length ? '\n' : ''),
    ).length;
    if (at <= bytes.length)
      bytes = new Uint8Array([...bytes.subarray(0, at), 0xff, ...bytes.subarray(at)]);
  }
  return bytes;
}

const TINY: JsonlLimits = { chunkBytes: 1, batchBytes: 1 };
const SMALL: JsonlLimits = { chunkBytes: 97, batchBytes: 60 };

const history = fc.record({
  ops: fc.array(genOp, { maxLength: 12 }),
  nem: fc.array(nemesis, { maxLength: 3 }),
  sorted: fc.boolean(),
  mutations: fc.array(mutation, { maxLength: 2 }),
  end: ending,
  blank: fc.option(fc.nat(), { freq: 3 }),
});

test('the reader gives what the reference gives, on generated histories valid and slightly broken', (t) => {
  fc.assert(
    fc.property(history, (h) => {
      const lines = eventsOf(h.ops, h.nem, h.sorted).map((e) => JSON.stringify(e));
      if (h.blank !== null && lines.length > 0) lines.splice(h.blank % lines.length, 0, '');
      for (const m of h.mutations) mutate(lines, m);
      const bytes = bytesOf(lines, h.end);
      const want = expected(bytes);
      for (const limits of [undefined, SMALL, TINY])
        t.deepEqual(actual(bytes, limits), want, `limits ${JSON.stringify(limits)}`);
    }),
    { numRuns: 400 },
  );
});

test('valid histories: the events in time order, numbered, with client and key filled in', (t) => {
  fc.assert(
    fc.property(fc.array(genOp, { maxLength: 12 }), fc.boolean(), (ops, sorted) => {
      const closed = ops.map((o) => ({ ...o, end: o.end === 'none' ? ('ok' as const) : o.end }));
      const lines = eventsOf(closed, [], sorted).map((e) => JSON.stringify(e));
      const bytes = new TextEncoder().encode(`${lines.join('\n')}\n`);
      const got = actual(bytes);
      t.deepEqual(got, expected(bytes));
      // Worked out independently of the reference: every op's two events, nothing refused.
      t.true('events' in got && got.events.length === 2 * ops.length);
    }),
    { numRuns: 100 },
  );
});

test('scanLine: the nesting depth, strings skipped; blank and lines that cannot share a batch', (t) => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  const scan = (s: string) => scanLine(bytes(s), 0, bytes(s).length);
  t.is(scan('{"a":[1,{"b":2}]}'), 3);
  t.is(scan('{"a":"]]]}}}"}'), 1);
  t.is(scan('{"a":"\\"]"}'), 1);
  t.is(scan('{"a":"\\\\"}'), 1);
  t.is(scan('1'), 0);
  t.is(scan(' \t\r'), -1, 'blank');
  t.is(scan('[1'), -2, 'left open');
  t.is(scan('2]'), -2, 'closed before opened');
  t.is(scan('1,2'), -2, 'two values');
  t.is(scan('{"a":"x'), -2, 'string left open');
  t.is(scan('{"a":"x\\'), -2, 'escape at the end');
  t.is(scan('{"a":1},{"b":2}'), -2);
  // Only from..to is read.
  t.is(scanLine(bytes('xx[[1]]yy'), 2, 7), 2);
  // The bytes of a multi-byte character are never structure.
  t.is(scan('{"a":"日本]"}'), 1);
});

test('a batch that does not parse is read line by line: the first bad line is named', (t) => {
  const good = '{"type":"nemesis","time":1,"phase":"event","fault":"f","kind":"k"}';
  const text = `${good}\n${good}\n{"type":"nemesis","time":2,}\n${good}\n[1\n`;
  t.deepEqual(actual(new TextEncoder().encode(text)), { error: 'line 3' });
  // Two halves of a value on two lines parse as one array element: still line 1's error.
  const halves = '{"type":"nemesis","time":1,"v":[1\n2]}\n';
  t.deepEqual(actual(new TextEncoder().encode(halves)), { error: 'line 1' });
  // …even when another line holds two values, so that the batch has one value per line.
  const fooled = `${halves}{"type":"nemesis","time":2},{"type":"nemesis","time":3}\n`;
  t.deepEqual(actual(new TextEncoder().encode(fooled)), { error: 'line 1' });
});
