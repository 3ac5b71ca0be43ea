// The legacy BBS store on etcd v2 (db/etcd/etcd_db.go of the 2016 BBS), in the key layout of
// FACTS.md "Legacy etcd store":
//   /version                                  {"CurrentVersion": n, "TargetVersion": m}
//   /v1/domain/<domain>                       "" with the etcd TTL = the domain's TTL (none = never
//   expires) /v1/desired_lrp/schedule/<process guid>   the scheduling half of a desired LRP
//   /v1/desired_lrp/run/<process guid>        the run half (rootfs, resources, ...)
//   /v1/actual/<process guid>/<index>/instance
//   /v1/actual/<process guid>/<index>/evacuating
//   /v1/task/<task guid>
// The real BBS stored protobuf (optionally encrypted, /encryption-key); the lab stores JSON of the
// records in ops.ts: the layout and the create-only/CAS semantics are what the migration and the
// lock story depend on, not the encoding.

import {
  unclaimedActualLRP,
  type ActualLRPRecord,
  type BbsOp,
  type BbsResult,
  type DesiredLRPRecord,
  type DomainRecord,
  type TaskRecord,
} from '../ops.ts';
import { EtcdClient, EtcdError, leaves, NODE_EXISTS, type EtcdNode } from './client.ts';

export const VERSION_KEY = '/version';
export const DOMAIN_ROOT = '/v1/domain';
export const SCHEDULE_ROOT = '/v1/desired_lrp/schedule';
export const RUN_ROOT = '/v1/desired_lrp/run';
export const ACTUAL_ROOT = '/v1/actual';
export const TASK_ROOT = '/v1/task';

export interface StoredVersion {
  CurrentVersion: number;
  TargetVersion: number;
}

/** The scheduling half of a desired LRP (DesiredLRPSchedulingInfo). */
export interface ScheduleInfo {
  processGuid: string;
  domain: string;
  logGuid: string;
  annotation: string;
  instances: number;
  modificationTag: { epoch: string; index: number };
}

/** The run half (DesiredLRPRunInfo), the part the record in ops.ts does not carry. */
export interface RunInfo {
  processGuid: string;
  domain: string;
  rootfs: string;
  memoryMb: number;
  diskMb: number;
}

export interface StoredActualLRP {
  record: ActualLRPRecord;
  evacuating: boolean;
}

/** Everything the legacy store holds (what the etcd-to-SQL migration reads). */
export interface EtcdContents {
  domains: DomainRecord[];
  /** Desired LRPs whose schedule and run halves are both present. */
  desiredLRPs: DesiredLRPRecord[];
  /** Process guids with only one half present (the migration skips them). */
  incompleteDesiredLRPs: string[];
  actualLRPs: StoredActualLRP[];
  tasks: TaskRecord[];
}

const ROOTFS = 'preloaded:cflinuxfs2';

const byStr =
  <T>(f: (x: T) => string) =>
  (a: T, b: T) =>
    f(a) < f(b) ? -1 : f(a) > f(b) ? 1 : 0;

function epoch(): string {
  return crypto.randomUUID();
}

export class EtcdBbsStore {
  readonly client: EtcdClient;

  constructor(url: string) {
    this.client = new EtcdClient(url);
  }

  // --- version ---------------------------------------------------------------------------

  async version(): Promise<StoredVersion | null> {
    const n = await this.client.get(VERSION_KEY);
    if (!n?.value) return null;
    return JSON.parse(n.value) as StoredVersion;
  }

  async setVersion(v: StoredVersion): Promise<void> {
    await this.client.set(VERSION_KEY, JSON.stringify(v));
  }

  // --- writes (as the legacy BBS wrote them) ---------------------------------------------

  /** UpsertDomain: the key's TTL is the domain's; 0 = never expires. */
  async upsertDomain(domain: string, ttl: number): Promise<void> {
    await this.client.set(`${DOMAIN_ROOT}/${domain}`, '', ttl > 0 ? { ttl } : {});
  }

  /** DesireLRP: run info then schedule info, each create-only. */
  async desireLRP(a: {
    processGuid: string;
    domain: string;
    instances: number;
    annotation: string;
  }): Promise<BbsResult> {
    const tag = { epoch: epoch(), index: 0 };
    const run: RunInfo = {
      processGuid: a.processGuid,
      domain: a.domain,
      rootfs: ROOTFS,
      memoryMb: 256,
      diskMb: 1024,
    };
    const sched: ScheduleInfo = {
      processGuid: a.processGuid,
      domain: a.domain,
      logGuid: a.processGuid,
      annotation: a.annotation,
      instances: a.instances,
      modificationTag: tag,
    };
    try {
      await this.client.set(`${RUN_ROOT}/${a.processGuid}`, JSON.stringify(run), {
        prevExist: false,
      });
      await this.client.set(`${SCHEDULE_ROOT}/${a.processGuid}`, JSON.stringify(sched), {
        prevExist: false,
      });
    } catch (e) {
      if (e instanceof EtcdError && e.errorCode === NODE_EXISTS) return { error: 'ResourceExists' };
      throw e;
    }
    return {
      record: {
        processGuid: a.processGuid,
        domain: a.domain,
        instances: a.instances,
        annotation: a.annotation,
        modificationTag: tag,
      },
    };
  }

  /** Writes one half only (to model a torn desire, which the migration skips). */
  async putScheduleInfoOnly(s: ScheduleInfo): Promise<void> {
    await this.client.set(`${SCHEDULE_ROOT}/${s.processGuid}`, JSON.stringify(s));
  }

  async putActualLRP(record: ActualLRPRecord, evacuating = false): Promise<void> {
    await this.client.set(
      `${ACTUAL_ROOT}/${record.processGuid}/${record.index}/${evacuating ? 'evacuating' : 'instance'}`,
      JSON.stringify(record),
    );
  }

  async createUnclaimedActualLRP(a: {
    processGuid: string;
    index: number;
    domain: string;
  }): Promise<BbsResult> {
    const record = unclaimedActualLRP(a, epoch());
    try {
      await this.client.set(
        `${ACTUAL_ROOT}/${a.processGuid}/${a.index}/instance`,
        JSON.stringify(record),
        { prevExist: false },
      );
    } catch (e) {
      if (e instanceof EtcdError && e.errorCode === NODE_EXISTS) return { error: 'ResourceExists' };
      throw e;
    }
    return { record };
  }

  async putTask(t: TaskRecord): Promise<void> {
    await this.client.set(`${TASK_ROOT}/${t.taskGuid}`, JSON.stringify(t));
  }

  async desireTask(a: { taskGuid: string; domain: string }): Promise<BbsResult> {
    const record: TaskRecord = {
      taskGuid: a.taskGuid,
      domain: a.domain,
      state: 'PENDING',
      cellId: '',
      result: '',
      failed: false,
      failureReason: '',
    };
    try {
      await this.client.set(`${TASK_ROOT}/${a.taskGuid}`, JSON.stringify(record), {
        prevExist: false,
      });
    } catch (e) {
      if (e instanceof EtcdError && e.errorCode === NODE_EXISTS) return { error: 'ResourceExists' };
      throw e;
    }
    return { record };
  }

  // --- reads ----------------------------------------------------------------------------

  async task(guid: string): Promise<TaskRecord | null> {
    const n = await this.client.get(`${TASK_ROOT}/${guid}`);
    return n?.value ? (JSON.parse(n.value) as TaskRecord) : null;
  }

  async desiredLRP(guid: string): Promise<DesiredLRPRecord | null> {
    const s = await this.client.get(`${SCHEDULE_ROOT}/${guid}`);
    const r = await this.client.get(`${RUN_ROOT}/${guid}`);
    if (!s?.value || !r?.value) return null;
    return desiredFrom(JSON.parse(s.value) as ScheduleInfo);
  }

  async actualLRP(guid: string, index: number): Promise<ActualLRPRecord | null> {
    const n = await this.client.get(`${ACTUAL_ROOT}/${guid}/${index}/instance`);
    return n?.value ? (JSON.parse(n.value) as ActualLRPRecord) : null;
  }

  // One recursive GET per resource, as the etcd-to-SQL migration reads them (each can fail alone).
  async readDomains(): Promise<DomainRecord[]> {
    return leaves(await this.client.get(DOMAIN_ROOT, true))
      .map((n: EtcdNode) => ({ domain: lastSegment(n.key), ttl: n.ttl ?? 0 }))
      .sort(byStr((d) => d.domain));
  }

  /** Scheduling infos, then run infos (two GETs): the LRPs with both halves, and the torn ones. */
  async readDesiredLRPs(): Promise<{ desiredLRPs: DesiredLRPRecord[]; incomplete: string[] }> {
    const scheds = new Map(
      leaves(await this.client.get(SCHEDULE_ROOT, true)).map((n) => [
        lastSegment(n.key),
        JSON.parse(n.value ?? '{}') as ScheduleInfo,
      ]),
    );
    const runs = new Set(
      leaves(await this.client.get(RUN_ROOT, true)).map((n) => lastSegment(n.key)),
    );
    const desiredLRPs: DesiredLRPRecord[] = [];
    const incomplete: string[] = [];
    for (const [guid, s] of scheds) {
      if (runs.has(guid)) desiredLRPs.push(desiredFrom(s));
      else incomplete.push(guid);
    }
    for (const guid of runs) if (!scheds.has(guid)) incomplete.push(guid);
    return {
      desiredLRPs: desiredLRPs.sort(byStr((d) => d.processGuid)),
      incomplete: incomplete.sort(),
    };
  }

  async readActualLRPs(): Promise<StoredActualLRP[]> {
    return leaves(await this.client.get(ACTUAL_ROOT, true))
      .map((n) => ({
        record: JSON.parse(n.value ?? '{}') as ActualLRPRecord,
        evacuating: lastSegment(n.key) === 'evacuating',
      }))
      .sort((a, b) =>
        a.record.processGuid < b.record.processGuid
          ? -1
          : a.record.processGuid > b.record.processGuid
            ? 1
            : a.record.index - b.record.index,
      );
  }

  async readTasks(): Promise<TaskRecord[]> {
    return leaves(await this.client.get(TASK_ROOT, true))
      .map((n) => JSON.parse(n.value ?? '{}') as TaskRecord)
      .sort(byStr((t) => t.taskGuid));
  }

  /** Everything under /v1 (recursive GETs of each root). */
  async contents(): Promise<EtcdContents> {
    const domains = await this.readDomains();
    const d = await this.readDesiredLRPs();
    return {
      domains,
      desiredLRPs: d.desiredLRPs,
      incompleteDesiredLRPs: d.incomplete,
      actualLRPs: await this.readActualLRPs(),
      tasks: await this.readTasks(),
    };
  }

  // --- the few API ops a legacy node serves ---------------------------------------------

  /** Runs one op of the subset the lab's legacy node serves; others throw. */
  async execute(op: BbsOp): Promise<BbsResult> {
    const a = op.args as Record<string, unknown>;
    switch (op.f) {
      case 'UpsertDomain':
        await this.upsertDomain(String(a.domain), Number(a.ttl));
        return { record: { domain: String(a.domain), ttl: Number(a.ttl) } };
      case 'DesireLRP':
        return this.desireLRP(
          op.args as { processGuid: string; domain: string; instances: number; annotation: string },
        );
      case 'DesiredLRPByProcessGuid':
        return { record: await this.desiredLRP(String(a.processGuid)) };
      case 'CreateUnclaimedActualLRP':
        return this.createUnclaimedActualLRP(
          op.args as { processGuid: string; index: number; domain: string },
        );
      case 'ActualLRPByIndex':
        return { record: await this.actualLRP(String(a.processGuid), Number(a.index)) };
      case 'DesireTask':
        return this.desireTask(op.args as { taskGuid: string; domain: string });
      case 'TaskByGuid':
        return { record: await this.task(String(a.taskGuid)) };
      default:
        throw new Error(`the lab's legacy etcd node does not serve ${op.f}`);
    }
  }

  /** Removes everything the BBS keeps (/v1 and /version): a fresh etcd for a test. */
  async wipe(): Promise<void> {
    await this.client.delete('/v1', true);
    await this.client.delete(VERSION_KEY);
  }
}

export const LEGACY_OPS: ReadonlySet<string> = new Set([
  'UpsertDomain',
  'DesireLRP',
  'DesiredLRPByProcessGuid',
  'CreateUnclaimedActualLRP',
  'ActualLRPByIndex',
  'DesireTask',
  'TaskByGuid',
]);

function lastSegment(key: string): string {
  const parts = key.split('/');
  return parts[parts.length - 1]!;
}

function desiredFrom(s: ScheduleInfo): DesiredLRPRecord {
  return {
    processGuid: s.processGuid,
    domain: s.domain,
    instances: s.instances,
    annotation: s.annotation,
    modificationTag: s.modificationTag,
  };
}
