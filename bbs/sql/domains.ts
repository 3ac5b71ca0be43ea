// The domain ops of db/sqldb/domain_db.go. UpsertDomain writes the domain's absolute expiry:
// INSERT … ON DUPLICATE KEY UPDATE until b08a6ca0 (2017-05-23), then the helpers' Upsert, an UPDATE
// and an INSERT when the UPDATE changed no row; as an autocommit statement until 47049111
// (2016-11-30, `transactionalReads`), in a transaction after. Domains (FreshDomains today) is one
// SELECT of the domains whose expiry is after the BBS's clock rounded to the second.

import type { ResultSetHeader } from 'mysql2';
import type { BbsResult } from '../ops.ts';
import type { StoreOptions } from './options.ts';
import { planted } from './plants.ts';
import { expireTimeFor, nowNs } from './schema.ts';
import { isDuplicateKey, whenTransactionalReads, type SqlOps } from './sql-op.ts';

/**
 * The expire_time UpsertDomain writes. A ttl of 0 became "never expires" (math.MaxInt64) at
 * 23dfa3fb (2016-04-14); before, it was now + 0, a domain that is never fresh.
 */
export function domainExpireTime(
  opts: Pick<StoreOptions, 'domainTtlZero'>,
  ttlSeconds: number,
  now: bigint,
): bigint {
  if (ttlSeconds === 0 && opts.domainTtlZero === 'expires-now') return now;
  return expireTimeFor(ttlSeconds, now);
}

/** clock.Now().Round(time.Second): to the nearest second, halves away from zero. */
export function roundToSecondNs(now: bigint): bigint {
  return ((now + 500_000_000n) / 1_000_000_000n) * 1_000_000_000n;
}

export const domainOps: Pick<SqlOps, 'UpsertDomain' | 'Domains'> = {
  UpsertDomain: {
    transactional: whenTransactionalReads,
    async run(ctx, a) {
      const expire = domainExpireTime(ctx.opts, a.ttl, nowNs());
      const done = { record: { domain: a.domain, ttl: a.ttl } };
      // The INSERT helpers.Upsert falls back to: a domain already there is refused with 1062, which
      // the BBS answers ResourceExists.
      const insert = async (): Promise<BbsResult> => {
        try {
          await ctx.q('INSERT INTO domains (domain, expire_time) VALUES (?, ?)', [
            a.domain,
            expire,
          ]);
          return done;
        } catch (e) {
          if (isDuplicateKey(e)) return { error: 'ResourceExists' };
          throw e;
        }
      };
      // PLANTED BUG (domain-blind-upsert): only the INSERT; an existing domain is refused, never
      // renewed.
      if (planted(ctx.opts, 'domain-blind-upsert')) return insert();
      if (ctx.opts.upsertDomain === 'insert-on-duplicate') {
        await ctx.q(
          'INSERT INTO domains (domain, expire_time) VALUES (?, ?) ON DUPLICATE KEY UPDATE expire_time = ?',
          [a.domain, expire, expire],
        );
        return done;
      }
      // helpers.Upsert inserts when RowsAffected is 0, and go-sql-driver (no clientFoundRows, as
      // the BBS opens it) counts changed rows, not matched ones: mysql2's changedRows. So a
      // domain upserted again with the same expiry (ttl 0: MaxInt64 again) gets its INSERT
      // refused with 1062, which the BBS answers ResourceExists.
      const updated = await ctx.q<ResultSetHeader>(
        'UPDATE domains SET domain = ?, expire_time = ? WHERE domain = ?',
        [a.domain, expire, a.domain],
      );
      return updated.changedRows === 0 ? insert() : done;
    },
  },
  Domains: {
    transactional: whenTransactionalReads,
    async run(ctx) {
      // expire_time is UnixNano, as UpsertDomain wrote it; "fresh" is strictly after now. The
      // BBS's SELECT has no ORDER BY; the lab sorts the names it answers.
      const rows = await ctx.q<{ domain: string }[]>(
        'SELECT domain FROM domains WHERE expire_time > ?',
        [roundToSecondNs(nowNs())],
      );
      return { domains: rows.map((r) => r.domain).sort() };
    },
  },
};
