// One pass over every read of every ok txn: it feeds each read into the version-order trie and
// finds what a single read can show on its own (G1a, G1b, garbage, duplicates, internal
// inconsistency). It also marks indeterminate txns whose appends were seen: those committed.

import type { AnomalySink } from './collect.ts';
import { listText } from './explain.ts';
import { FAIL, INFO, OK, type Appends, type Txns } from './txns.ts';
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
  /** The list the txn last read (null before a read), then its own appends since. */
  base: readonly number[] | null;
  extra: number[];
  appended: boolean;
  /** Index of the external read, or -1. */
  external: number;
}

/** `committed` must hold 1 for ok txns; indeterminate txns whose appends are read get 1 too. */
export function scanReads(txns: Txns, appends: Appends, trie: ListTrie, committed: Uint8Array, sink: AnomalySink): Reads {
  const reads: Reads = { count: 0, txn: [], key: [], list: [], flags: [], end: [] };
  const seenIn = new Int32Array(appends.count);
  let stamp = 0;
  const name = (t: number) => `T${txns.ops[t]!.op}`;
  for (let t = 0; t < txns.n; t++) {
    if (txns.status[t] !== OK) continue;
    const op = txns.ops[t]!.op;
    let state: Map<number, KeyState> | undefined;
    // (value) pairs already reported for this txn, so re-reading a list reports an element once.
    let reported: Set<number> | undefined;
    for (const m of txns.micro[t]!) {
      const k = m[1];
      state ??= new Map();
      let st = state.get(k);
      if (st === undefined) {
        st = { base: null, extra: [], appended: false, external: -1 };
        state.set(k, st);
      }
      if (m[0] === 'append') {
        st.extra.push(m[2]);
        st.appended = true;
        if (st.external >= 0) reads.flags[st.external]! |= APPENDS_AFTER;
        continue;
      }
      const list = m[2];
      if (list === null) continue;

      if (!consistent(list, st)) {
        const { base, extra } = st;
        sink.add('internal', () => {
          const expected = base === null ? extra : [...base, ...extra];
          return {
            type: 'internal',
            op,
            key: k,
            expected: expected.slice(-10),
            exact: base !== null,
            read: list.slice(-10),
            explanation:
              base === null
                ? `${name(t)} appended ${listText(extra)} to list ${k}, then read it as ${listText(list)}, which does not end with its own appends.`
                : `${name(t)} read list ${k} as ${listText(base)}${extra.length ? ` and appended ${listText(extra)}` : ''}, then read it as ${listText(list)} instead of ${listText(expected)}.`,
          };
        });
      }
      const external = st.external < 0 && !st.appended;
      const r = reads.count++;
      reads.txn.push(t);
      reads.key.push(k);
      reads.list.push(list);
      reads.flags.push(external ? EXTERNAL : 0);
      if (external) st.external = r;
      st.base = list;
      st.extra = [];

      stamp++;
      let node = trie.root(k);
      let garbageSeen: Set<number> | undefined;
      for (let j = 0; j < list.length; j++) {
        const v = list[j]!;
        node = trie.child(node, v, k);
        const a = trie.append[node]!;
        let dup: boolean;
        if (a < 0) {
          dup = garbageSeen?.has(v) ?? false;
          (garbageSeen ??= new Set()).add(v);
          if (!(reported ??= new Set()).has(v)) {
            reported.add(v);
            sink.add('garbage-read', () => ({
              type: 'garbage-read',
              op,
              key: k,
              value: v,
              explanation: `${name(t)} read ${v} in list ${k}, but no transaction appended ${v} to list ${k}.`,
            }));
          }
        } else {
          dup = seenIn[a] === stamp;
          seenIn[a] = stamp;
          const w = appends.txn[a]!;
          const s = txns.status[w];
          if (s === INFO) committed[w] = 1;
          else if (s === FAIL && !(reported ??= new Set()).has(v)) {
            reported.add(v);
            sink.add('G1a', () => ({
              type: 'G1a',
              op,
              txn: txns.ops[w]!.op,
              key: k,
              value: v,
              explanation: `${name(t)} read ${v} in list ${k}, appended only by ${name(w)}, which failed (aborted read).`,
            }));
          }
        }
        if (dup) {
          reads.flags[r]! |= DUPLICATE;
          sink.add('duplicate-append', () => ({
            type: 'duplicate-append',
            op,
            key: k,
            value: v,
            explanation: `${name(t)} read list ${k} as ${listText(list.slice(0, j + 1))}, with ${v} twice.`,
          }));
        }
      }
      reads.end.push(node);

      if (list.length > 0) {
        const a = trie.append[node]!;
        const w = a >= 0 ? appends.txn[a]! : t;
        if (w !== t && txns.status[w] !== FAIL && !appends.final[a]) {
          sink.add('G1b', () => {
            const final = lastAppend(txns, w, k);
            return {
              type: 'G1b',
              op,
              txn: txns.ops[w]!.op,
              key: k,
              value: list[list.length - 1]!,
              final,
              explanation: `${name(t)} read list ${k} ending in ${list[list.length - 1]}, an intermediate state of ${name(w)}, which went on to append ${final} to it (intermediate read).`,
            };
          });
        }
      }
    }
  }
  return reads;
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
        key,
        version: trie.depth[node]! > 0 ? trie.value[node]! : null,
        txns: members,
        explanation: `${members.map((m) => `T${m.txn}`).join(' and ')} all read list ${key} as ${listText(list)} and then appended to it (${names.join('; ')}): each update was made without the others (lost update).`,
      };
    });
  }
}
