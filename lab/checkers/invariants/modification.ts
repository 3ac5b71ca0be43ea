// Modification indexes only grow: within one epoch (one incarnation of a desired or actual LRP),
// an op that begins after another completed must see an index at least as high. A lower one is a
// stale read or a lost write (e.g. a read served by a node that had not yet applied a commit).

import type { ActualLRPRecord, BbsResult, DesiredLRPRecord } from '../../../specs/vocabulary.ts';
import type { Op } from '../../history/event.ts';
import type { Violation } from './types.ts';

interface Obs {
  op: Op;
  key: string;
  epoch: string;
  index: number;
  start: number;
  end: number;
}

export function checkModificationIndexes(ops: readonly Op[]): Violation[] {
  const obs: Obs[] = [];
  for (const op of ops) {
    if (
      op.complete?.type !== 'ok' ||
      !op.key ||
      !(op.key.startsWith('desired/') || op.key.startsWith('actual/'))
    )
      continue;
    const r = (op.complete.value as BbsResult | undefined)?.record as
      | DesiredLRPRecord
      | ActualLRPRecord
      | null
      | undefined;
    const tag = r?.modificationTag;
    if (!tag || typeof tag.index !== 'number' || !tag.epoch) continue;
    obs.push({
      op,
      key: op.key,
      epoch: tag.epoch,
      index: tag.index,
      start: op.invoke.time,
      end: op.complete.time,
    });
  }
  // Sweep in time: completed observations raise the per-(key, epoch) high-water mark; an
  // observation is checked against the mark as it stood when it began.
  const byEnd = [...obs].sort((a, b) => a.end - b.end);
  const byStart = [...obs].sort((a, b) => a.start - b.start);
  const high = new Map<string, Obs>();
  const out: Violation[] = [];
  let j = 0;
  for (const o of byStart) {
    while (j < byEnd.length && byEnd[j]!.end < o.start) {
      const c = byEnd[j++]!;
      const k = `${c.key} ${c.epoch}`;
      const h = high.get(k);
      if (!h || c.index > h.index) high.set(k, c);
    }
    const h = high.get(`${o.key} ${o.epoch}`);
    if (h && o.index < h.index) {
      out.push({
        invariant: 'modification-index-went-back',
        key: o.key,
        ops: [h.op.op, o.op.op],
        explanation: `${h.op.f} saw modification index ${h.index} and then ${o.op.f}, which began after it completed, saw ${o.index} (epoch ${o.epoch})`,
      });
    }
  }
  return out;
}
