// Sessions, locks and lock-delay, with the semantics Consul documents and implements:
// - PUT /v1/session/create defaults: LockDelay 15s, Behavior release, NodeChecks ["serfHealth"],
//   no TTL. A numeric LockDelay is nanoseconds, but (lockDelayMinThreshold) any LockDelay below
//   1000 ns, number or string, is taken as seconds: 5 means 5s, and so does "5ns". LockDelay above
//   60s (MaxLockDelay) is capped at 60s when applied. LockDelay 0 disables lock-delay.
// - TTL must be 0 (none) or between session_ttl_min (10s in Consul; an agent option here) and 24h.
//   The TTL is a lower bound: Consul arms the invalidation timer at TTL x 2 (SessionTTLMultiplier)
//   from creation or the last renew, so a session not renewed is invalidated after 2 x TTL.
// - A session is invalidated when its TTL timer fires, when it is destroyed, or when one of its
//   checks goes critical or is deregistered. Invalidation deletes the session and, in the same
//   write, releases (Behavior=release: Session cleared, ModifyIndex bumped, LockIndex kept) or
//   deletes (Behavior=delete) every key it holds, and starts lock-delay on each of those keys: for
//   LockDelay no session may acquire them (acquire answers false). An explicit ?release does not
//   start lock-delay.
// - Creating a session needs its node and checks to exist and no check critical.

import { randomUUID } from 'node:crypto';
import type { KvStore } from './kv.ts';
import type { StateIndex } from './state.ts';
import {
  badRequest,
  durationField,
  field,
  formatGoDuration,
  isObject,
  nsToMs,
  parseGoDuration,
  serverError,
  stringField,
  stringListField,
  type Json,
} from './util.ts';

export type Behavior = 'release' | 'delete';
export type CheckStatus = 'passing' | 'warning' | 'critical';

export const SERF_CHECK_ID = 'serfHealth';
const DEFAULT_LOCK_DELAY_NS = 15e9;
const MAX_LOCK_DELAY_NS = 60e9;
const LOCK_DELAY_MIN_THRESHOLD = 1000;
const SESSION_TTL_MAX_NS = 24 * 3600e9;
export const SESSION_TTL_MULTIPLIER = 2;

export interface SessionJson {
  ID: string;
  Name: string;
  Node: string;
  LockDelay: number;
  Behavior: Behavior;
  TTL: string;
  NodeChecks: string[] | null;
  ServiceChecks: { ID: string; Namespace: string }[] | null;
  CreateIndex: number;
  ModifyIndex: number;
}

interface Session {
  json: SessionJson;
  ttlMs: number;
  timer: NodeJS.Timeout | null;
  /** Every check ID whose critical state or removal invalidates the session. */
  checks: Set<string>;
}

/** What sessions need to know about the node and its checks (catalog.ts provides it). */
export interface CheckLookup {
  nodeName: string;
  /** Status of a check registered on the node (node or service level), undefined if none. */
  checkStatus(id: string): CheckStatus | undefined;
  isServiceCheck(id: string): boolean;
}

export interface SessionsOptions {
  /** session_ttl_min in nanoseconds (Consul's default 10s). */
  ttlMinNs: number;
}

export class Sessions {
  private readonly sessions = new Map<string, Session>();
  /** Key -> epoch ms until which lock-delay refuses acquisitions. */
  private readonly lockDelays = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly state: StateIndex,
    private readonly kv: KvStore,
    private readonly checks: CheckLookup,
    private readonly opts: SessionsOptions,
  ) {}

  create(body: unknown): string {
    if (body !== undefined && !isObject(body))
      throw badRequest('Request decode failed: session must be a JSON object');
    const b: Json = body ?? {};
    const name = stringField(b, 'Name') ?? '';
    const node = stringField(b, 'Node') ?? this.checks.nodeName;
    const behaviorText = stringField(b, 'Behavior') ?? '';
    const ttl = stringField(b, 'TTL') ?? '';
    const lockDelay = this.lockDelayOf(b);

    let behavior: Behavior;
    if (behaviorText === '' || behaviorText === 'release') behavior = 'release';
    else if (behaviorText === 'delete') behavior = 'delete';
    else throw serverError(`Invalid Behavior setting '${behaviorText}'`);

    let ttlNs = 0;
    if (ttl !== '') {
      const parsed = parseGoDuration(ttl);
      if (parsed === null)
        throw serverError(`Session TTL '${ttl}' invalid: time: invalid duration "${ttl}"`);
      ttlNs = parsed;
      if (ttlNs !== 0 && (ttlNs < this.opts.ttlMinNs || ttlNs > SESSION_TTL_MAX_NS)) {
        throw serverError(
          `Invalid Session TTL '${ttlNs}', must be between [${formatGoDuration(this.opts.ttlMinNs)}=${formatGoDuration(SESSION_TTL_MAX_NS)}]`,
        );
      }
    }

    if (node !== this.checks.nodeName) throw serverError(`Missing node registration`);

    // Checks (deprecated) and NodeChecks name node-level checks; ServiceChecks name service checks.
    const legacy = stringListField(b, 'Checks');
    const nodeChecksGiven = stringListField(b, 'NodeChecks');
    const serviceChecksRaw = field(b, 'ServiceChecks');
    const serviceChecks: string[] = [];
    if (Array.isArray(serviceChecksRaw)) {
      for (const sc of serviceChecksRaw) {
        const id = isObject(sc) ? stringField(sc, 'ID') : undefined;
        if (!id) throw badRequest('Request decode failed: ServiceChecks entries need an ID');
        serviceChecks.push(id);
      }
    } else if (serviceChecksRaw !== undefined && serviceChecksRaw !== null) {
      throw badRequest('Request decode failed: ServiceChecks must be a list');
    }
    let nodeChecks: string[];
    if (nodeChecksGiven !== undefined) nodeChecks = [...nodeChecksGiven];
    else if (legacy !== undefined) nodeChecks = [];
    else nodeChecks = [SERF_CHECK_ID];
    for (const id of legacy ?? []) {
      if (this.checks.isServiceCheck(id)) serviceChecks.push(id);
      else nodeChecks.push(id);
    }
    for (const id of [...nodeChecks, ...serviceChecks]) {
      const status = this.checks.checkStatus(id);
      if (status === undefined) throw serverError(`Missing check '${id}' registration`);
      if (status === 'critical') throw serverError(`Check '${id}' is in critical state`);
    }

    const idx = this.state.next();
    const id = randomUUID();
    const s: Session = {
      json: {
        ID: id,
        Name: name,
        Node: node,
        LockDelay: lockDelay,
        Behavior: behavior,
        TTL: ttl,
        NodeChecks: nodeChecks.length > 0 ? nodeChecks : null,
        ServiceChecks:
          serviceChecks.length > 0 ? serviceChecks.map((ID) => ({ ID, Namespace: '' })) : null,
        CreateIndex: idx,
        ModifyIndex: idx,
      },
      ttlMs: nsToMs(ttlNs),
      timer: null,
      checks: new Set([...nodeChecks, ...serviceChecks]),
    };
    this.sessions.set(id, s);
    this.arm(s);
    this.state.publish(idx, { table: 'sessions' });
    return id;
  }

  /** Extends a session's TTL; undefined when the session does not exist (any more). */
  renew(id: string): SessionJson | undefined {
    const s = this.sessions.get(id);
    if (!s) return undefined;
    this.arm(s);
    return { ...s.json };
  }

  info(id: string): SessionJson | undefined {
    const s = this.sessions.get(id);
    return s ? { ...s.json } : undefined;
  }

  list(): SessionJson[] {
    return [...this.sessions.values()]
      .map((s) => ({ ...s.json }))
      .sort((a, b) => a.CreateIndex - b.CreateIndex);
  }

  has(id: string): boolean {
    return this.sessions.has(id);
  }

  /** Explicit destroy: an invalidation like any other (locks released or deleted, lock-delay). */
  destroy(id: string): void {
    this.invalidate(id);
  }

  /** ?acquire=<session>: false while the key is under lock-delay or held by another session. */
  acquire(key: string, value: Buffer, flags: number, session: string): boolean {
    if (this.lockDelayActive(key)) return false;
    if (session === '') throw serverError('missing session');
    if (!this.sessions.has(session)) throw serverError(`invalid session "${session}"`);
    return this.kv.lock(key, value, flags, session);
  }

  /** ?release=<session>: false unless session holds the key. No lock-delay. */
  release(key: string, value: Buffer, flags: number, session: string): boolean {
    if (session === '') throw serverError('missing session');
    return this.kv.unlock(key, value, flags, session);
  }

  lockDelayActive(key: string): boolean {
    const until = this.lockDelays.get(key);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.lockDelays.delete(key);
    return false;
  }

  /** A check went critical or was removed: every session bound to it is invalidated. */
  checkFailed(checkId: string): void {
    for (const s of [...this.sessions.values()])
      if (s.checks.has(checkId)) this.invalidate(s.json.ID);
  }

  invalidate(id: string): void {
    const s = this.sessions.get(id);
    if (!s) return;
    if (s.timer) clearTimeout(s.timer);
    this.sessions.delete(id);
    const idx = this.state.next();
    const delayMs = nsToMs(Math.min(s.json.LockDelay, MAX_LOCK_DELAY_NS));
    const held = this.kv.heldBy(id).map((e) => e.Key);
    if (delayMs > 0) {
      const until = Date.now() + delayMs;
      for (const key of held) this.lockDelays.set(key, until);
    }
    const touched = this.kv.releaseHeld(idx, id, s.json.Behavior);
    this.state.publish(idx, { table: 'sessions' });
    if (touched.length > 0) this.state.publish(idx, { table: 'kv', keys: touched });
  }

  /** Stops every TTL timer (the agent is stopping); sessions are not invalidated. */
  close(): void {
    this.closed = true;
    for (const s of this.sessions.values()) if (s.timer) clearTimeout(s.timer);
  }

  private arm(s: Session): void {
    if (s.timer) clearTimeout(s.timer);
    s.timer = null;
    if (s.ttlMs <= 0 || this.closed) return;
    s.timer = setTimeout(() => this.invalidate(s.json.ID), s.ttlMs * SESSION_TTL_MULTIPLIER);
  }

  private lockDelayOf(b: Json): number {
    const raw = field(b, 'LockDelay');
    if (raw === undefined || raw === null) return DEFAULT_LOCK_DELAY_NS;
    const ns = durationField(b, 'LockDelay')!;
    if (ns < 0) throw badRequest('Request decode failed: LockDelay must not be negative');
    return ns < LOCK_DELAY_MIN_THRESHOLD ? ns * 1e9 : ns;
  }
}
