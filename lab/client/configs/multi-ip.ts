// multi-ip: the client holds every target's address and fails over itself (mysql2 PoolCluster with
// `clients.selector`).

import mysql from 'mysql2/promise';
import { defineClientConfig } from './types.ts';

export const multiIp = defineClientConfig({
  name: 'multi-ip',
  consul: null,
  serve: 'every-proxy',
  problem: () => null,
  describe: (s) => `each client holding every address and failing over itself (mysql2 PoolCluster, selector ${s.clients.selector})`,
  source: (s, ctx) => ({
    name: 'multi-ip',
    lender: ctx.shared('multi-ip', () => {
      // mysql2 drops a node after removeNodeErrorCount connection errors and, with
      // restoreNodeTimeout, tries it again after that long (0 would drop it for good).
      const selector = s.clients.selector;
      const pc = mysql.createPoolCluster({ removeNodeErrorCount: 1, restoreNodeTimeout: 1000, defaultSelector: selector, canRetry: true });
      for (const t of ctx.targets) {
        pc.add(t.name, { host: t.host, port: t.port, ...ctx.login, connectionLimit: s.clients.poolSize, connectTimeout: 5000 });
      }
      return { lender: { getConnection: () => pc.getConnection('*', selector) }, end: () => pc.end() };
    }),
  }),
});
