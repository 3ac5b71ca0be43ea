// Acknowledged writes survive: after the workload, the lab reads every BBS table (a FinalRead op).
// For a key whose last op is settled — it completed ok, and every other op on the key that may
// have taken effect completed before it began — the final state is known: it is what that op
// returned (the record after a write, or what a read saw). A final read that disagrees lost an
// acknowledged write (or resurrected a deleted record).

import type {
  ActualLRPRecord,
  BbsResult,
  DesiredLRPRecord,
  TaskRecord,
} from '../../../specs/vocabulary.ts';
import { FINAL_READ, type Op } from '../../history/event.ts';
import { checkFinalDomains } from './final-read-domains.ts';
import { byKey, type Timed } from './timeline.ts';
import type { Violation } from './types.ts';

export interface FinalTables {
  tasks: TaskRecord[];
  desiredLRPs: DesiredLRPRecord[];
  actualLRPs: ActualLRPRecord[];
}

type Rec = TaskRecord | DesiredLRPRecord | ActualLRPRecord;

/** The fields a final read must agree on; timestamps and other volatile columns are left out. */
function summary(key: string, r: Rec | null): string {
  if (r === null) return 'absent';
  if (key.startsWith('task/')) {
    const t = r as TaskRecord;
    return `${t.state} cell=${t.cellId} failed=${t.failed} result=${JSON.stringify(t.result)}`;
  }
  if (key.startsWith('desired/')) {
    const d = r as DesiredLRPRecord;
    return `instances=${d.instances} annotation=${JSON.stringify(d.annotation)} index=${d.modificationTag.index}`;
  }
  const a = r as ActualLRPRecord;
  return `${a.state} cell=${a.cellId} instance=${a.instanceGuid} crashes=${a.crashCount} index=${a.modificationTag.index}`;
}

function finalRecord(key: string, t: FinalTables): Rec | null {
  const [kind, guid, index] = key.split('/');
  if (kind === 'task') return t.tasks.find((x) => x.taskGuid === guid) ?? null;
  if (kind === 'desired') return t.desiredLRPs.find((x) => x.processGuid === guid) ?? null;
  return t.actualLRPs.find((x) => x.processGuid === guid && x.index === Number(index)) ?? null;
}

export function checkFinalRead(ops: readonly Op[]): Violation[] {
  const final = [...ops].reverse().find((o) => o.f === FINAL_READ && o.complete?.type === 'ok');
  if (!final) return [];
  const tables = final.complete!.value as FinalTables;
  const out: Violation[] = [];
  const workload = ops.filter((o) => o.f !== FINAL_READ);
  for (const prefix of ['task/', 'desired/', 'actual/']) {
    for (const [key, all] of byKey(workload, prefix)) {
      const last = all[all.length - 1]!;
      if (last.end === Infinity || !settled(all, last)) continue;
      const v = last.op.complete!.value as BbsResult | undefined;
      // A refused write changed nothing and says nothing about the state it saw.
      if (!v || v.error !== undefined || v.record === undefined) continue;
      const want = summary(key, v.record as Rec | null);
      const got = summary(key, finalRecord(key, tables));
      if (want !== got) {
        out.push({
          invariant: 'acknowledged-write-lost',
          key,
          ops: [last.op.op, final.op],
          explanation: `the last op on ${key}, ${last.op.f}, left it ${want}; the final read found ${got}`,
        });
      }
    }
  }
  out.push(...checkFinalDomains(workload, final));
  return out;
}

function settled(all: Timed[], last: Timed): boolean {
  return all.every((x) => x === last || x.end < last.start);
}
