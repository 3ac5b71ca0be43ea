// The pure parts of the lab's Docker engine: API routing and versions, `filters`, loopback
// addressing, name resolution in commands, the image catalogue, port bindings, disconnect cuts,
// and the MariaDB image's initialisation from its environment.

import test from 'ava';
import {
  AddressPool,
  boundSubnets,
  parseSubnetRange,
  procNetAddress,
  SubnetPool,
} from '../../lab/docker-engine/addresses.ts';
import { EngineError } from '../../lab/docker-engine/errors.ts';
import { labelMatches, matchesFilters, parseFilters } from '../../lab/docker-engine/filters.ts';
import { catalogueEntry, ImageStore, parseImageRef } from '../../lab/docker-engine/images.ts';
import {
  mariadbServerArgs,
  parseGoFlags,
  resolveGcomm,
  resolveHost,
  resolveProviderOptions,
  type NameContext,
} from '../../lab/docker-engine/names.ts';
import { disconnectCuts } from '../../lab/docker-engine/networks.ts';
import { parsePortBindings } from '../../lab/docker-engine/ports.ts';
import { matchRoute, muxFrame, queryBool } from '../../lab/docker-engine/routes.ts';
import { parseSignal } from '../../lab/docker-engine/containers.ts';
import { initEnv, initSql } from '../../lab/docker-engine/entrypoints/mariadb.ts';
import { demuxLogs } from '../../lab/providers/docker/provider.ts';
import { nodeSpec, type DockerTopology } from '../../lab/providers/docker/specs.ts';

const statusOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof EngineError ? e.status : 'not an EngineError';
  }
  return 'no error';
};

test('routes: versioned and unversioned paths reach the same handler; ids and image names with slashes', (t) => {
  const a = matchRoute('GET', '/v1.41/containers/json?all=1&filters=%7B%7D');
  const b = matchRoute('GET', '/containers/json?all=1');
  t.true(a.ok && b.ok);
  if (a.ok && b.ok) {
    t.is(a.name, 'containers.list');
    t.is(b.name, 'containers.list');
    t.is(a.version, '1.41');
    t.is(b.version, null);
    t.true(queryBool(a.query, 'all'));
    t.is(a.query.get('filters'), '{}');
  }
  const img = matchRoute('GET', '/v1.43/images/ghcr.io/shopify/toxiproxy:2.12.0/json');
  t.like(img, { ok: true, name: 'images.inspect', id: 'ghcr.io/shopify/toxiproxy:2.12.0' });
  t.like(matchRoute('DELETE', '/containers/abc123?force=true'), {
    ok: true,
    name: 'containers.remove',
    id: 'abc123',
  });
  t.like(matchRoute('POST', '/networks/bbs-lab-r1/disconnect'), {
    ok: true,
    name: 'networks.disconnect',
    id: 'bbs-lab-r1',
  });
  t.like(matchRoute('HEAD', '/_ping'), { ok: true, name: 'ping' });
  t.like(matchRoute('GET', '/networks'), { ok: true, name: 'networks.list' });
  t.like(matchRoute('POST', '/containers/x/pause'), {
    ok: true,
    name: 'containers.pause',
    id: 'x',
  });
});

test('routes: too new a version is a 400 naming the maximum, a wrong method 405, an unknown path 404', (t) => {
  t.like(matchRoute('GET', '/v1.99/version'), { ok: false, status: 400 });
  const m = matchRoute('GET', '/v1.99/version');
  if (!m.ok) t.regex(m.message, /Maximum supported API version is 1\.43/);
  t.like(matchRoute('GET', '/v1.10/version'), { ok: false, status: 400 });
  t.like(matchRoute('PUT', '/containers/x/start'), { ok: false, status: 405 });
  t.like(matchRoute('POST', '/containers/x/exec'), { ok: false, status: 404 });
  t.like(matchRoute('GET', '/swarm'), { ok: false, status: 404 });
});

test('filters: both JSON forms, AND across names, OR within, label key or key=value, unknown names refused', (t) => {
  const f = parseFilters(
    JSON.stringify({
      label: ['bbs-lab.run=r1', 'bbs-lab.owner-pid'],
      status: ['running', 'paused'],
    }),
    ['label', 'status'],
  );
  const x = {
    labels: { 'bbs-lab.run': 'r1', 'bbs-lab.owner-pid': '7' },
    id: 'abcdef',
    name: 'n1',
    fields: { status: 'paused' },
  };
  t.true(matchesFilters(x, f));
  t.false(
    matchesFilters({ ...x, fields: { status: 'exited' } }, f),
    'status values are OR-ed, but one must match',
  );
  t.false(
    matchesFilters({ ...x, labels: { 'bbs-lab.run': 'r2', 'bbs-lab.owner-pid': '7' } }, f),
    'every label filter must hold',
  );
  t.deepEqual([...parseFilters('{"label":{"a=b":true}}', ['label'])], [['label', ['a=b']]]);
  t.is(parseFilters('', ['label']).size, 0);
  t.is(
    statusOf(() => parseFilters('{"bogus":["x"]}', ['label'])),
    400,
  );
  t.is(
    statusOf(() => parseFilters('not json', ['label'])),
    400,
  );
  t.true(labelMatches({ a: '' }, 'a'));
  t.false(labelMatches({ a: 'x' }, 'a=y'));
  t.true(
    matchesFilters(
      { labels: {}, id: 'abcdef', name: 'bbs-lab-r1-n1' },
      parseFilters('{"name":["r1-n"],"id":["abc"]}', ['name', 'id']),
    ),
  );
  t.false(
    matchesFilters({ labels: {}, id: 'abcdef', name: 'x' }, parseFilters('{"id":["bcd"]}', ['id'])),
    'ids match by prefix',
  );
});

test('addresses: each network a /24 from the range, containers from .2 up, freed ones reused', (t) => {
  t.deepEqual(parseSubnetRange('127.0.50-127.0.59'), { prefix: '127.0', from: 50, to: 59 });
  t.deepEqual(parseSubnetRange('127.0.50-51'), { prefix: '127.0', from: 50, to: 51 });
  t.deepEqual(parseSubnetRange('127.0.55'), { prefix: '127.0', from: 55, to: 55 });
  for (const bad of ['10.0.0-10.0.1', '127.0.59-127.0.50', '127.0.300', '127.0.1-127.1.2', 'x'])
    t.throws(() => parseSubnetRange(bad), undefined, bad);
  const pool = new SubnetPool(parseSubnetRange('127.0.50-127.0.51'));
  t.is(pool.allocate(), '127.0.50');
  t.is(pool.allocate(), '127.0.51');
  t.is(pool.allocate(), null, 'the range is used up');
  pool.release('127.0.50');
  t.is(pool.allocate(), '127.0.50');
  const shared = new SubnetPool(parseSubnetRange('127.0.50-127.0.52'));
  t.is(
    shared.allocate((b) => b === '127.0.50'),
    '127.0.51',
    'a /24 someone else binds in is skipped',
  );
  const tcp =
    '  sl  local_address rem_address   st\n   0: 0232007F:0CEA 00000000:0000 0A\n   1: 0100007F:1F90 00000000:0000 0A\n   2: 0100000A:0016 00000000:0000 0A\n   3: 0233007F:1F90 0100007F:A000 06\n';
  const udp = '  sl  local_address rem_address   st\n   0: 0234007F:2198 00000000:0000 07\n';
  t.is(procNetAddress('0232007F'), '127.0.50.2');
  t.deepEqual(
    [...boundSubnets([tcp], [udp])].sort(),
    ['127.0.0', '127.0.50', '127.0.52'],
    'listening TCP and bound UDP; not TIME_WAIT (06), not other networks',
  );
  const a = new AddressPool('127.0.50');
  t.is(a.allocate(), '127.0.50.2');
  t.is(a.allocate(), '127.0.50.3');
  a.release('127.0.50.2');
  t.is(a.allocate(), '127.0.50.2', 'lowest free first');
  t.true(a.contains('127.0.50.3'));
  t.false(a.contains('127.0.50.9'));
});

const ctx: NameContext = {
  self: '127.0.50.3',
  hosts: new Map([
    ['n1', '127.0.50.2'],
    ['n2', '127.0.50.3'],
    ['bbs-lab-r1-n1', '127.0.50.2'],
  ]),
  unresolved: '127.0.50.1',
};

test('names: network names become addresses, listen-anywhere becomes the own address, the rest points at the gateway', (t) => {
  t.is(resolveHost('n1', ctx), '127.0.50.2');
  t.is(resolveHost('0.0.0.0', ctx), '127.0.50.3');
  t.is(resolveHost('localhost', ctx), '127.0.50.3');
  t.is(resolveHost('127.0.0.1', ctx), '127.0.0.1');
  t.is(resolveHost('n9', ctx), '127.0.50.1', 'unknown name: nothing listens there');
  t.is(resolveHost('10.1.2.3', ctx), '127.0.50.1', 'never a non-loopback address');
  t.is(resolveGcomm('gcomm://n1,n2,n3', ctx), 'gcomm://127.0.50.2,127.0.50.3,127.0.50.1');
  t.is(resolveGcomm('gcomm://', ctx), 'gcomm://', 'bootstrap stays empty');
  t.is(
    resolveGcomm('gcomm://n1:4567?pc.wait_prim=no', ctx),
    'gcomm://127.0.50.2:4567?pc.wait_prim=no',
  );
  t.is(
    resolveProviderOptions('evs.suspect_timeout=PT2S', ctx),
    'gmcast.listen_addr=tcp://127.0.50.3:4567;ist.recv_addr=127.0.50.3:4568;evs.suspect_timeout=PT2S',
  );
  t.is(
    resolveProviderOptions('gmcast.listen_addr=tcp://0.0.0.0:4567;ist.recv_addr=n2:4568', ctx),
    'gmcast.listen_addr=tcp://127.0.50.3:4567;ist.recv_addr=127.0.50.3:4568',
  );
});

test("names: the provider's node command, as the MariaDB image gets it, binds the container's address and names peers by address", (t) => {
  const topo: DockerTopology = {
    runId: 'r1',
    nodes: 3,
    basePort: 40000,
    rootPassword: 'x',
    user: 'u',
    password: 'p',
    database: 'bbs',
    toxiproxy: false,
    consul: false,
    providerOptions: 'evs.suspect_timeout=PT2S',
  };
  const args = mariadbServerArgs(nodeSpec(topo, 1).Cmd, ctx)!;
  t.true(args.includes('--bind-address=127.0.50.3'), 'not 0.0.0.0');
  t.true(args.includes('--wsrep-node-address=127.0.50.3'));
  t.true(args.includes('--wsrep-cluster-address=gcomm://127.0.50.2,127.0.50.3,127.0.50.1'));
  t.true(
    args.includes(
      '--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.50.3:4567;ist.recv_addr=127.0.50.3:4568;evs.suspect_timeout=PT2S',
    ),
  );
  t.true(args.includes('--wsrep-node-name=n2'), 'node names are not addresses');
  t.true(args.includes('--binlog-format=ROW'));
  const plain = mariadbServerArgs(['mariadbd', '--wsrep_node_address=n1'], ctx)!;
  t.deepEqual(plain, [
    '--wsrep-node-address=127.0.50.2',
    '--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.50.3:4567;ist.recv_addr=127.0.50.3:4568',
  ]);
  t.is(mariadbServerArgs(['bash', '-c', 'x'], ctx), null, 'the image runs mariadbd only');
  t.deepEqual(parseGoFlags(['agent', '-dev', '-client', '0.0.0.0', '--node=c1'], ['dev']), {
    flags: new Map([
      ['dev', 'true'],
      ['client', '0.0.0.0'],
      ['node', 'c1'],
    ]),
    positional: ['agent'],
  });
});

test('images: references parsed as dockerode sends them; only catalogue images pull, others 404', (t) => {
  t.deepEqual(parseImageRef('mariadb:11.4'), { repository: 'mariadb', tag: '11.4' });
  t.deepEqual(parseImageRef('ghcr.io/shopify/toxiproxy:2.12.0'), {
    repository: 'ghcr.io/shopify/toxiproxy',
    tag: '2.12.0',
  });
  t.deepEqual(parseImageRef('localhost:5000/x'), { repository: 'localhost:5000/x', tag: 'latest' });
  t.is(catalogueEntry('docker.io/library/mariadb:10.11')?.kind, 'mariadb');
  t.is(catalogueEntry('hashicorp/consul:1.20')?.kind, 'consul');
  t.is(catalogueEntry('postgres:16'), null);
  const store = new ImageStore();
  t.is(
    statusOf(() => store.get('ghcr.io/shopify/toxiproxy:2.12.0')),
    404,
    'not pulled yet',
  );
  const img = store.pull('ghcr.io/shopify/toxiproxy', '2.12.0');
  t.is(store.get('ghcr.io/shopify/toxiproxy:2.12.0'), img);
  t.is(store.get(img.id.slice(7, 20)), img, 'by id prefix');
  t.is(
    statusOf(() => store.pull('postgres', '16')),
    404,
  );
  t.is(
    statusOf(() => store.get('toxiproxy')),
    404,
    'another repository name is another image',
  );
});

test('ports: published on 127.0.0.1 only; an empty HostPort is a free port; bad specs refused', (t) => {
  t.deepEqual(
    parsePortBindings({
      '3306/tcp': [{ HostIp: '127.0.0.1', HostPort: '43306' }],
      '8600/udp': [{ HostIp: '127.0.0.1', HostPort: '' }],
    }),
    [
      { key: '3306/tcp', port: 3306, proto: 'tcp', hostIp: '127.0.0.1', hostPort: 43306 },
      { key: '8600/udp', port: 8600, proto: 'udp', hostIp: '127.0.0.1', hostPort: 0 },
    ],
  );
  t.is(
    statusOf(() => parsePortBindings({ '3306/tcp': [{ HostIp: '0.0.0.0', HostPort: '1' }] })),
    400,
  );
  t.is(
    statusOf(() => parsePortBindings({ '3306/tcp': [{ HostPort: '1' }] })),
    400,
    'an empty HostIp means every interface in Docker',
  );
  t.is(
    statusOf(() => parsePortBindings({ '3306/tcp': [{ HostIp: '127.0.0.2', HostPort: '1' }] })),
    400,
  );
  t.is(
    statusOf(() => parsePortBindings({ '99999/tcp': [] })),
    400,
  );
  t.is(
    statusOf(() => parsePortBindings({ '1/sctp': [] })),
    400,
  );
  t.deepEqual(parsePortBindings(undefined), []);
});

test('disconnect cuts: both ways between the disconnected address and every other of its network, once per pair', (t) => {
  const endpoints = new Map([
    ['a', { address: '127.0.50.2', connected: true }],
    ['b', { address: '127.0.50.3', connected: false }],
    ['c', { address: '127.0.50.4', connected: false }],
  ]);
  const cuts = disconnectCuts({ base: '127.0.50', endpoints });
  const pairs = cuts.map((c) => `${c.from}>${c.to}`);
  for (const p of [
    '127.0.50.3>127.0.50.1',
    '127.0.50.1>127.0.50.3',
    '127.0.50.3>127.0.50.2',
    '127.0.50.2>127.0.50.3',
    '127.0.50.3>127.0.50.4',
    '127.0.50.4>127.0.50.3',
    '127.0.50.4>127.0.50.2',
  ])
    t.true(pairs.includes(p), p);
  t.is(new Set(pairs).size, pairs.length, 'no duplicate rule');
  t.false(
    pairs.some((p) => p === '127.0.50.2>127.0.50.1'),
    'connected containers keep the gateway',
  );
  t.deepEqual(
    disconnectCuts({
      base: '127.0.50',
      endpoints: new Map([['a', { address: '127.0.50.2', connected: true }]]),
    }),
    [],
  );
});

test('signals: names, short names and numbers; bad ones are a 400', (t) => {
  t.is(parseSignal(undefined), 'SIGKILL');
  t.is(parseSignal('KILL'), 'SIGKILL');
  t.is(parseSignal('sigterm'), 'SIGTERM');
  t.is(parseSignal('9'), 'SIGKILL');
  t.is(
    statusOf(() => parseSignal('SIGBOGUS')),
    400,
  );
});

test('the MariaDB image: root password options, user and database, and the SQL that makes them', (t) => {
  t.throws(() => initEnv([]), { message: /password option is not specified/ });
  const e = initEnv([
    'MARIADB_ROOT_PASSWORD=r',
    'MARIADB_DATABASE=bbs',
    'MARIADB_USER=lab',
    "MARIADB_PASSWORD=p'w",
  ]);
  t.like(e, {
    rootPassword: 'r',
    rootHost: '%',
    database: 'bbs',
    user: 'lab',
    password: "p'w",
    generated: null,
  });
  const sql = initSql(e);
  t.regex(sql, /CREATE USER 'root'@'%' IDENTIFIED BY 'r'/);
  t.regex(sql, /CREATE DATABASE IF NOT EXISTS `bbs`/);
  t.regex(sql, /CREATE USER 'lab'@'%' IDENTIFIED BY 'p\\'w'/, 'quotes escaped');
  t.regex(sql, /GRANT ALL ON `bbs`\.\* TO 'lab'@'%'/);
  t.like(
    initEnv(['MYSQL_ROOT_PASSWORD=old']),
    { rootPassword: 'old' },
    'the MYSQL_ names work too',
  );
  t.is(initEnv(['MARIADB_RANDOM_ROOT_PASSWORD=1']).generated?.length, 32);
  t.like(initEnv(['MARIADB_ALLOW_EMPTY_ROOT_PASSWORD=yes']), { rootPassword: '' });
  t.throws(() => initEnv(['MARIADB_ROOT_PASSWORD=r', 'MARIADB_USER=root', 'MARIADB_PASSWORD=x']), {
    message: /cannot be used for the root user/,
  });
  t.notRegex(
    initSql(initEnv(['MARIADB_ROOT_PASSWORD=r', 'MARIADB_ROOT_HOST=localhost'])),
    /'root'@'%'/,
  );
});

test('logs: the multiplexed stream frames and their reading', (t) => {
  const buf = Buffer.concat([muxFrame(1, Buffer.from('out\n')), muxFrame(2, Buffer.from('err\n'))]);
  t.is(buf.length, 8 + 4 + 8 + 4);
  t.is(buf[0], 1);
  t.is(buf.readUInt32BE(4), 4);
  t.is(demuxLogs(buf), 'out\nerr\n');
  t.is(demuxLogs(Buffer.from('plain tty text')), 'plain tty text');
});
