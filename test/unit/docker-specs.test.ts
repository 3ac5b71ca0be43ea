// The Docker provider's container and network specs: labels on everything (so cleanup finds only
// the run's own), published ports on 127.0.0.1 only, Galera flags, one bootstrap node.

import test from 'ava';
import {
  consulSpec,
  labelFilter,
  LABEL_OWNER,
  LABEL_RUN,
  networkName,
  nodeSpec,
  topologySpecs,
  toxiproxySpec,
  type DockerTopology,
} from '../../lab/providers/docker/specs.ts';

const topo: DockerTopology = {
  runId: 'r1',
  nodes: 3,
  basePort: 40000,
  rootPassword: 'root-pw',
  user: 'lab',
  password: 'pw',
  database: 'bbs',
  toxiproxy: true,
  consul: true,
};

test('every object carries the run and owner labels, and one network per run', (t) => {
  const { network, containers } = topologySpecs(topo, 4242);
  t.is(network.Name, 'bbs-lab-r1');
  t.is(containers.length, 5, '3 nodes, toxiproxy, consul');
  for (const x of [network, ...containers]) {
    t.is(x.Labels[LABEL_RUN], 'r1');
    t.is(x.Labels[LABEL_OWNER], '4242');
  }
  for (const c of containers) t.is(c.HostConfig.NetworkMode, networkName('r1'));
  t.deepEqual(labelFilter('r1'), { label: ['bbs-lab.run=r1'] });
  t.deepEqual(labelFilter(), { label: ['bbs-lab.run'] });
});

test('published ports bind loopback only', (t) => {
  const { containers } = topologySpecs(topo);
  const binds = containers.flatMap((c) => Object.values(c.HostConfig.PortBindings).flat());
  t.true(binds.length >= 6);
  for (const b of binds) t.is(b.HostIp, '127.0.0.1');
  t.deepEqual(
    containers.slice(0, 3).map((c) => c.HostConfig.PortBindings['3306/tcp']![0]!.HostPort),
    ['40000', '40001', '40002'],
  );
  t.is(toxiproxySpec(topo).HostConfig.PortBindings['8474/tcp']![0]!.HostPort, '40100');
  t.is(consulSpec(topo).HostConfig.PortBindings['8500/tcp']![0]!.HostPort, '40200');
});

test('Galera: only the first node bootstraps; the others join every member by alias', (t) => {
  const n1 = nodeSpec(topo, 0);
  const n3 = nodeSpec(topo, 2);
  t.true(n1.Cmd.includes('--wsrep-new-cluster'));
  t.false(n3.Cmd.includes('--wsrep-new-cluster'));
  t.true(n1.Cmd.includes('--wsrep-cluster-address=gcomm://'));
  t.true(n3.Cmd.includes('--wsrep-cluster-address=gcomm://n1,n2,n3'));
  t.true(n3.Cmd.includes('--wsrep-node-name=n3'));
  t.deepEqual(n3.NetworkingConfig.EndpointsConfig['bbs-lab-r1'], { Aliases: ['n3'] });
  for (const flag of ['--binlog-format=ROW', '--innodb-autoinc-lock-mode=2', '--wsrep-on=ON'])
    t.true(n1.Cmd.includes(flag), flag);
  t.true(
    n1.Env.includes('MARIADB_USER=lab') && n1.Env.includes('MARIADB_DATABASE=bbs'),
    'the first node creates the lab user and database',
  );
  t.false(
    n3.Env.some((e) => e.startsWith('MARIADB_USER=')),
    'joiners get them by SST',
  );
  const fast = nodeSpec({ ...topo, providerOptions: 'evs.suspect_timeout=PT2S' }, 1);
  t.true(fast.Cmd.includes('--wsrep-provider-options=evs.suspect_timeout=PT2S'));
});
