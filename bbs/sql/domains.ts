// The domain ops of db/sqldb/domain_db.go (2016): UpsertDomain, one upsert of the domain's expiry
// in a transaction, and Domains (FreshDomains), one autocommit SELECT of the domains whose expiry
// is after the BBS's clock, outside any transaction as the BBS ran its reads (transactionalReads).

import { expireTimeFor, nowNs } from './schema.ts';
import { always, whenTransactionalReads, type SqlOps } from './sql-op.ts';

export const domainOps: Pick<SqlOps, 'UpsertDomain' | 'Domains'> = {
  UpsertDomain: {
    transactional: always,
    async run(ctx, a) {
      const expire = expireTimeFor(a.ttl, nowNs());
      await ctx.q('INSERT INTO domains (domain, expire_time) VALUES (?, ?) ON DUPLICATE KEY UPDATE expire_time = ?', [a.domain, expire, expire]);
      return { record: { domain: a.domain, ttl: a.ttl } };
    },
  },
  Domains: {
    transactional: whenTransactionalReads,
    async run(ctx) {
      // expire_time is UnixNano, as UpsertDomain wrote it; "fresh" is strictly after now.
      const rows = await ctx.q<{ domain: string }[]>('SELECT domain FROM domains WHERE expire_time > ? ORDER BY domain', [nowNs()]);
      return { domains: rows.map((r) => r.domain) };
    },
  },
};
