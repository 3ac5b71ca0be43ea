// Record-by-record comparison of what the legacy etcd store held with what SQL holds after the
// etcd-to-SQL migration: every domain, desired LRP, non-evacuating actual LRP and task. Pure.

import type { EtcdContents } from '../etcd/store.ts';
import type { FinalRead } from '../sql/store.ts';

export interface Difference {
  kind: 'domain' | 'desiredLRP' | 'actualLRP' | 'task';
  key: string;
  etcd: unknown;
  sql: unknown;
}

/** Domain TTLs are compared within `ttlSlackS` seconds (time passes between the two reads). */
export function compareMigrated(etcd: EtcdContents, sql: FinalRead, ttlSlackS = 5): Difference[] {
  const out: Difference[] = [];
  const diff = <T>(
    kind: Difference['kind'],
    a: T[],
    b: T[],
    key: (x: T) => string,
    same: (x: T, y: T) => boolean,
  ) => {
    const bm = new Map(b.map((x) => [key(x), x]));
    const am = new Map(a.map((x) => [key(x), x]));
    for (const [k, x] of am) {
      const y = bm.get(k);
      if (y === undefined || !same(x, y)) out.push({ kind, key: k, etcd: x, sql: y ?? null });
    }
    for (const [k, y] of bm) if (!am.has(k)) out.push({ kind, key: k, etcd: null, sql: y });
  };
  const eq = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  diff(
    'domain',
    etcd.domains,
    sql.domains,
    (d) => d.domain,
    (x, y) => Math.abs(x.ttl - y.ttl) <= ttlSlackS,
  );
  diff(
    'desiredLRP',
    etcd.desiredLRPs,
    sql.desiredLRPs,
    (d) => d.processGuid,
    (x, y) => eq(canonical(x), canonical(y)),
  );
  diff(
    'actualLRP',
    etcd.actualLRPs.filter((a) => !a.evacuating).map((a) => a.record),
    sql.actualLRPs,
    (a) => `${a.processGuid}/${a.index}`,
    (x, y) => eq(canonical(x), canonical(y)),
  );
  diff(
    'task',
    etcd.tasks,
    sql.tasks,
    (t) => t.taskGuid,
    (x, y) => eq(canonical(x), canonical(y)),
  );
  return out;
}

function canonical(x: object): unknown {
  return Object.fromEntries(
    Object.entries(x)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => [k, v !== null && typeof v === 'object' ? canonical(v as object) : v]),
  );
}
