// The argument shapes of each BBS op as its real callers send it (which fields, which keys present
// or empty), with the weight the generator draws each with, and the shape an op of a history had.
// The callers and their sources are in lab/workload/README.md; the generator (generator.ts) draws
// from SHAPES and the report's reach table (lab/report/reach.ts) counts ops by shapeOf. Pure.

import type { BbsOp, BbsOpName } from '../../bbs/ops.ts';

/** The prefix of a domain the run made up: its first upserts race each other (generator.ts). */
export const FRESH_DOMAIN_PREFIX = 'fresh-';

export interface Shape {
  name: string;
  /** Relative weight within the op's draws. */
  weight: number;
}

/**
 * Per op with more than one shape, the shapes the generator draws. Ops absent here have one shape,
 * named 'caller' (their only caller sends every field).
 */
export const SHAPES: Partial<Record<BbsOpName, readonly Shape[]>> = {
  // rep: its own instance's key (generator/internal/ordinary_lrp_processor.go, operation.go);
  // BBS RetireActualLRP of an UNCLAIMED or CRASHED one: the stored, empty instance key; no key:
  // the request's key is optional (and absent before 1f4fe8c6, 2016-06).
  RemoveActualLRP: [
    { name: 'instance key', weight: 6 },
    { name: 'empty instance key', weight: 2 },
    { name: 'no key', weight: 1 },
  ],
  // nsync bulker / CC: a fixed domain (cf-apps, cf-tasks) on every sync; a domain new to the run,
  // whose first upserts race (what a fresh deployment or a new domain does).
  UpsertDomain: [
    { name: 'bulker domain', weight: 1 },
    { name: 'fresh domain', weight: 1 },
  ],
  // nsync (desire handler and bulker): instances and annotation (the app's etag) together; CC's
  // route update: neither (routes only, which the lab does not model).
  UpdateDesiredLRP: [
    { name: 'instances and annotation', weight: 4 },
    { name: 'routes only', weight: 1 },
  ],
  // rep: a container's run result, failed (with a reason) or succeeded (with a result).
  CompleteTask: [
    { name: 'succeeded', weight: 3 },
    { name: 'failed', weight: 1 },
  ],
};

/** The shape of one op from its arguments: what the reach table counts. */
export function shapeOf(op: BbsOp): string {
  const a = op.args as Record<string, unknown>;
  switch (op.f) {
    case 'RemoveActualLRP':
      if (a.instanceGuid === undefined && a.cellId === undefined) return 'no key';
      return a.instanceGuid === '' && a.cellId === '' ? 'empty instance key' : 'instance key';
    case 'UpsertDomain':
      return String(a.domain).startsWith(FRESH_DOMAIN_PREFIX) ? 'fresh domain' : 'bulker domain';
    case 'UpdateDesiredLRP':
      if (a.instances !== undefined && a.annotation !== undefined)
        return 'instances and annotation';
      if (a.instances === undefined && a.annotation === undefined) return 'routes only';
      return a.instances !== undefined ? 'instances only' : 'annotation only';
    case 'CompleteTask':
      return a.failed === true ? 'failed' : 'succeeded';
    default:
      return 'caller';
  }
}
