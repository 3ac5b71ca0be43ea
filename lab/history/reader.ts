// Reads a history back: JSONL (one event a line, as the runner writes it) or a JSON array (the
// generic format other tools can produce). A torn last line of an interrupted run is skipped and
// reported, never fatal; a bad line elsewhere is an error naming the line.

import { readFileSync } from 'node:fs';
import type { HistoryEvent } from './event.ts';

export interface ReadHistory {
  events: HistoryEvent[];
  /** Problems that did not stop the read (a torn last line). */
  warnings: string[];
}

export class HistoryFormatError extends Error {}

const TYPES = new Set(['invoke', 'ok', 'fail', 'info', 'nemesis']);

function checkEvent(x: unknown, where: string): HistoryEvent {
  if (typeof x !== 'object' || x === null) throw new HistoryFormatError(`${where}: an event must be a JSON object`);
  const e = x as Record<string, unknown>;
  if (typeof e['type'] !== 'string' || !TYPES.has(e['type'])) {
    throw new HistoryFormatError(`${where}: type must be one of invoke, ok, fail, info, nemesis, got ${JSON.stringify(e['type'])}`);
  }
  if (typeof e['time'] !== 'number') throw new HistoryFormatError(`${where}: time must be a number (nanoseconds on one monotonic clock)`);
  if (e['type'] !== 'nemesis') {
    if (typeof e['op'] !== 'number') throw new HistoryFormatError(`${where}: op must be a number shared by an invoke and its completion`);
    if (typeof e['process'] !== 'number') throw new HistoryFormatError(`${where}: process must be a number`);
    if (typeof e['f'] !== 'string') throw new HistoryFormatError(`${where}: f must be the op's name as a string`);
  }
  return e as unknown as HistoryEvent;
}

function fillDefaults(events: HistoryEvent[]): HistoryEvent[] {
  // Histories from other tools may leave out the bookkeeping fields the lab's writer fills in.
  return events.map((e, i) => {
    const x = e as HistoryEvent & { client?: number };
    const withIndex = { ...x, index: typeof x.index === 'number' ? x.index : i };
    if (x.type !== 'nemesis' && typeof x.client !== 'number') (withIndex as { client?: number }).client = x.process;
    return withIndex as HistoryEvent;
  });
}

export function parseHistory(text: string, source = 'history'): ReadHistory {
  const warnings: string[] = [];
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    let arr: unknown;
    try {
      arr = JSON.parse(trimmed);
    } catch (e) {
      throw new HistoryFormatError(`${source}: not valid JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(arr)) throw new HistoryFormatError(`${source}: expected a JSON array of events`);
    return { events: fillDefaults(arr.map((x, i) => checkEvent(x, `${source} event ${i}`))), warnings };
  }
  const lines = text.split('\n');
  const events: HistoryEvent[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      const isLast = lines.slice(i + 1).every((l) => l.trim() === '');
      if (isLast) {
        warnings.push(`${source}: line ${i + 1} is incomplete (the run was interrupted while writing it); skipped`);
        continue;
      }
      throw new HistoryFormatError(`${source}: line ${i + 1} is not valid JSON`);
    }
    events.push(checkEvent(parsed, `${source} line ${i + 1}`));
  }
  return { events: fillDefaults(events), warnings };
}

export function readHistory(path: string): ReadHistory {
  return parseHistory(readFileSync(path, 'utf8'), path);
}
