// An `ok` read's output is its whole content: without `value` a checker would have to treat it as
// unknown, and a stale read would pass. Which ops are reads is the model's to say (readOnly).

import type { Model } from '../../specs/model.ts';
import type { HistoryEvent, InvokeEvent } from './event.ts';

/** The first ok completion of a read-only op that has no `value`, with why; null when none. */
export function okReadWithoutValue(
  events: readonly HistoryEvent[],
  modelFor: (key: string) => Model | undefined,
): { event: HistoryEvent; problem: string } | null {
  // The ok completions without a value come first (almost always none): the invokes of a history
  // of millions of ops are indexed only when there is one to look up.
  const bare = new Set<number>();
  for (const e of events)
    if (e.type === 'ok' && e.value === undefined && e.f !== 'txn') bare.add(e.op);
  if (bare.size === 0) return null;
  const invokes = new Map<number, InvokeEvent>();
  for (const e of events) {
    if (e.type === 'invoke') {
      if (bare.has(e.op)) invokes.set(e.op, e);
      continue;
    }
    if (e.type !== 'ok' || e.value !== undefined || e.f === 'txn') continue;
    const inv = invokes.get(e.op);
    if (!inv || inv.key === undefined) continue;
    const model = modelFor(inv.key);
    let readOnly = false;
    try {
      readOnly = model?.readOnly?.(inv.value as never) === true;
    } catch {
      // An input the model cannot read is reported by the model itself.
    }
    if (readOnly) {
      return {
        event: e,
        problem: `the ok completion of op ${e.op} (a read on key ${inv.key}, model ${model!.name}) has no value; an ok read must carry what it read (null for nothing), or be info if that is unknown`,
      };
    }
  }
  return null;
}
