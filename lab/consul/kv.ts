// The KV store, with Consul's write semantics (agent/consul/state/kvs.go in hashicorp/consul):
// - a plain set keeps CreateIndex and whoever holds the key's lock, takes a new ModifyIndex, and
//   (as in Consul, whose HTTP PUT carries LockIndex 0) resets LockIndex to 0;
// - a write that changes nothing (same value, flags, session, LockIndex) keeps ModifyIndex;
// - check-and-set with cas=0 writes only if the key does not exist, cas=N only if ModifyIndex is N;
// - lock (acquire) succeeds when the key is unheld or already held by the same session; a new
//   acquisition increments LockIndex, re-acquiring by the holder only updates the value;
// - unlock (release) succeeds only for the holding session, clears Session, keeps LockIndex;
// - delete-cas of a missing key reports true (nothing to delete), of a changed key false;
// - deletes leave a tombstone index, so a blocking query on a deleted key or prefix sees its index
//   move forward rather than back.
// Session validation and lock-delay are the session layer's job (sessions.ts), as in Consul where
// the KVS endpoint checks lock-delay before the write reaches the state store.

import type { StateIndex } from './state.ts';

export interface KvEntry {
  Key: string;
  Flags: number;
  Value: Buffer | null;
  Session?: string;
  LockIndex: number;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface KvJson {
  Key: string;
  Flags: number;
  Value: string | null;
  Session?: string;
  LockIndex: number;
  CreateIndex: number;
  ModifyIndex: number;
}

export function kvToJson(e: KvEntry): KvJson {
  const out: KvJson = {
    LockIndex: e.LockIndex,
    Key: e.Key,
    Flags: e.Flags,
    Value: e.Value === null || e.Value.length === 0 ? null : e.Value.toString('base64'),
    CreateIndex: e.CreateIndex,
    ModifyIndex: e.ModifyIndex,
  };
  if (e.Session) out.Session = e.Session;
  return out;
}

export class KvStore {
  private readonly entries = new Map<string, KvEntry>();
  private readonly tombstones = new Map<string, number>();

  constructor(private readonly state: StateIndex) {}

  get(key: string): KvEntry | undefined {
    return this.entries.get(key);
  }

  /**
   * Every entry whose key starts with prefix, sorted by key (as Consul's radix tree walks them).
   */
  list(prefix: string): KvEntry[] {
    return [...this.entries.values()]
      .filter((e) => e.Key.startsWith(prefix))
      .sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0));
  }

  /**
   * The keys under prefix; with a separator, keys are rolled up to the first separator after it.
   */
  keys(prefix: string, separator?: string): string[] {
    const out = new Set<string>();
    for (const e of this.list(prefix)) {
      if (separator) {
        const at = e.Key.indexOf(separator, prefix.length);
        out.add(at >= 0 ? e.Key.slice(0, at + separator.length) : e.Key);
      } else {
        out.add(e.Key);
      }
    }
    return [...out];
  }

  /**
   * X-Consul-Index for a single-key read: the key's ModifyIndex when it exists, otherwise the KV
   * table's index (Consul never reports 0).
   */
  keyIndex(key: string): number {
    const e = this.entries.get(key);
    return e ? e.ModifyIndex : Math.max(1, this.state.tableIndex('kv'));
  }

  /**
   * X-Consul-Index for a prefix read: the newest write or delete under prefix, else the table's.
   */
  prefixIndex(prefix: string): number {
    let max = 0;
    for (const e of this.entries.values())
      if (e.Key.startsWith(prefix) && e.ModifyIndex > max) max = e.ModifyIndex;
    for (const [k, idx] of this.tombstones) if (k.startsWith(prefix) && idx > max) max = idx;
    return max > 0 ? max : Math.max(1, this.state.tableIndex('kv'));
  }

  /** Entries locked by session. */
  heldBy(session: string): KvEntry[] {
    return [...this.entries.values()].filter((e) => e.Session === session);
  }

  set(key: string, value: Buffer, flags: number): boolean {
    const existing = this.entries.get(key);
    // A plain write keeps the lock holder but, as Consul's (the request carries LockIndex 0), not
    // the LockIndex.
    this.store({ Key: key, Flags: flags, Value: value, Session: existing?.Session, LockIndex: 0 });
    return true;
  }

  cas(key: string, value: Buffer, flags: number, casIndex: number): boolean {
    const existing = this.entries.get(key);
    if (casIndex === 0 ? existing !== undefined : existing?.ModifyIndex !== casIndex) return false;
    return this.set(key, value, flags);
  }

  lock(key: string, value: Buffer, flags: number, session: string): boolean {
    const existing = this.entries.get(key);
    if (existing?.Session && existing.Session !== session) return false;
    const lockIndex =
      existing?.Session === session ? existing.LockIndex : (existing?.LockIndex ?? 0) + 1;
    this.store({ Key: key, Flags: flags, Value: value, Session: session, LockIndex: lockIndex });
    return true;
  }

  unlock(key: string, value: Buffer, flags: number, session: string): boolean {
    const existing = this.entries.get(key);
    if (!existing || existing.Session !== session) return false;
    this.store({
      Key: key,
      Flags: flags,
      Value: value,
      Session: undefined,
      LockIndex: existing.LockIndex,
    });
    return true;
  }

  delete(key: string): boolean {
    const idx = this.state.next();
    this.remove(idx, key);
    this.state.publish(idx, { table: 'kv', keys: [key] });
    return true;
  }

  deleteCas(key: string, casIndex: number): boolean {
    const existing = this.entries.get(key);
    if (!existing || existing.ModifyIndex !== casIndex) return existing === undefined;
    return this.delete(key);
  }

  deleteTree(prefix: string): boolean {
    const idx = this.state.next();
    const keys = this.list(prefix).map((e) => e.Key);
    for (const k of keys) this.remove(idx, k);
    this.state.publish(idx, { table: 'kv', keys: keys.length > 0 ? keys : [prefix] });
    return true;
  }

  /**
   * Applies a session's invalidation to the keys it holds, inside the invalidation's write `idx`:
   * Behavior=release clears Session and bumps ModifyIndex; Behavior=delete deletes the key.
   * Returns the keys touched; the caller publishes.
   */
  releaseHeld(idx: number, session: string, behavior: 'release' | 'delete'): string[] {
    const touched: string[] = [];
    for (const e of this.heldBy(session)) {
      touched.push(e.Key);
      if (behavior === 'delete') this.remove(idx, e.Key);
      else this.entries.set(e.Key, { ...e, Session: undefined, ModifyIndex: idx });
    }
    return touched;
  }

  /**
   * Writes an entry at the next index, keeping CreateIndex. As in Consul's kvsSetTxn, a write that
   * changes nothing (same value, flags, session and LockIndex) keeps the old ModifyIndex and wakes
   * no blocking query.
   */
  private store(e: Omit<KvEntry, 'CreateIndex' | 'ModifyIndex'>): void {
    const existing = this.entries.get(e.Key);
    const idx = this.state.next();
    if (
      existing &&
      existing.Flags === e.Flags &&
      (existing.Session ?? '') === (e.Session ?? '') &&
      existing.LockIndex === e.LockIndex &&
      sameValue(existing.Value, e.Value)
    ) {
      return;
    }
    this.entries.set(e.Key, { ...e, CreateIndex: existing?.CreateIndex ?? idx, ModifyIndex: idx });
    this.tombstones.delete(e.Key);
    this.state.publish(idx, { table: 'kv', keys: [e.Key] });
  }

  private remove(idx: number, key: string): void {
    if (this.entries.delete(key)) this.tombstones.set(key, idx);
  }
}

function sameValue(a: Buffer | null, b: Buffer | null): boolean {
  const x = a ?? Buffer.alloc(0);
  const y = b ?? Buffer.alloc(0);
  return x.equals(y);
}
