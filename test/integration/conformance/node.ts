// One real Galera node with the BBS schema, for a conformance test file: started before its tests,
// stopped after them (also when one fails). Each file passes its own loopback address base.

import test from 'ava';
import mysql from 'mysql2/promise';
import { startLocalCluster, type LocalGalera } from '../../../lab/providers/local/cluster.ts';
import { createSchema } from '../../../bbs/sql/schema.ts';

export interface SchemaNode {
  /** The pool on the node, set once the file's `before` hook ran. */
  pool(): mysql.Pool;
}

export function schemaNodeForFile(
  addressBase: string,
  firstHost: number,
  connectionLimit: number,
): SchemaNode {
  let cluster: LocalGalera | undefined;
  let pool: mysql.Pool | undefined;
  test.before(async (t) => {
    cluster = await startLocalCluster({ nodes: 1, addressBase, firstHost, log: (m) => t.log(m) });
    const n = cluster.nodes[0]!;
    pool = mysql.createPool({
      host: n.host,
      port: n.port,
      user: cluster.user,
      password: cluster.password,
      database: cluster.database,
      connectionLimit,
    });
    await createSchema(pool);
  });
  test.after.always(async () => {
    await pool?.end().catch(() => {});
    await cluster?.stop();
  });
  return {
    pool: () => {
      if (!pool) throw new Error('the conformance node is not started (used outside a test?)');
      return pool;
    },
  };
}
