// Legacy data for migration tests and scenarios: what a 0.1434.0-era deployment leaves in etcd.
// Every domain shape (with and without TTL), desired LRPs, actual LRPs in every state plus
// evacuating ones (which the migration skips), tasks in every state, and one torn desired LRP
// (schedule half only).

import type { EtcdBbsStore } from '../../bbs/etcd/store.ts';
import type { ActualLRPRecord, ActualLRPState, TaskRecord, TaskState } from '../../bbs/ops.ts';

export interface SeedOptions {
  desiredLRPs?: number;
  tasks?: number;
  prefix?: string;
}

export interface SeedSummary {
  domains: number;
  desiredLRPs: number;
  actualLRPs: number;
  evacuating: number;
  tasks: number;
}

const ACTUAL_STATES: ActualLRPState[] = ['UNCLAIMED', 'CLAIMED', 'RUNNING', 'CRASHED'];
const TASK_STATES: TaskState[] = ['PENDING', 'RUNNING', 'COMPLETED', 'RESOLVING'];

export async function seedLegacyData(
  etcd: EtcdBbsStore,
  o: SeedOptions = {},
): Promise<SeedSummary> {
  const p = o.prefix ?? 'legacy';
  const nLrp = o.desiredLRPs ?? 6;
  const nTask = o.tasks ?? 8;
  const s: SeedSummary = { domains: 0, desiredLRPs: 0, actualLRPs: 0, evacuating: 0, tasks: 0 };
  await etcd.upsertDomain('cf-apps', 120);
  await etcd.upsertDomain('cf-tasks', 0);
  s.domains = 2;
  for (let i = 0; i < nLrp; i++) {
    const guid = `${p}-lrp-${i}`;
    const r = await etcd.desireLRP({
      processGuid: guid,
      domain: 'cf-apps',
      instances: 2,
      annotation: `app ${i}`,
    });
    if (r.error) throw new Error(`seed: DesireLRP ${guid}: ${r.error}`);
    s.desiredLRPs++;
    for (let idx = 0; idx < 2; idx++) {
      const state = ACTUAL_STATES[(i + idx) % ACTUAL_STATES.length]!;
      const placed = state !== 'UNCLAIMED';
      const rec: ActualLRPRecord = {
        processGuid: guid,
        index: idx,
        domain: 'cf-apps',
        state,
        instanceGuid: placed ? `${guid}-${idx}-inst` : '',
        cellId: placed ? `cell-${(i + idx) % 3}` : '',
        placementError: '',
        crashCount: state === 'CRASHED' ? 2 : 0,
        crashReason: state === 'CRASHED' ? 'exit status 1' : '',
        modificationTag: { epoch: `${guid}-${idx}-epoch`, index: i + idx },
      };
      await etcd.putActualLRP(rec);
      s.actualLRPs++;
      if (state === 'RUNNING') {
        // An instance being evacuated from its cell: present in etcd, skipped by the migration.
        await etcd.putActualLRP(
          { ...rec, cellId: 'cell-evac', instanceGuid: `${rec.instanceGuid}-evac` },
          true,
        );
        s.evacuating++;
      }
    }
  }
  for (let i = 0; i < nTask; i++) {
    const state = TASK_STATES[i % TASK_STATES.length]!;
    const t: TaskRecord = {
      taskGuid: `${p}-task-${i}`,
      domain: 'cf-tasks',
      state,
      cellId: state === 'PENDING' ? '' : `cell-${i % 3}`,
      result: state === 'COMPLETED' || state === 'RESOLVING' ? `result ${i}` : '',
      failed: state === 'COMPLETED' && i % 8 === 2,
      failureReason: state === 'COMPLETED' && i % 8 === 2 ? 'oom' : '',
    };
    await etcd.putTask(t);
    s.tasks++;
  }
  await etcd.putScheduleInfoOnly({
    processGuid: `${p}-torn`,
    domain: 'cf-apps',
    logGuid: `${p}-torn`,
    annotation: '',
    instances: 1,
    modificationTag: { epoch: 'torn', index: 0 },
  });
  return s;
}
