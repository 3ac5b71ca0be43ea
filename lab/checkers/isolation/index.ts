// Elle-style isolation checker for list-append transactions (Kingsbury & Alvaro, "Elle: Inferring
// Isolation Anomalies from Experimental Observations", 2020). Appends are unique and lists only
// grow, so reads reveal the order of appends to each key; from that order every ww, wr and rw
// dependency between committed txns is inferred, and cycles in the graph are Adya's anomalies.
//
//   txns.ts          history ops → dense txn arrays, appends indexed by value
//   reads.ts         per-read anomalies (G1a, G1b, garbage, duplicate, internal), lost updates
//   version-order.ts the order of appends per key, incompatible orders
//   dependencies.ts  ww / wr / rw, process and real-time edges
//   graph.ts         edge store, Tarjan SCC, BFS
//   cycles.ts        cycles, each counted under Elle's name for it (elle-names.ts)
//   models.ts        the consistency models each anomaly rules out
//
// Which txns count as committed: ok ones, and info / never-completed ones whose appends some read
// saw. Failed txns are never committed; reading their appends is G1a.

import type { Op } from '../../history/event.ts';
import { AnomalySink } from './collect.ts';
import { findCycles } from './cycles.ts';
import { addDataEdges, addOrderEdges } from './dependencies.ts';
import { CycleExplainer, listText, around } from './explain.ts';
import { Graph } from './graph.ts';
import { DUPLICATE, findLostUpdates, scanReads } from './reads.ts';
import { FAIL, indexAppends, INFO, OK, parseTxns } from './txns.ts';
import {
  ANOMALY_TYPES,
  CYCLE_TYPES,
  type AnomalyType,
  type CycleType,
  type IsolationOptions,
  type IsolationResult,
} from './types.ts';
import { ListTrie, versionOrders } from './version-order.ts';
import { MODEL_NOTE, MODEL_ORDER, modelOf, orderEdgesOf, rulesOut } from './models.ts';
import type { ConsistencyModel } from './types.ts';

export * from './types.ts';
export { TxnInputError } from './txns.ts';
export { rulesOut, MODEL_ORDER } from './models.ts';
export { elleName, isCycleType, splitName } from './elle-names.ts';

/** How the summary names each type: cycles by Elle's name, as the counts key them. */
const LABELS: Record<AnomalyType, string> = {
  ...(Object.fromEntries(CYCLE_TYPES.map((t) => [t, t])) as Record<CycleType, string>),
  G1a: 'G1a',
  G1b: 'G1b',
  'lost-update': 'lost update',
  'incompatible-order': 'incompatible order',
  'duplicate-append': 'duplicate append',
  'garbage-read': 'garbage read',
  internal: 'internal inconsistency',
  'future-read': 'future read',
};

export function checkIsolation(ops: readonly Op[], given: IsolationOptions = {}): IsolationResult {
  const opts = given.consistency ? { ...given, ...orderEdgesOf(given.consistency) } : given;
  const consistency = modelOf(opts);
  const sink = new AnomalySink(opts.maxExamples ?? 5);
  const txns = parseTxns(ops);
  const appends = indexAppends(txns, sink);
  const committed = new Uint8Array(txns.n);
  for (let t = 0; t < txns.n; t++) if (txns.status[t] === OK) committed[t] = 1;

  const trie = new ListTrie(appends);
  const reads = scanReads(txns, appends, trie, committed, sink);
  findLostUpdates(txns, reads, trie, sink);

  const vo = versionOrders(
    trie,
    reads.end.map((e, r) => (reads.flags[r]! & DUPLICATE ? -1 : e)),
  );
  for (const d of vo.divergences) {
    sink.add('incompatible-order', () => {
      const [a, b] = [d.orderRead, d.branchRead];
      const la = reads.list[a]!;
      const lb = reads.list[b]!;
      const na = `T${txns.ops[reads.txn[a]!]!.op}`;
      const nb = `T${txns.ops[reads.txn[b]!]!.op}`;
      return {
        type: 'incompatible-order',
        key: txns.keys.value(d.key),
        index: d.index,
        reads: [a, b].map((r) => ({
          op: txns.ops[reads.txn[r]!]!.op,
          length: reads.list[r]!.length,
          around: around(reads.list[r]!, d.index),
        })),
        explanation:
          `${na} read list ${txns.keys.name(d.key)} as ${listText(la.slice(0, d.index + 1))} and ${nb} as ${listText(lb.slice(0, d.index + 1))}: ` +
          `they disagree at position ${d.index} (${la[d.index]} vs ${lb[d.index]}), so no one order of appends explains both.`,
      };
    });
  }

  const g = new Graph(
    txns.n,
    appends.count + 2 * reads.count + (opts.realtime || opts.process ? 5 * txns.n : 0),
  );
  addDataEdges(g, appends, trie, reads, vo, committed);
  addOrderEdges(g, txns, committed, {
    process: opts.process ?? false,
    realtime: opts.realtime ?? false,
  });
  g.freeze();
  const orderValues = (key: number) => (vo.orders.get(key)?.nodes ?? []).map((n) => trie.value[n]!);
  findCycles(g, new CycleExplainer(txns, g, orderValues), sink);

  let considered = 0;
  let indeterminate = 0;
  let seenCommitted = 0;
  for (let t = 0; t < txns.n; t++) {
    if (txns.status[t] === FAIL) continue;
    considered++;
    if (txns.status[t] === INFO) {
      indeterminate++;
      seenCommitted += committed[t]!;
    }
  }
  const { counts, anomalies } = sink;
  const valid = ANOMALY_TYPES.every((t) => counts[t] === 0);
  const ruled: IsolationResult['rulesOut'] = {};
  for (const t of ANOMALY_TYPES) if (counts[t] > 0) ruled[t] = rulesOut(t);
  return {
    valid,
    consistency,
    names: 'elle',
    rulesOut: ruled,
    txns: considered,
    anomalies,
    counts,
    summary: summarise(considered, indeterminate, seenCommitted, counts, valid, consistency, ruled),
  };
}

function summarise(
  n: number,
  indeterminate: number,
  seenCommitted: number,
  counts: Record<AnomalyType, number>,
  valid: boolean,
  model: ConsistencyModel,
  ruled: IsolationResult['rulesOut'],
): string {
  const fmt = (x: number) => x.toLocaleString('en-US');
  const head = `${fmt(n)} transaction${n === 1 ? '' : 's'} checked`;
  const info =
    indeterminate > 0
      ? ` ${fmt(indeterminate)} of them indeterminate, ${fmt(seenCommitted)} of those seen committed.`
      : '';
  const against = ` Checked against ${MODEL_NOTE[model]}.`;
  if (valid)
    return `${head}, no anomaly found (G0, G1a, G1b, G1c, G-single-item, G-nonadjacent-item, G2-item, lost update).${against}${info}`;
  const found = ANOMALY_TYPES.filter((t) => counts[t] > 0).map(
    (t) => `${LABELS[t]} ×${fmt(counts[t])}`,
  );
  const out = new Set(Object.values(ruled).flat());
  const names = MODEL_ORDER.filter((m) => out.has(m));
  return `${head}; ${found.join(', ')} (each example with the cycle or reads that show it).${against} Ruled out: ${names.join(', ')}.${info}`;
}
