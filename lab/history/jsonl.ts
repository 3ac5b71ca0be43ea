// JSONL, one event per line, read by one rule (readLine): a blank line is skipped; a line with a
// control character is not text; a line that does not parse is an error, except the last line of
// an interrupted run (no final newline, starts like an event), skipped with a warning.
//
// Most lines never go through readLine one by one: a run of lines whose brackets balance
// (scanLine, on the bytes) is parsed as one JSON array, a fraction of the cost of a JSON.parse and
// a string per line. When such a batch parses into one value per line, each value is what
// JSON.parse of its line gives (README.md in this folder says why), and the rule would have
// accepted every line of it; when it does not parse, its lines are read again one by one by the
// rule, which stops at the first bad line with that line's error. Either way the events and the
// errors are the rule's.

import { Buffer, isAscii, isUtf8 } from 'node:buffer';
import { depthOf, HistoryFormatError, MAX_VALUE_DEPTH, type ParsedEvents } from './parsed.ts';

/** How much is decoded and parsed at once (small in tests, to cross every boundary). */
export interface JsonlLimits {
  /** Bytes checked for UTF-8 at once (whole lines): a bad byte is looked for line by line. */
  chunkBytes: number;
  /** Bytes parsed as one batch: past it, the batch is parsed and a new one begun. */
  batchBytes: number;
}

export const JSONL_LIMITS: JsonlLimits = { chunkBytes: 64 << 20, batchBytes: 64 << 10 };

/** scanLine's answers besides a depth. */
const BLANK = -1;
const ALONE = -2;

const decoder = new TextDecoder('utf-8', { fatal: true });
/** The file's own byte-order mark is skipped once; one further on is text, as in the whole. */
const decoderKeepingBOM = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const textOf = (bytes: Uint8Array, from: number, to: number) =>
  decoderKeepingBOM.decode(bytes.subarray(from, to));

/** The control characters a history line may not hold; binaryAt says where. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\x00-\x08\x0a-\x0c\x0e-\x1f]/;

/** The first control character that has no business in JSON text (NUL, …), or -1. */
function binaryAt(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c < 0x20 && c !== 9 && c !== 13) return i;
  }
  return -1;
}

/** A line's text; the last line of an interrupted run may be cut inside a multi-byte character. */
function decodeLine(
  bytes: Uint8Array,
  source: string,
  lineNo: number,
  last: boolean,
): { text: string; tornChar: boolean } {
  try {
    return { text: decoder.decode(bytes), tornChar: false };
  } catch {
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

/** The message for a file that is one JSON object (not a history), or null when it is not one. */
export function topLevelObject(
  content: string | Uint8Array,
  source: string,
): HistoryFormatError | null {
  let whole: unknown;
  try {
    whole = JSON.parse(typeof content === 'string' ? content : decoder.decode(content));
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

/**
 * bytes[from, to) (UTF-8) as one JSON value: the deepest nesting of its brackets; BLANK when it
 * holds nothing but spaces, tabs and CRs; ALONE when it cannot share a batch with other lines: a
 * bracket closed that was never opened, one left open, a string left open, or a comma outside
 * brackets (two values on one line). Strings are skipped by JSON's rule (a backslash escapes the
 * next character), so brackets and commas inside them do not count; the bytes of a multi-byte
 * character are all 0x80 or more, never one of these.
 */
export function scanLine(bytes: Uint8Array, from: number, to: number): number {
  let s = from;
  for (; s < to; s++) {
    const c = bytes[s]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) break;
  }
  if (s === to) return BLANK;
  let depth = 0;
  let max = 0;
  for (let i = s; i < to; i++) {
    const c = bytes[i]!;
    if (c === 0x22) {
      for (i++; i < to; i++) {
        const d = bytes[i]!;
        if (d === 0x22) break;
        if (d === 0x5c) i++;
      }
      if (i >= to) return ALONE;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) {
      if (--depth < 0) return ALONE;
    } else if (c === 0x2c && depth === 0) return ALONE;
  }
  return depth === 0 ? max : ALONE;
}

/** The events read so far, and the rule for one line. */
class JsonlRead {
  readonly values: unknown[] = [];
  /** The line of each value, 1-based. */
  readonly lines: number[] = [];
  readonly warnings: string[] = [];
  maxDepth = 0;
  /** The first three lines, for the message about a one-line JSON object. */
  head = '';

  constructor(
    readonly source: string,
    readonly bytes: Uint8Array,
  ) {}

  push(value: unknown, line: number): void {
    this.values.push(value);
    this.lines.push(line);
  }

  /** One line by the rule. `tornChar`: the last line was cut inside a multi-byte character. */
  readLine(raw: string, lineNo: number, last: boolean, tornChar: boolean): void {
    const { source } = this;
    const line = raw.trim();
    if (line === '') return;
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
        this.warnings.push(
          `${source}: line ${lineNo} is incomplete (the run was interrupted while writing it); skipped`,
        );
        return;
      }
      if (this.values.length === 0) {
        const obj = topLevelObject(this.bytes, source);
        if (obj) throw obj;
      }
      throw new HistoryFormatError(
        `${source} line ${lineNo}: not valid JSON${last ? '' : ' (only a last line without a newline may be torn)'}`,
      );
    }
    const depth = depthOf(parsed, MAX_VALUE_DEPTH + 1);
    if (depth > this.maxDepth) this.maxDepth = depth;
    this.push(parsed, lineNo);
  }
}

/** Lines firstLine… of bytes[from, to), each with its depth from scanLine: one JSON.parse. */
interface Batch {
  from: number;
  to: number;
  firstLine: number;
  count: number;
  depth: number;
}

/** Where a batch is put together as `[line,line,…]`; reused, but not kept past 4 MB (one long line). */
let scratch = Buffer.alloc(0);
const SCRATCH_KEPT = 4 << 20;

/** The batch's lines as the text of one JSON array: each newline between them a comma. */
function arrayText(bytes: Uint8Array, b: Batch): string {
  const n = b.to - b.from + 2;
  if (n > SCRATCH_KEPT) return fillArray(Buffer.allocUnsafe(n), bytes, b);
  if (scratch.length < n)
    scratch = Buffer.allocUnsafe(Math.min(Math.max(n, 2 * scratch.length), SCRATCH_KEPT));
  return fillArray(scratch.subarray(0, n), bytes, b);
}

function fillArray(a: Buffer, bytes: Uint8Array, b: Batch): string {
  const n = a.length;
  a[0] = 0x5b;
  a.set(bytes.subarray(b.from, b.to), 1);
  a[n - 1] = 0x5d;
  for (let p = a.indexOf(0x0a, 1); p >= 0; p = a.indexOf(0x0a, p + 1)) a[p] = 0x2c;
  return a.toString(isAscii(a) ? 'latin1' : 'utf8');
}

function flush(r: JsonlRead, bytes: Uint8Array, b: Batch): void {
  if (b.count === 0) return;
  let values: unknown;
  try {
    values = JSON.parse(arrayText(bytes, b));
  } catch {
    values = null;
  }
  if (Array.isArray(values) && values.length === b.count) {
    for (let k = 0; k < b.count; k++) r.push(values[k], b.firstLine + k);
    if (b.depth > r.maxDepth) r.maxDepth = b.depth;
  } else {
    // Some line is bad: the rule, line by line, names the first.
    let from = b.from;
    for (let k = 0; k < b.count; k++) {
      const nl = bytes.indexOf(0x0a, from);
      const to = nl < 0 || nl > b.to ? b.to : nl;
      r.readLine(textOf(bytes, from, to), b.firstLine + k, false, false);
      from = to + 1;
    }
  }
  b.count = 0;
  b.depth = 0;
}

/**
 * The lines of a chunk of valid UTF-8 (whole lines; `lastOfFile`: its last line is the file's and
 * has no newline), from line firstLine on; returns the number of lines read.
 */
function readUtf8(
  r: JsonlRead,
  bytes: Uint8Array,
  firstLine: number,
  lastOfFile: boolean,
  batchBytes: number,
): number {
  const b: Batch = { from: 0, to: 0, firstLine: 0, count: 0, depth: 0 };
  let lineNo = firstLine - 1;
  // Every newline ends a line, and what follows the last one is a line too (maybe empty).
  for (let from = 0; ; ) {
    const nl = bytes.indexOf(0x0a, from);
    const to = nl < 0 ? bytes.length : nl;
    lineNo++;
    if (lineNo <= 3) r.head += `${textOf(bytes, from, to)}\n`;
    const last = nl < 0 && lastOfFile;
    const depth = last ? ALONE : scanLine(bytes, from, to);
    if (depth >= 0) {
      if (b.count === 0) {
        b.from = from;
        b.firstLine = lineNo;
      }
      b.to = to;
      b.count++;
      if (depth > b.depth) b.depth = depth;
      if (b.to - b.from > batchBytes) flush(r, bytes, b);
    } else {
      flush(r, bytes, b);
      // A blank line is skipped, as the rule does.
      if (depth === ALONE) r.readLine(textOf(bytes, from, to), lineNo, last, false);
    }
    if (nl < 0) break;
    from = nl + 1;
  }
  flush(r, bytes, b);
  return lineNo - firstLine + 1;
}

/** A chunk that is not valid UTF-8, line by line, to say which line (or forgive a torn last one). */
function readBytes(
  r: JsonlRead,
  bytes: Uint8Array,
  firstLine: number,
  lastOfFile: boolean,
): number {
  let lineNo = firstLine - 1;
  for (let from = 0; ; ) {
    const nl = bytes.indexOf(0x0a, from);
    const to = nl < 0 ? bytes.length : nl;
    lineNo++;
    const last = nl < 0 && lastOfFile;
    const { text, tornChar } = decodeLine(bytes.subarray(from, to), r.source, lineNo, last);
    if (lineNo <= 3) r.head += `${text}\n`;
    r.readLine(text, lineNo, last, tornChar);
    if (nl < 0) break;
    from = nl + 1;
  }
  return lineNo - firstLine + 1;
}

/** JSONL bytes → raw events in file order, each named by its line. */
export function parseJsonl(
  bytes: Uint8Array,
  source: string,
  limits: JsonlLimits = JSONL_LIMITS,
): ParsedEvents {
  const r = new JsonlRead(source, bytes);
  const terminated = bytes.length === 0 || bytes[bytes.length - 1] === 0x0a;
  // The file's byte-order mark is no part of line 1 (TextDecoder drops it, as it did here before).
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let line = 1;
  for (let start = bom; start < bytes.length; ) {
    // Whole lines: a chunk ends after a newline (or at the end), never inside a character.
    let end = bytes.length;
    if (start + limits.chunkBytes < bytes.length) {
      const nl = bytes.lastIndexOf(0x0a, start + limits.chunkBytes);
      const at = nl >= start ? nl : bytes.indexOf(0x0a, start + limits.chunkBytes);
      if (at >= 0) end = at + 1;
    }
    const lastOfFile = end === bytes.length && !terminated;
    // Without the newline that ends its last line (every chunk but an unterminated last one has it).
    const body = bytes.subarray(start, lastOfFile ? end : end - 1);
    line += isUtf8(body)
      ? readUtf8(r, body, line, lastOfFile, limits.batchBytes)
      : readBytes(r, body, line, lastOfFile);
    start = end;
  }
  if (r.values.length === 1 && r.warnings.length === 0) {
    const v = r.values[0];
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && !('type' in v)) {
      const obj = topLevelObject(r.head, source);
      if (obj) throw obj;
    }
  }
  const { values, lines, warnings, maxDepth } = r;
  return {
    source,
    values,
    whereOf: (i) => `line ${lines[i]}`,
    warnings,
    owned: true,
    maxDepth,
  };
}
