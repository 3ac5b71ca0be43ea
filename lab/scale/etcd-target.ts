// The `etcd` topology of a scale run: the legacy BBS store on one real etcd (v2 keys API, as the
// 2016 BBS used it), the same population as the SQL topologies written as the 2016 BBS laid out its
// keys (bbs/etcd/store.ts), and the workload's two writes as the etcd store made them
// (UpdateDesiredLRP: read the scheduling info, compare-and-swap it; DesireTask: create-only PUT).

import { EtcdClient, EtcdError, NODE_EXISTS } from '../../bbs/etcd/client.ts';
import type { EtcdActualValue, EtcdTaskValue } from '../../bbs/etcd/bulk.ts';
import {
  ACTUAL_ROOT,
  DOMAIN_ROOT,
  RUN_ROOT,
  SCHEDULE_ROOT,
  TASK_ROOT,
  type RunInfo,
  type ScheduleInfo,
} from '../../bbs/etcd/store.ts';
import { limiter } from '../../bbs/sql/convergence.ts';
import { startEtcd } from '../providers/etcd/server.ts';
import {
  cellName,
  cellOfInstance,
  cellOfTask,
  domainName,
  lrpGuid,
  type PopulationShape,
  taskGuid,
  tasksAt,
} from './populate.ts';
import type { ScaleTarget, TargetOptions } from './target.ts';

/** The big recursive GETs of 50 000 keys take seconds on a loaded machine: no 5 s client timeout. */
const SCALE_ETCD_TIMEOUT_MS = 600_000;

export async function startEtcdScaleTarget(o: TargetOptions): Promise<ScaleTarget> {
  const server = await startEtcd({ host: `${o.addressBase}.31` });
  o.log(`scale: etcd: ${server.url}`);
  return {
    cluster: null,
    etcd: new EtcdClient(server.url, SCALE_ETCD_TIMEOUT_MS),
    workDir: server.workDir,
    pool() {
      throw new Error('the etcd topology has no SQL pool');
    },
    nodes: [],
    presence: false,
    describe:
      'the legacy etcd store: one etcd 3.4 (v2 keys API), the 2016 BBS\u2019s db/etcd bulk reads and LRP convergence (db3234a7)',
    busiestNode: () => 'etcd',
    stop: () => server.stop(),
  };
}

// etcd syncs its log to disk per batch of proposals: on this machine 130 PUT/s at 32 at once, 244 at
// 256 (3 000 PUTs of 300 bytes, load ~15). 50 000 LRPs are ~155 000 keys: ~10 min at 256.
const PUT_CONCURRENCY = 256;

/**
 * Grows the etcd population from `from` to `to` desired LRPs: the same rows as `populate` writes
 * into SQL (same cells, domains, tasks), one key per row (schedule and run halves, one `instance`
 * key per actual LRP, one per task), `PUT_CONCURRENCY` PUTs at a time.
 */
export async function populateEtcd(
  client: EtcdClient,
  seed: number,
  shape: PopulationShape,
  from: number,
  to: number,
  progress: (line: string) => void = () => {},
): Promise<void> {
  const now = Date.now() * 1e6;
  const limit = limiter(PUT_CONCURRENCY);
  const puts: Promise<unknown>[] = [];
  const put = (key: string, value: string): void => {
    puts.push(limit(() => client.set(key, value)));
  };
  if (from === 0)
    for (let d = 0; d < shape.domains; d++) put(`${DOMAIN_ROOT}/${domainName(d)}`, '');
  for (let i = from; i < to; i++) {
    const guid = lrpGuid(i);
    const domain = domainName(i % shape.domains);
    const sched: ScheduleInfo = {
      processGuid: guid,
      domain,
      logGuid: `log-${guid}`,
      annotation: '',
      instances: shape.instances,
      modificationTag: { epoch: `epoch-${guid}`, index: 0 },
    };
    const run: RunInfo = {
      processGuid: guid,
      domain,
      rootfs: 'preloaded:cflinuxfs4',
      memoryMb: 128,
      diskMb: 256,
    };
    put(`${SCHEDULE_ROOT}/${guid}`, JSON.stringify(sched));
    put(`${RUN_ROOT}/${guid}`, JSON.stringify(run));
    for (let k = 0; k < shape.instances; k++) {
      const a: EtcdActualValue = {
        processGuid: guid,
        index: k,
        domain,
        state: 'RUNNING',
        instanceGuid: `${guid}-${k}-i`,
        cellId: cellName(cellOfInstance(seed, i, k, shape.cells)),
        placementError: '',
        crashCount: 0,
        crashReason: '',
        modificationTag: { epoch: `epoch-${guid}-${k}`, index: 1 },
        since: now,
      };
      put(`${ACTUAL_ROOT}/${guid}/${k}/instance`, JSON.stringify(a));
    }
    if ((i - from + 1) % 5000 === 0) {
      await Promise.all(puts.splice(0));
      progress(`populate: etcd desired LRPs ${i + 1 - from}/${to - from}`);
    }
  }
  for (let j = tasksAt(from, shape); j < tasksAt(to, shape); j++) {
    const t: EtcdTaskValue = {
      taskGuid: taskGuid(j),
      domain: domainName(j % shape.domains),
      state: 'RUNNING',
      cellId: cellName(cellOfTask(seed, j, shape.cells)),
      result: '',
      failed: false,
      failureReason: '',
      createdAt: now,
      updatedAt: now,
      firstCompletedAt: 0,
    };
    put(`${TASK_ROOT}/${t.taskGuid}`, JSON.stringify(t));
  }
  await Promise.all(puts);
}

/**
 * The ordinary workload's writes on etcd: UpdateDesiredLRP (db3234a7 db/etcd/desired_lrp_db.go:
 * read the scheduling info with its index, compare-and-swap the new one) and DesireTask (create-only).
 * Returns the BBS error name, or null.
 */
export async function etcdWorkloadWrite(
  client: EtcdClient,
  op:
    | { f: 'UpdateDesiredLRP'; args: { processGuid: string; annotation: string } }
    | { f: 'DesireTask'; args: { taskGuid: string; domain: string } },
): Promise<string | null> {
  try {
    if (op.f === 'DesireTask') {
      const now = Date.now() * 1e6;
      const t: EtcdTaskValue = {
        taskGuid: op.args.taskGuid,
        domain: op.args.domain,
        state: 'PENDING',
        cellId: '',
        result: '',
        failed: false,
        failureReason: '',
        createdAt: now,
        updatedAt: now,
        firstCompletedAt: 0,
      };
      await client.set(`${TASK_ROOT}/${t.taskGuid}`, JSON.stringify(t), { prevExist: false });
      return null;
    }
    const n = await client.get(`${SCHEDULE_ROOT}/${op.args.processGuid}`);
    if (!n?.value) return 'ResourceNotFound';
    const s = JSON.parse(n.value) as ScheduleInfo;
    s.annotation = op.args.annotation;
    s.modificationTag = { ...s.modificationTag, index: s.modificationTag.index + 1 };
    await client.set(`${SCHEDULE_ROOT}/${op.args.processGuid}`, JSON.stringify(s), {
      prevIndex: n.modifiedIndex,
    });
    return null;
  } catch (e) {
    if (e instanceof EtcdError)
      return e.errorCode === NODE_EXISTS ? 'ResourceExists' : `etcd ${e.errorCode ?? e.status}`;
    return (e as Error).message.split('\n')[0]!;
  }
}
