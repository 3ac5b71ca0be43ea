// The KV store, with Consul's write semantics (agent/consul/state/kvs.go in hashicorp/consul):
// - a plain set keeps CreateIndex, keeps whoever holds the key's lock, and takes a new ModifyIndex;
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

  /** Every entry whose key starts with prefix, sorted by key (as Consul's radix tree walks them). */
  list(prefix: string): KvEntry[] {
    return [...this.entries.values()].filter((e) => e.Key.startsWith(prefix)).sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0));
  }

  /** The keys under prefix; with a separator, keys are rolled up to the first separator after it. */
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

  /** X-Consul-Index for a prefix read: the newest write or delete under prefix, else the table's. */
  prefixIndex(prefix: string): number {
    let max = 0;
    for (const e of this.entries.values()) if (e.Key.startsWith(prefix) && e.ModifyIndex > max) max = e.ModifyIndex;
    for (const [k, idx] of this.tombstones) if (k.startsWith(prefix) && idx > max) max = idx;
    return max > 0 ? max : Math.max(1, this.state.tableIndex('kv'));
  }

  /** Entries locked by session. */
  heldBy(session: string): KvEntry[] {
    return [...this.entries.values()].filter((e) => e.Session === session);
  }

  set(key: string, value: Buffer, flags: number): boolean {
    const idx = this.state.next();
    this.write(idx, key, value, flags);
    this.state.publish(idx, { table: 'kv', keys: [key] });
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
    const idx = this.state.next();
    const lockIndex = existing?.Session === session ? existing.LockIndex : (existing?.LockIndex ?? 0) + 1;
    this.entries.set(key, {
      Key: key,
      Flags: flags,
      Value: value,
      Session: session,
      LockIndex: lockIndex,
      CreateIndex: existing?.CreateIndex ?? idx,
      ModifyIndex: idx,
    });
    this.tombstones.delete(key);
    this.state.publish(idx, { table: 'kv', keys: [key] });
    return true;
  }

  unlock(key: string, value: Buffer, flags: number, session: string): boolean {
    const existing = this.entries.get(key);
    if (!existing || existing.Session !== session) return false;
    const idx = this.state.next();
    this.entries.set(key, { ...existing, Value: value, Flags: flags, Session: undefined, ModifyIndex: idx });
    this.state.publish(idx, { table: 'kv', keys: [key] });
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

  private write(idx: number, key: string, value: Buffer, flags: number): void {
    const existing = this.entries.get(key);
    this.entries.set(key, {
      Key: key,
      Flags: flags,
      Value: value,
      Session: existing?.Session,
      LockIndex: existing?.LockIndex ?? 0,
      CreateIndex: existing?.CreateIndex ?? idx,
      ModifyIndex: idx,
    });
    this.tombstones.delete(key);
  }

  private remove(idx: number, key: string): void {
    if (this.entries.delete(key)) this.tombstones.set(key, idx);
  }
}
