// Appends history events to history.jsonl as they happen. Each event is one write(2) of one line
// on an append-mode descriptor, so what was recorded survives a crash of the lab, and a reader of
// an interrupted run sees whole lines (at worst one torn last line, which the reader skips).

import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { HistoryEvent } from './event.ts';

/** An event as the caller gives it: the writer assigns `index` and `time`. */
export type NewEvent = HistoryEvent extends infer E
  ? E extends HistoryEvent
    ? Omit<E, 'index' | 'time'> & { time?: number }
    : never
  : never;

export class HistoryWriter {
  private fd: number | null;
  private next = 0;
  private lastSync = Date.now();
  private readonly t0: bigint;

  constructor(
    readonly path: string,
    t0: bigint = process.hrtime.bigint(),
  ) {
    this.fd = openSync(path, 'a');
    this.t0 = t0;
  }

  /** Nanoseconds since the run's start on the monotonic clock. */
  now(): number {
    return Number(process.hrtime.bigint() - this.t0);
  }

  append(e: NewEvent): HistoryEvent {
    if (this.fd === null) throw new Error(`history ${this.path} is closed`);
    const full = { ...e, index: this.next++, time: e.time ?? this.now() } as HistoryEvent;
    writeSync(this.fd, `${JSON.stringify(full)}\n`);
    // Lines reach the OS at once; an fsync a second bounds what a power loss could take.
    if (Date.now() - this.lastSync > 1000) {
      fsyncSync(this.fd);
      this.lastSync = Date.now();
    }
    return full;
  }

  get count(): number {
    return this.next;
  }

  close(): void {
    if (this.fd === null) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }
}
