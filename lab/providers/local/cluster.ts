// The local provider: an N-node MariaDB Galera cluster as `mariadbd` processes on this machine,
// each on its own loopback address, from Debian's mariadb-server + galera-4 + rsync.
//
// Facts it relies on (FACTS.md, measured on Debian 12): rsync SST fails when mariadbd runs as
// root, so every node runs as `mysql` and owns its directory; the first node is bootstrapped with
// --wsrep-new-cluster and the others join (one at a time, each by SST from a Synced node).

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  copyFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { registerCleanup } from '../../lifecycle/cleanup.ts';
import { killGroup, spawnTracked, stopTracked, type Tracked } from '../../lifecycle/processes.ts';
import { ownedTempDir } from '../../lifecycle/owned.ts';
import { NOT_A_MEMBER, nodeStatusFrom, WSREP_STATUS_SQL } from '../wsrep-status.ts';
import type { ClusterWith, NodeInfo, NodeStatus } from '../cluster.ts';
import { iptablesPartition } from './partition.ts';
import {
  checkInstalled,
  ClusterStartError,
  installDatadir,
  MARIADBD,
  mysqlIds,
} from '../../mariadb/install.ts';
import { galeraNodeConfig } from '../../mariadb/node-config.ts';

export { ClusterStartError };

const exec = promisify(execFile);

export interface LocalClusterOptions {
  nodes: 1 | 3 | 5;
  /** First three octets of the nodes' loopback addresses. */
  addressBase?: string;
  /** Last octet of the first node; node i gets firstHost + i. */
  firstHost?: number;
  /** Where node error logs are copied when the cluster stops (a run directory). */
  logDir?: string;
  /** Deadline for the whole cluster to be Synced. */
  syncTimeoutMs?: number;
  /** Galera provider options appended to each node's (e.g. faster failure detection). */
  extraProviderOptions?: string;
  log?: (msg: string) => void;
}

/**
 * A local cluster has every node ability: kill, pause, partition (iptables) and admin SQL over the
 * root socket.
 */
export type LocalGalera = ClusterWith<'kill' | 'pause' | 'partition' | 'admin'>;

interface NodeRuntime extends NodeInfo {
  dir: string;
  cnf: string;
  socket: string;
  errorLog: string;
  proc?: Tracked;
}

function tail(path: string, lines = 25): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no error log)';
  }
}

/**
 * Why a node exited, in one line: its log's primary-view error when there is one (the usual cause
 * at start), else its first [ERROR] line (the last ones are the generic "Aborting").
 */
function exitReason(path: string): string {
  const errors = tail(path, 200)
    .split('\n')
    .filter((l) => l.includes('[ERROR]'));
  const line = errors.find((l) => /primary view/i.test(l)) ?? errors[0];
  return line?.replace(/^.*\[ERROR\]\s*/, '') ?? 'no [ERROR] line in its log';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `mariadbd --wsrep-recover` and returns the 'uuid:seqno' it logs, or null. */
async function recoverPosition(n: NodeRuntime): Promise<string | null> {
  const before = existsSync(n.errorLog) ? readFileSync(n.errorLog, 'utf8').length : 0;
  await exec(MARIADBD, [`--defaults-file=${n.cnf}`, '--wsrep-recover'], { timeout: 60_000 }).catch(
    () => undefined,
  );
  const added = existsSync(n.errorLog) ? readFileSync(n.errorLog, 'utf8').slice(before) : '';
  const m = /WSREP: Recovered position:\s*([0-9a-f-]{36}:-?\d+)/.exec(added);
  return m && !m[1]!.endsWith(':-1') ? m[1]! : null;
}

export async function startLocalCluster(opts: LocalClusterOptions): Promise<LocalGalera> {
  checkInstalled();
  const log = opts.log ?? (() => {});
  const deadline = Date.now() + (opts.syncTimeoutMs ?? 120_000);
  const { uid, gid } = mysqlIds();
  const clusterName = `bbs-lab-${randomBytes(3).toString('hex')}`;
  const layout = nodeLayout(opts);
  const workDir = ownedTempDir({
    galera: clusterName,
    nodes: layout.map(({ name, host }) => ({ name, host })),
  });
  chownSync(workDir, uid, gid);
  const nodes = layout.map((n) => nodeRuntime(n, workDir));
  const byName = nodeFinder(nodes);
  const partition = iptablesPartition((name) => byName(name).host);
  const stop = stopper(`galera cluster ${clusterName}`, nodes, partition, workDir, opts.logDir);
  const admin = adminQueryOn(byName);
  const waitSynced = syncWaiter(admin);
  try {
    await installNodes(nodes, clusterName, opts.extraProviderOptions ?? '', { uid, gid });
    log(`galera: initialised ${nodes.length} datadir(s) under ${workDir}`);
    const [n1, ...joiners] = nodes as [NodeRuntime, ...NodeRuntime[]];
    startNode(n1, true);
    await waitSynced(n1, 1, deadline);
    log(`galera: ${n1.name} bootstrapped on ${n1.host}`);
    const account = await createLabAccount(n1, admin);
    for (const [i, n] of joiners.entries()) await joinNode(n, i + 2, deadline, waitSynced, log);
    return {
      provider: 'local',
      nodes: nodes.map(({ name, host, port, ordinal }) => ({ name, host, port, ordinal })),
      abilities: { ...nodeAbilities(byName), partition, admin: { query: admin } },
      waitSynced: (name, size, timeoutMs) => waitSynced(byName(name), size, Date.now() + timeoutMs),
      ...account,
      workDir,
      status: (node) => statusOf(admin, node),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Each node's name, ordinal and loopback address: node i on <addressBase>.<firstHost + i>. */
function nodeLayout(opts: LocalClusterOptions): NodeInfo[] {
  const base = opts.addressBase ?? '127.0.0';
  const first = opts.firstHost ?? 11;
  return Array.from({ length: opts.nodes }, (_, i) => ({
    name: `n${i + 1}`,
    ordinal: i,
    host: `${base}.${first + i}`,
    port: 3306,
  }));
}

/** A node's files under the cluster's work directory. */
function nodeRuntime(n: NodeInfo, workDir: string): NodeRuntime {
  const dir = join(workDir, n.name);
  return {
    ...n,
    dir,
    cnf: join(dir, 'my.cnf'),
    socket: join(dir, 'mariadbd.sock'),
    errorLog: join(dir, 'error.log'),
  };
}

function nodeFinder(nodes: NodeRuntime[]): (name: string) => NodeRuntime {
  return (name) => {
    const n = nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name}; nodes are ${nodes.map((x) => x.name).join(', ')}`);
    return n;
  };
}

/**
 * The cluster's stop, registered for cleanup (Ctrl-C, a crash): removes the partition rules, stops
 * every node, copies their error logs to `logDir`, removes the work directory. Runs once.
 */
function stopper(
  what: string,
  nodes: NodeRuntime[],
  partition: { remove(): Promise<void> },
  workDir: string,
  logDir: string | undefined,
): () => Promise<void> {
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    unregister();
    await partition.remove();
    await Promise.all(nodes.map(async (n) => (n.proc ? stopTracked(n.proc) : undefined)));
    if (logDir) copyErrorLogs(nodes, logDir);
    rmSync(workDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };
  const unregister = registerCleanup(what, stop);
  return stop;
}

function copyErrorLogs(nodes: NodeRuntime[], logDir: string): void {
  mkdirSync(logDir, { recursive: true });
  for (const n of nodes) {
    if (existsSync(n.errorLog)) copyFileSync(n.errorLog, join(logDir, `${n.name}.err`));
  }
}

/** SQL as root over a node's socket (the admin ability), its output as the client prints it. */
function adminQueryOn(
  byName: (name: string) => NodeRuntime,
): (node: string, sql: string) => Promise<string> {
  return async (node, sql) => {
    const n = byName(node);
    const { stdout } = await exec(
      'mariadb',
      ['--no-defaults', `--socket=${n.socket}`, '-uroot', '-N', '-B', '-e', sql],
      { timeout: 10_000 },
    );
    return stdout;
  };
}

async function statusOf(
  admin: (node: string, sql: string) => Promise<string>,
  node: string,
): Promise<NodeStatus> {
  const out = await admin(node, WSREP_STATUS_SQL);
  return (
    nodeStatusFrom(
      new Map(
        out
          .trim()
          .split('\n')
          .map((l) => l.split('\t') as [string, string]),
      ),
    ) ?? NOT_A_MEMBER
  );
}

type SyncWaiter = (n: NodeRuntime, size: number, deadline: number) => Promise<void>;

/** Waits until a node is Synced in a Primary component of `size`; a node that exits, or the deadline, ends it with its log's tail. */
function syncWaiter(admin: (node: string, sql: string) => Promise<string>): SyncWaiter {
  return async (n, size, deadline) => {
    for (;;) {
      if (n.proc?.hasExited()) {
        throw new ClusterStartError(
          `node ${n.name} (${n.host}) exited while starting; its error log ends:\n${tail(n.errorLog)}`,
        );
      }
      try {
        const s = await statusOf(admin, n.name);
        if (s.localState === 4 && s.clusterSize >= size && s.clusterStatus === 'Primary') return;
      } catch {
        // not accepting connections yet
      }
      if (Date.now() > deadline) {
        throw new ClusterStartError(
          `node ${n.name} (${n.host}) was not Synced in a cluster of ${size} before the timeout; its error log ends:\n${tail(n.errorLog)}`,
        );
      }
      await sleep(300);
    }
  };
}

/** Each node's directories, my.cnf and initialised datadir, owned by mysql. */
async function installNodes(
  nodes: NodeRuntime[],
  clusterName: string,
  extra: string,
  ids: { uid: number; gid: number },
): Promise<void> {
  // allSettled: when one install fails the others must finish before stop() removes their dirs.
  const installs = await Promise.allSettled(
    nodes.map(async (n) => {
      for (const d of ['data', 'tmp']) mkdirSync(join(n.dir, d), { recursive: true });
      writeFileSync(n.cnf, galeraNodeConfig(n, nodes, clusterName, extra));
      for (const d of [n.dir, join(n.dir, 'data'), join(n.dir, 'tmp')])
        chownSync(d, ids.uid, ids.gid);
      await installDatadir(join(n.dir, 'data'), join(n.dir, 'tmp'), n.name);
    }),
  );
  const failed = installs.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

function startNode(n: NodeRuntime, bootstrap: boolean): void {
  const args = [`--defaults-file=${n.cnf}`];
  if (bootstrap) args.push('--wsrep-new-cluster');
  n.proc = spawnTracked(`mariadbd ${n.name}`, MARIADBD, args);
}

/** The lab's SQL account and database, made on the bootstrapped node (replicated to the joiners). */
async function createLabAccount(
  n1: NodeRuntime,
  admin: (node: string, sql: string) => Promise<string>,
): Promise<{ user: string; password: string; database: string }> {
  const user = 'lab';
  const password = randomBytes(12).toString('hex');
  const rootPassword = randomBytes(12).toString('hex');
  const database = 'bbs';
  // Root keeps socket access (for the lab's admin work) and gets a random password for TCP.
  await admin(
    n1.name,
    [
      `ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('${rootPassword}')`,
      `CREATE USER '${user}'@'127.%' IDENTIFIED BY '${password}'`,
      `GRANT ALL PRIVILEGES ON *.* TO '${user}'@'127.%' WITH GRANT OPTION`,
      `CREATE DATABASE ${database}`,
    ].join('; '),
  );
  return { user, password, database };
}

/** Starts a joiner and waits until the cluster has `size` Synced members. */
async function joinNode(
  n: NodeRuntime,
  size: number,
  deadline: number,
  waitSynced: SyncWaiter,
  log: (msg: string) => void,
): Promise<void> {
  startNode(n, false);
  try {
    await waitSynced(n, size, deadline);
  } catch (err) {
    // Any exit while joining gets one more start. The one seen, on a loaded machine, is "failed
    // to reach primary view" before any state transfer; starting again (it asks for a whole
    // SST) is what an operator, or CF-MySQL's monit, would do. A second exit is reported.
    if (!n.proc?.hasExited() || Date.now() > deadline) throw err;
    log(
      `galera: ${n.name} exited while joining (${exitReason(n.errorLog)}); starting it once more`,
    );
    startNode(n, false);
    await waitSynced(n, size, deadline);
  }
  log(`galera: ${n.name} joined on ${n.host} (cluster size ${size})`);
}

/** kill -9 / restart from the recovered position, and SIGSTOP / SIGCONT, of a node's process group. */
function nodeAbilities(
  byName: (name: string) => NodeRuntime,
): Pick<LocalGalera['abilities'], 'kill' | 'pause'> {
  const signal = (name: string, sig: NodeJS.Signals) => {
    const n = byName(name);
    if (n.proc && !n.proc.hasExited()) killGroup(n.proc.pid, sig);
  };
  return {
    kill: {
      async kill(name) {
        const n = byName(name);
        if (!n.proc || n.proc.hasExited()) return;
        killGroup(n.proc.pid, 'SIGKILL');
        await n.proc.exited;
      },
      // It first recovers its position (`--wsrep-recover`) and starts from it, so it rejoins by
      // IST when the donor still has the writesets (FACTS.md: 3.9 s vs a 5.7 s full SST).
      async restart(name) {
        const n = byName(name);
        if (n.proc && !n.proc.hasExited())
          throw new Error(`node ${name} is still running; kill it first`);
        const position = await recoverPosition(n);
        const args = [`--defaults-file=${n.cnf}`];
        if (position) args.push(`--wsrep_start_position=${position}`);
        n.proc = spawnTracked(`mariadbd ${n.name}`, MARIADBD, args);
      },
    },
    pause: {
      pause: async (name) => signal(name, 'SIGSTOP'),
      resume: async (name) => signal(name, 'SIGCONT'),
    },
  };
}
