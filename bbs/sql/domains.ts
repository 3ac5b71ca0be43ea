// UpsertDomain of db/sqldb/domain_db.go (2016): one upsert of the domain's expiry, in a transaction.

import { expireTimeFor, nowNs } from './schema.ts';
import { always, type SqlOps } from './sql-op.ts';

export const domainOps: Pick<SqlOps, 'UpsertDomain'> = {
  UpsertDomain: {
    transactional: always,
    async run(ctx, a) {
      const expire = expireTimeFor(a.ttl, nowNs());
      await ctx.q('INSERT INTO domains (domain, expire_time) VALUES (?, ?) ON DUPLICATE KEY UPDATE expire_time = ?', [a.domain, expire, expire]);
      return { record: { domain: a.domain, ttl: a.ttl } };
    },
  },
};
