// The Consul registration of the Galera nodes (consul-dns-nodes): one `mysql` instance per node at
// the address clients reach it on, checked over HTTP by its own galera-healthcheck.

import test from 'ava';
import { nodeServiceSpecs } from '../../lab/routing/consul-nodes.ts';

test('every node an instance of mysql, checked by its own galera-healthcheck', (t) => {
  const specs = nodeServiceSpecs([
    { name: 'n1', host: '127.0.170.11', port: 3306, healthcheckUrl: 'http://127.0.170.11:9200' },
    { name: 'n2', host: '127.0.170.32', port: 3306, healthcheckUrl: 'http://127.0.170.12:9200' },
  ]);
  t.deepEqual(specs, [
    {
      id: 'mysql-n1',
      name: 'mysql',
      address: '127.0.170.11',
      port: 3306,
      check: { http: 'http://127.0.170.11:9200/', interval: '1s', timeout: '1s' },
    },
    {
      id: 'mysql-n2',
      name: 'mysql',
      address: '127.0.170.32',
      port: 3306,
      check: { http: 'http://127.0.170.12:9200/', interval: '1s', timeout: '1s' },
    },
  ]);
});

test('nodes sharing an address are refused: an A record could not tell them apart', (t) => {
  t.throws(
    () =>
      nodeServiceSpecs([
        { name: 'n1', host: '127.0.0.1', port: 40001, healthcheckUrl: 'http://127.0.0.1:1' },
        { name: 'n2', host: '127.0.0.1', port: 40002, healthcheckUrl: 'http://127.0.0.1:2' },
      ]),
    {
      message:
        /consul-dns-nodes: the nodes share addresses \(n1 127\.0\.0\.1:40001, n2 127\.0\.0\.1:40002\).*each node needs its own \(topology\.provider local or ssh\)/,
    },
  );
});
