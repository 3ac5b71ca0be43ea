// Timed, in-order delivery for the toxics that hold data for a while (latency, bandwidth,
// slicer). Each item has a due time on the monotonic clock; an item never overtakes an earlier
// one, because TCP is a byte stream and a toxic that reorders bytes would corrupt it.

import { performance } from 'node:perf_hooks';
import type { StageOutput } from './types.ts';

/** Timers may fire up to a millisecond before performance.now() reaches the due time. */
const TIMER_SLACK_MS = 1;

interface Item {
  due: number;
  /** null stands for the end of the stream. */
  chunk: Buffer | null;
}

export const now = (): number => performance.now();

export class DueQueue {
  private items: Item[] = [];
  private timer: NodeJS.Timeout | null = null;
  private last = 0;

  constructor(private readonly out: StageOutput) {}

  /** The due time of the newest item (or of the last delivered one). */
  get lastDue(): number {
    return this.last;
  }

  /** Queues an item at `due`, or right after the item before it when that is later. */
  add(chunk: Buffer | null, due: number): void {
    const at = Math.max(due, this.last);
    this.last = at;
    this.items.push({ due: at, chunk });
    if (this.items.length === 1) this.pump();
  }

  /** Hands on everything at once, in order. */
  flush(): void {
    this.clearTimer();
    const items = this.items;
    this.items = [];
    for (const item of items) this.deliver(item);
  }

  dispose(): void {
    this.clearTimer();
    this.items = [];
  }

  private pump(): void {
    this.clearTimer();
    const t = now();
    while (this.items.length > 0 && this.items[0]!.due <= t + TIMER_SLACK_MS) {
      this.deliver(this.items.shift()!);
    }
    const next = this.items[0];
    if (next) this.timer = setTimeout(() => this.pump(), Math.max(0, next.due - t));
  }

  private deliver(item: Item): void {
    if (item.chunk === null) this.out.end();
    else this.out.push(item.chunk);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
