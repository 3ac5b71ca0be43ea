// One pass over every read of every ok txn: it feeds each read into the version-order trie and
// finds what a single read can show on its own (G1a, G1b, garbage, duplicates, internal
// inconsistency). It also marks indeterminate txns whose appends were seen: those committed.

import type { AnomalySink } from './collect.ts';
import { listText } from './explain.ts';
import { appendOf, FAIL, INFO, OK, type Appends, type Txns } from './txns.ts';
import type { ListTrie } from './version-order.ts';

/** The txn's first read of the key, before any append of its own to it: what it saw of others. */
export const EXTERNAL = 1;
/** The read holds a value twice, so it says nothing reliable about order. */
export const DUPLICATE = 2;
/** An external read after which the txn appended to the same key (a read-modify-write). */
export const APPENDS_AFTER = 4;

export interface Reads {
  count: number;
  txn: number[];
  key: number[];
  list: (readonly number[])[];
  flags: number[];
  /** The trie node the read ends at. */
  end: number[];
}

interface KeyState {
  key: number;
  /** The list the txn last read (null before a read), then its own appends since. */
  base: readonly number[] | null;
  extra: number[];
  appended: boolean;
  /** Index of the external read, or -1. */
  external: number;
}

/**
 * What each trie node says about the reads through it, computed once when the node appears, so a
 * read costs O(1) beyond locating its end node, however long the list. Anomalous elements are
 * linked upward (`lastBad`, `lastDup`), so a read only visits the ones it holds.
 */
class NodeFacts {
  /** 1: garbage (no such append to this key); 2: appended by a failed txn. */
  readonly bad: number[] = [];
  /** Nearest node at or above with bad ≠ 0, or -1. */
  readonly lastBad: number[] = [];
  /** Nearest node at or above whose value also occurs further up the path, or -1. */
  readonly lastDup: number[] = [];
  readonly firstNodeOf: Int32Array;
  /** Every node of an append that has more than one (only when reads disagree on the order). */
  private readonly moreNodes = new Map<number, number[]>();
  /** Every node of each value nobody appended to its key. */
  private readonly garbageNodes = new Map<number, number[]>();

  constructor(
    private readonly trie: ListTrie,
    private readonly appends: Appends,
    private readonly txns: Txns,
    private readonly committed: Uint8Array,
  ) {
    this.firstNodeOf = new Int32Array(appends.count).fill(-1);
  }

  /** Annotates the nodes created since the last call; parents always come before children. */
  update(): void {
    const { trie } = this;
    for (let v = this.bad.length; v < trie.size; v++) {
      const p = trie.parent[v]!;
      if (p < 0) {
        this.bad.push(0);
        this.lastBad.push(-1);
        this.lastDup.push(-1);
        continue;
      }
      const a = trie.append[v]!;
      let bad = 0;
      if (a < 0) bad = 1;
      else {
        const w = this.appends.txn[a]!;
        const s = this.txns.status[w];
        if (s === FAIL) bad = 2;
        else if (s === INFO) this.committed[w] = 1;
      }
      this.bad.push(bad);
      this.lastBad.push(bad ? v : this.lastBad[p]!);
      this.lastDup.push(this.repeatsAbove(v, a) ? v : this.lastDup[p]!);
    }
  }

  /** Whether node v's element already occurs above it. O(1) unless reads disagree on the order. */
  private repeatsAbove(v: number, a: number): boolean {
    let others: number[] | undefined;
    if (a >= 0) {
      const first = this.firstNodeOf[a]!;
      if (first < 0) {
        this.firstNodeOf[a] = v;
        return false;
      }
      others = this.moreNodes.get(a);
      if (!others) {
        others = [first];
        this.moreNodes.set(a, others);
      }
    } else {
      const value = this.trie.value[v]!;
      others = this.garbageNodes.get(value);
      if (!others) {
        others = [];
        this.garbageNodes.set(value, others);
      }
    }
    const { parent, depth } = this.trie;
    const found = others.some((x) => {
      if (depth[x]! >= depth[v]!) return false;
      let u = v;
      while (depth[u]! > depth[x]!) u = parent[u]!;
      return u === x;
    });
    others.push(v);
    return found;
  }
}

/** What the steps of one scan share. */
interface Scan {
  txns: Txns;
  appends: Appends;
  trie: ListTrie;
  facts: NodeFacts;
  sink: AnomalySink;
  reads: Reads;
}

/** `committed` must hold 1 for ok txns; indeterminate txns whose appends are read get 1 too. */
export function scanReads(
  txns: Txns,
  appends: Appends,
  trie: ListTrie,
  committed: Uint8Array,
  sink: AnomalySink,
): Reads {
  const reads: Reads = { count: 0, txn: [], key: [], list: [], flags: [], end: [] };
  const sc: Scan = {
    txns,
    appends,
    trie,
    facts: new NodeFacts(trie, appends, txns, committed),
    sink,
    reads,
  };
  const keys = new TxnKeys();
  for (let t = 0; t < txns.n; t++) {
    if (txns.status[t] !== OK) continue;
    keys.nextTxn();
    // Values already reported as G1a / garbage for this txn, so re-reading a list reports them once.
    let reported: Set<number> | undefined;
    for (const m of txns.micro[t]!) {
      const k = m[1];
      const st = keys.get(k);
      if (m[0] === 'append') {
        onAppend(sc, t, st, m[2]);
        continue;
      }
      const list = m[2];
      if (list === null) continue;
      if (!consistent(list, st)) reportInternal(sc, t, st, list);
      const { r, end } = recordRead(sc, t, st, list);
      reported = reportBadValues(sc, t, k, end, reported);
      reportDuplicates(sc, t, k, list, end, r);
      reportIntermediate(sc, t, k, list, end);
    }
  }
  return reads;
}

const txnName = (txns: Txns, t: number) => `T${txns.ops[t]!.op}`;

/**
 * The txn's keys so far, reused from txn to txn. Txns touch a handful of keys, and a linear scan
 * of a short array beats a Map (and a Map per txn was most of the GC work) ... except for the rare
 * txn on many keys, which would make the scan quadratic: past SCAN keys a Map takes over.
 */
class TxnKeys {
  private static readonly SCAN = 16;
  private readonly pool: KeyState[] = [];
  private used = 0;
  private readonly many = new Map<number, KeyState>();

  nextTxn(): void {
    if (this.used > TxnKeys.SCAN) this.many.clear();
    this.used = 0;
  }

  /** The key's state in this txn, fresh on its first touch. */
  get(k: number): KeyState {
    const { pool, many } = this;
    const SCAN = TxnKeys.SCAN;
    let st: KeyState | undefined;
    if (this.used > SCAN) st = many.get(k);
    else {
      for (let i = 0; i < this.used; i++) {
        if (pool[i]!.key === k) return pool[i]!;
      }
    }
    if (st !== undefined) return st;
    st = pool[this.used++] ??= { key: k, base: null, extra: [], appended: false, external: -1 };
    st.key = k;
    st.base = null;
    st.extra.length = 0;
    st.appended = false;
    st.external = -1;
    if (this.used === SCAN + 1)
      for (let i = 0; i < this.used; i++) many.set(pool[i]!.key, pool[i]!);
    else if (this.used > SCAN) many.set(k, st);
    return st;
  }
}

/**
 * An append: a future read when the txn's last read of the key already held what it appends now.
 * The read put the append's first trie node at its depth, so one compare tells (reads that
 * disagree on the order are reported as incompatible instead).
 */
function onAppend(sc: Scan, t: number, st: KeyState, value: number): void {
  const { txns, appends, trie, facts } = sc;
  const k = st.key;
  const base = st.base;
  if (base !== null) {
    const a = appendOf(appends, k, value);
    const node = a >= 0 && appends.txn[a] === t ? facts.firstNodeOf[a]! : -1;
    if (node >= 0 && base[trie.depth[node]! - 1] === value) {
      const op = txns.ops[t]!.op;
      sc.sink.add('future-read', () => ({
        type: 'future-read',
        op,
        key: txns.keys.value(k),
        value,
        explanation: `${txnName(txns, t)} read list ${txns.keys.name(k)} as ${listText(base)}, holding ${value}, before it appended ${value} itself (future read).`,
      }));
    }
  }
  st.extra.push(value);
  st.appended = true;
  if (st.external >= 0) sc.reads.flags[st.external]! |= APPENDS_AFTER;
}

/** A read that disagrees with the txn's own last read and appends since (internal inconsistency). */
function reportInternal(sc: Scan, t: number, st: KeyState, list: readonly number[]): void {
  const { txns } = sc;
  const k = st.key;
  const op = txns.ops[t]!.op;
  const name = txnName(txns, t);
  const base = st.base;
  const extra = st.extra.slice();
  sc.sink.add('internal', () => {
    const expected = base === null ? extra : [...base, ...extra];
    return {
      type: 'internal',
      op,
      key: txns.keys.value(k),
      expected: expected.slice(-10),
      exact: base !== null,
      read: list.slice(-10),
      explanation:
        base === null
          ? `${name} appended ${listText(extra)} to list ${txns.keys.name(k)}, then read it as ${listText(list)}, which does not end with its own appends.`
          : `${name} read list ${txns.keys.name(k)} as ${listText(base)}${extra.length ? ` and appended ${listText(extra)}` : ''}, then read it as ${listText(list)} instead of ${listText(expected)}.`,
    };
  });
}

/** Feeds the read into the trie and the read table; it becomes the txn's last read of the key. */
function recordRead(
  sc: Scan,
  t: number,
  st: KeyState,
  list: readonly number[],
): { r: number; end: number } {
  const { reads } = sc;
  const k = st.key;
  const external = st.external < 0 && !st.appended;
  const r = reads.count++;
  const end = sc.trie.insert(k, list);
  sc.facts.update();
  reads.txn.push(t);
  reads.key.push(k);
  reads.list.push(list);
  reads.flags.push(external ? EXTERNAL : 0);
  reads.end.push(end);
  if (external) st.external = r;
  st.base = list;
  st.extra.length = 0;
  return { r, end };
}

/** Each value of the read nobody appended (garbage), or only a failed txn did (G1a), once per txn (`reported`, returned). */
function reportBadValues(
  sc: Scan,
  t: number,
  k: number,
  end: number,
  reported: Set<number> | undefined,
): Set<number> | undefined {
  const { txns, appends, trie, facts } = sc;
  const op = txns.ops[t]!.op;
  const name = txnName(txns, t);
  for (let v = facts.lastBad[end]!; v >= 0; v = facts.lastBad[trie.parent[v]!]!) {
    const value = trie.value[v]!;
    // Made on the first such value only: most reads hold none, and a Set per txn was GC work.
    reported ??= new Set();
    if (reported.has(value)) continue;
    reported.add(value);
    if (facts.bad[v] === 1) {
      sc.sink.add('garbage-read', () => ({
        type: 'garbage-read',
        op,
        key: txns.keys.value(k),
        value,
        explanation: `${name} read ${value} in list ${txns.keys.name(k)}, but no transaction appended ${value} to list ${txns.keys.name(k)}.`,
      }));
    } else {
      const w = appends.txn[trie.append[v]!]!;
      sc.sink.add('G1a', () => ({
        type: 'G1a',
        op,
        txn: txns.ops[w]!.op,
        key: txns.keys.value(k),
        value,
        explanation: `${name} read ${value} in list ${txns.keys.name(k)}, appended only by ${txnName(txns, w)}, which failed (aborted read).`,
      }));
    }
  }
  return reported;
}

/** Each value the read holds twice; the read is marked DUPLICATE (it says nothing reliable about order). */
function reportDuplicates(
  sc: Scan,
  t: number,
  k: number,
  list: readonly number[],
  end: number,
  r: number,
): void {
  const { txns, trie, facts } = sc;
  const op = txns.ops[t]!.op;
  for (let v = facts.lastDup[end]!; v >= 0; v = facts.lastDup[trie.parent[v]!]!) {
    sc.reads.flags[r]! |= DUPLICATE;
    const value = trie.value[v]!;
    const upTo = trie.depth[v]!;
    sc.sink.add('duplicate-append', () => ({
      type: 'duplicate-append',
      op,
      key: txns.keys.value(k),
      value,
      explanation: `${txnName(txns, t)} read list ${txns.keys.name(k)} as ${listText(list.slice(0, upTo))}, with ${value} twice.`,
    }));
  }
}

/** A read ending in another txn's append that was not that txn's last to the key (G1b). */
function reportIntermediate(
  sc: Scan,
  t: number,
  k: number,
  list: readonly number[],
  end: number,
): void {
  if (list.length === 0) return;
  const { txns, appends, trie } = sc;
  const a = trie.append[end]!;
  const w = a >= 0 ? appends.txn[a]! : t;
  if (w === t || txns.status[w] === FAIL || appends.final[a]) return;
  const op = txns.ops[t]!.op;
  sc.sink.add('G1b', () => {
    const final = lastAppend(txns, w, k);
    return {
      type: 'G1b',
      op,
      txn: txns.ops[w]!.op,
      key: txns.keys.value(k),
      value: list[list.length - 1]!,
      final,
      explanation: `${txnName(txns, t)} read list ${txns.keys.name(k)} ending in ${list[list.length - 1]}, an intermediate state of ${txnName(txns, w)}, which went on to append ${final} to it (intermediate read).`,
    };
  });
}

/** Whether a read agrees with what the txn already knows of the list: its last read plus its appends since. */
function consistent(list: readonly number[], st: KeyState): boolean {
  const { base, extra } = st;
  if (base === null) {
    if (list.length < extra.length) return false;
  } else {
    if (list.length !== base.length + extra.length) return false;
    for (let i = 0; i < base.length; i++) if (list[i] !== base[i]) return false;
  }
  const off = list.length - extra.length;
  for (let i = 0; i < extra.length; i++) if (list[off + i] !== extra[i]) return false;
  return true;
}

function lastAppend(txns: Txns, t: number, key: number): number {
  let last = NaN;
  for (const m of txns.micro[t]!) if (m[0] === 'append' && m[1] === key) last = m[2];
  return last;
}

/**
 * Lost updates: two or more committed txns read the very same version of a key (same trie node)
 * and then appended to it, so each wrote over a state the other had already changed.
 */
export function findLostUpdates(txns: Txns, reads: Reads, trie: ListTrie, sink: AnomalySink): void {
  const groups = new Map<number, number[]>();
  for (let r = 0; r < reads.count; r++) {
    const f = reads.flags[r]!;
    if ((f & (EXTERNAL | APPENDS_AFTER)) !== (EXTERNAL | APPENDS_AFTER) || f & DUPLICATE) continue;
    const g = groups.get(reads.end[r]!);
    if (g) g.push(r);
    else groups.set(reads.end[r]!, [r]);
  }
  for (const [node, rs] of groups) {
    if (rs.length < 2) continue;
    sink.add('lost-update', () => {
      const key = reads.key[rs[0]!]!;
      const list = reads.list[rs[0]!]!;
      const members = rs.map((r) => {
        const t = reads.txn[r]!;
        const appended: number[] = [];
        let afterRead = false;
        for (const m of txns.micro[t]!) {
          if (m[0] === 'r' && m[1] === key) afterRead = true;
          else if (m[0] === 'append' && m[1] === key && afterRead) appended.push(m[2]);
        }
        return { txn: txns.ops[t]!.op, appended };
      });
      const names = members.map((m) => `T${m.txn} appended ${listText(m.appended)}`);
      return {
        type: 'lost-update',
        key: txns.keys.value(key),
        version: trie.depth[node]! > 0 ? trie.value[node]! : null,
        txns: members,
        explanation: `${members.map((m) => `T${m.txn}`).join(' and ')} all read list ${txns.keys.name(key)} as ${listText(list)} and then appended to it (${names.join('; ')}): each update was made without the others (lost update).`,
      };
    });
  }
}
