// The agent's stand-in for Consul's Raft log and state store: one monotonically increasing index
// shared by every table (as Raft indexes are), the last index that touched each table, and a change
// feed that blocking queries wait on. Every write takes the next index; a write that changes
// several rows (a session invalidation releasing its locks) uses one index for all of them, as one
// Raft transaction would.

import { EventEmitter } from 'node:events';

export type Table = 'kv' | 'sessions' | 'catalog';

export interface Change {
  table: Table;
  /** For kv: the keys written or deleted. */
  keys?: string[];
}

export class StateIndex {
  private current: number;
  private readonly tables: Record<Table, number>;
  private readonly feed = new EventEmitter();
  private closed = false;

  constructor(start = 10) {
    // A fresh Consul cluster has already used a few indexes for its own bootstrap entries.
    this.current = start;
    this.tables = { kv: start, sessions: start, catalog: start };
    this.feed.setMaxListeners(0);
  }

  /** The next index, for a write about to happen. */
  next(): number {
    this.current += 1;
    return this.current;
  }

  get latest(): number {
    return this.current;
  }

  tableIndex(t: Table): number {
    return this.tables[t];
  }

  /** Records that a write at `index` touched `change.table` and wakes the blocking queries. */
  publish(index: number, change: Change): void {
    if (index > this.tables[change.table]) this.tables[change.table] = index;
    this.feed.emit('change', change);
  }

  /**
   * Resolves true at the first change `relevant` accepts, false after `ms` or when the agent stops
   * or `signal` aborts (the client went away).
   */
  waitForChange(
    relevant: (c: Change) => boolean,
    ms: number,
    signal?: AbortSignal,
  ): Promise<boolean> {
    if (this.closed || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (v: boolean) => {
        clearTimeout(timer);
        this.feed.off('change', onChange);
        this.feed.off('close', onClose);
        signal?.removeEventListener('abort', onClose);
        resolve(v);
      };
      const onChange = (c: Change) => {
        if (relevant(c)) done(true);
      };
      const onClose = () => done(false);
      const timer = setTimeout(() => done(false), Math.max(0, ms));
      this.feed.on('change', onChange);
      this.feed.on('close', onClose);
      signal?.addEventListener('abort', onClose);
    });
  }

  /** Ends every pending wait (the agent is stopping). */
  close(): void {
    this.closed = true;
    this.feed.emit('close');
  }
}
