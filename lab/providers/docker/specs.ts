// What the Docker provider creates, as plain data (pure, unit-tested without an engine): one
// bridge network per run, the Galera nodes from the official MariaDB image (which ships the
// galera-4 provider), and optionally Shopify's Toxiproxy and HashiCorp's Consul. Every object
// carries the run's labels, so cleanup finds exactly its own containers and networks; every
// published port binds 127.0.0.1 only.

export const LABEL_RUN = 'bbs-lab.run';
export const LABEL_OWNER = 'bbs-lab.owner-pid';
export const LABEL_ROLE = 'bbs-lab.role';

export const IMAGES = {
  mariadb: 'mariadb:11.4',
  toxiproxy: 'ghcr.io/shopify/toxiproxy:2.12.0',
  consul: 'hashicorp/consul:1.20',
} as const;

export interface DockerTopology {
  runId: string;
  nodes: 1 | 3 | 5;
  /**
   * Host ports start here: node i publishes 3306 on basePort + i, Toxiproxy's API on basePort +
   * 100, Consul's on basePort + 200.
   */
  basePort: number;
  rootPassword: string;
  user: string;
  password: string;
  database: string;
  toxiproxy: boolean;
  consul: boolean;
  /** Galera provider options appended on every node (e.g. faster failure detection). */
  providerOptions?: string;
}

export interface NetworkSpec {
  Name: string;
  Driver: 'bridge';
  Labels: Record<string, string>;
}

export interface ContainerSpec {
  name: string;
  Image: string;
  Cmd: string[];
  Env: string[];
  Labels: Record<string, string>;
  ExposedPorts: Record<string, object>;
  HostConfig: {
    NetworkMode: string;
    PortBindings: Record<string, { HostIp: string; HostPort: string }[]>;
    AutoRemove: boolean;
  };
  NetworkingConfig: { EndpointsConfig: Record<string, { Aliases: string[] }> };
}

export const networkName = (runId: string) => `bbs-lab-${runId}`;
export const nodeName = (runId: string, i: number) => `bbs-lab-${runId}-n${i + 1}`;

function labels(t: DockerTopology, role: string, pid: number): Record<string, string> {
  return { [LABEL_RUN]: t.runId, [LABEL_OWNER]: String(pid), [LABEL_ROLE]: role };
}

function loopbackPort(containerPort: string, hostPort: number) {
  return { [containerPort]: [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }] };
}

export function networkSpec(t: DockerTopology, pid = process.pid): NetworkSpec {
  return { Name: networkName(t.runId), Driver: 'bridge', Labels: labels(t, 'network', pid) };
}

/** The Galera node i: the first bootstraps the cluster (--wsrep-new-cluster), the rest join it. */
export function nodeSpec(t: DockerTopology, i: number, pid = process.pid): ContainerSpec {
  const net = networkName(t.runId);
  const members = Array.from({ length: t.nodes }, (_, k) => `n${k + 1}`).join(',');
  const cmd = [
    '--wsrep-on=ON',
    '--wsrep-provider=/usr/lib/galera/libgalera_smm.so',
    `--wsrep-cluster-name=bbs-lab-${t.runId}`,
    `--wsrep-cluster-address=gcomm://${i === 0 ? '' : members}`,
    `--wsrep-node-name=n${i + 1}`,
    `--wsrep-node-address=n${i + 1}`,
    '--wsrep-sst-method=rsync',
    '--binlog-format=ROW',
    '--default-storage-engine=InnoDB',
    '--innodb-autoinc-lock-mode=2',
    '--bind-address=0.0.0.0',
  ];
  if (t.providerOptions) cmd.push(`--wsrep-provider-options=${t.providerOptions}`);
  if (i === 0) cmd.push('--wsrep-new-cluster');
  return {
    name: nodeName(t.runId, i),
    Image: IMAGES.mariadb,
    Cmd: cmd,
    // Only the first node initialises the lab's database and user; the others receive them by SST.
    Env:
      i === 0
        ? [
            `MARIADB_ROOT_PASSWORD=${t.rootPassword}`,
            `MARIADB_DATABASE=${t.database}`,
            `MARIADB_USER=${t.user}`,
            `MARIADB_PASSWORD=${t.password}`,
          ]
        : [`MARIADB_ROOT_PASSWORD=${t.rootPassword}`],
    Labels: labels(t, `node-n${i + 1}`, pid),
    ExposedPorts: { '3306/tcp': {} },
    HostConfig: {
      NetworkMode: net,
      PortBindings: loopbackPort('3306/tcp', t.basePort + i),
      AutoRemove: false,
    },
    NetworkingConfig: { EndpointsConfig: { [net]: { Aliases: [`n${i + 1}`] } } },
  };
}

export function toxiproxySpec(t: DockerTopology, pid = process.pid): ContainerSpec {
  const net = networkName(t.runId);
  return {
    name: `bbs-lab-${t.runId}-toxiproxy`,
    Image: IMAGES.toxiproxy,
    Cmd: ['-host=0.0.0.0'],
    Env: [],
    Labels: labels(t, 'toxiproxy', pid),
    ExposedPorts: { '8474/tcp': {} },
    HostConfig: {
      NetworkMode: net,
      PortBindings: loopbackPort('8474/tcp', t.basePort + 100),
      AutoRemove: false,
    },
    NetworkingConfig: { EndpointsConfig: { [net]: { Aliases: ['toxiproxy'] } } },
  };
}

export function consulSpec(t: DockerTopology, pid = process.pid): ContainerSpec {
  const net = networkName(t.runId);
  return {
    name: `bbs-lab-${t.runId}-consul`,
    Image: IMAGES.consul,
    Cmd: ['agent', '-dev', '-client=0.0.0.0'],
    Env: [],
    Labels: labels(t, 'consul', pid),
    ExposedPorts: { '8500/tcp': {}, '8600/udp': {} },
    HostConfig: {
      NetworkMode: net,
      PortBindings: {
        ...loopbackPort('8500/tcp', t.basePort + 200),
        ...loopbackPort('8600/udp', t.basePort + 201),
      },
      AutoRemove: false,
    },
    NetworkingConfig: { EndpointsConfig: { [net]: { Aliases: ['consul'] } } },
  };
}

export function topologySpecs(
  t: DockerTopology,
  pid = process.pid,
): { network: NetworkSpec; containers: ContainerSpec[] } {
  const containers = Array.from({ length: t.nodes }, (_, i) => nodeSpec(t, i, pid));
  if (t.toxiproxy) containers.push(toxiproxySpec(t, pid));
  if (t.consul) containers.push(consulSpec(t, pid));
  return { network: networkSpec(t, pid), containers };
}

/** Docker's label filter for everything of one run, or of every run (cleanup). */
export function labelFilter(runId?: string): { label: string[] } {
  return { label: [runId ? `${LABEL_RUN}=${runId}` : LABEL_RUN] };
}
