// Install mode: the lab makes the Galera cluster itself on each host, as the local provider does on
// this machine (every node its own dir, running as `mysql`, the first bootstrapped with
// --wsrep-new-cluster, the others joining one at a time), but every step is a command over SSH.
// It installs only the Debian packages that are missing, and removes exactly those at the end.

import { randomBytes } from 'node:crypto';
import type { NodeStatus } from '../cluster.ts';
import { NOT_A_MEMBER, nodeStatusFrom, readNodeStatus, WSREP_STATUS_SQL } from '../wsrep-status.ts';
import { HOST_MARKER } from './record.ts';
import { SshError, shq, type SshSession } from './session.ts';
import type { ModeDriver, Touch } from './mode.ts';
import { galeraNodeConfig } from '../../mariadb/node-config.ts';

export const PACKAGES = ['mariadb-server', 'galera-4', 'rsync'] as const;
const MARIADBD = '/usr/sbin/mariadbd';
/** The lab's dirs on a host: /tmp/bbslab-host-XXXXXX (never the local provider's bbs-lab- prefix). */
export const HOST_DIR_PREFIX = '/tmp/bbslab-host-';

interface HostNode {
  s: SshSession;
  name: string;
  address: string;
  port: number;
  dir: string;
}

const paths = (dir: string) => ({
  cnf: `${dir}/my.cnf`,
  socket: `${dir}/mariadbd.sock`,
  errorLog: `${dir}/error.log`,
  pgid: `${dir}/mariadbd.pgid`,
});

/** The node's config: the local provider's (lab/mariadb/node-config.ts), on the host's own address and port. */
export function hostNodeConfig(
  n: { name: string; address: string; port: number; dir: string },
  all: readonly { address: string }[],
  clusterName: string,
  extraProviderOptions: string,
): string {
  const p = paths(n.dir);
  return galeraNodeConfig(
    {
      name: n.name,
      host: n.address,
      port: n.port,
      dir: n.dir,
      socket: p.socket,
      errorLog: p.errorLog,
    },
    all.map((x) => ({ host: x.address })),
    clusterName,
    extraProviderOptions,
  );
}

/** Shell: is the process group leader in the pgid file alive (a zombie counts as gone)? */
const ALIVE = (pgidFile: string) =>
  `p=$(cat ${pgidFile} 2>/dev/null) && [ -n "$p" ] && s=$(ps -o stat= -p "$p") && [ "\${s#Z}" = "$s" ]`;

/**
 * SIGKILL of every process whose command line names the lab's dir (what a pid file can miss: a
 * start that failed half-way, an SST helper). Only processes of that dir are touched. The dir comes
 * on stdin: were it in this command's own line, the loop would find and kill its own shell first.
 */
export const killUsing = (dir: string) => ({
  command: `IFS= read -r d; for p in /proc/[0-9]*; do grep -qsF -- "$d/" "$p/cmdline" && kill -9 "\${p#/proc/}" 2>/dev/null; done; true`,
  stdin: `${dir}\n`,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface InstallOptions {
  database: string;
  extraProviderOptions: string;
  syncTimeoutMs: number;
  touch: Touch;
  log: (m: string) => void;
}

/** What the steps of one install-mode cluster share; `account` is set once the lab's SQL user exists. */
interface Install {
  o: InstallOptions;
  clusterName: string;
  nodes: HostNode[];
  /** The packages the lab installed on each host (removed again at teardown). */
  installedOn: Map<SshSession, string[]>;
  account: { user: string; password: string } | null;
  byName(name: string): HostNode;
  admin(name: string, sql: string): Promise<string>;
}

type HostSyncWaiter = (n: HostNode, size: number, deadline: number) => Promise<void>;

export async function startInstallMode(
  sessions: readonly SshSession[],
  o: InstallOptions,
): Promise<ModeDriver> {
  const c = newInstall(o);
  const status = (name: string) => hostStatus(c, name);
  const waitSynced = hostSyncWaiter(status);
  const teardown = () => teardownHosts(c, sessions);
  try {
    const deadline = Date.now() + o.syncTimeoutMs;
    await Promise.all(sessions.map((s) => prepareHost(c, s)));
    c.nodes.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    await Promise.all(c.nodes.map((n) => initNode(c, n)));
    o.log(
      `ssh: initialised ${c.nodes.length} datadir(s) on ${c.nodes.map((n) => `${n.address}:${n.dir}`).join(', ')}`,
    );
    const [n1, ...joiners] = c.nodes as [HostNode, ...HostNode[]];
    await startAndWait(c, n1, ['--wsrep-new-cluster'], 1, deadline, waitSynced);
    o.log(`ssh: ${n1.name} bootstrapped on ${n1.address}`);
    c.account = await createHostAccount(c, n1);
    for (const [i, n] of joiners.entries()) {
      await startAndWait(c, n, [], i + 2, deadline, waitSynced);
      o.log(`ssh: ${n.name} joined on ${n.address} (cluster size ${i + 2})`);
    }
    return {
      ...c.account,
      database: o.database,
      status,
      waitSynced: (name, size, timeoutMs) =>
        waitSynced(c.byName(name), size, Date.now() + timeoutMs),
      ...hostAbilities(c),
      stop: teardown,
    };
  } catch (err) {
    await teardown();
    throw err;
  }
}

function newInstall(o: InstallOptions): Install {
  const nodes: HostNode[] = [];
  const byName = (name: string) => {
    const n = nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name}; nodes are ${nodes.map((x) => x.name).join(', ')}`);
    return n;
  };
  return {
    o,
    clusterName: `bbs-lab-${randomBytes(3).toString('hex')}`,
    nodes,
    installedOn: new Map(),
    account: null,
    byName,
    async admin(name, sql) {
      const n = byName(name);
      // The SQL on stdin, not the command line: passwords never show in the host's process list.
      return (
        await n.s.run(`mariadb --no-defaults --socket=${paths(n.dir).socket} -uroot -N -B`, {
          stdin: sql,
          timeoutMs: 15_000,
        })
      ).stdout;
    },
  };
}

async function hostStatus(c: Install, name: string): Promise<NodeStatus> {
  // Over MySQL once the lab's account exists: a status poll over SSH costs a session each
  // (~0.3-0.6 s on a loaded 2-core machine), and the recovery probe polls every node.
  if (c.account) {
    const n = c.byName(name);
    return (
      (await readNodeStatus({
        host: n.address,
        port: n.port,
        ...c.account,
        connectTimeout: 3000,
      })) ?? NOT_A_MEMBER
    );
  }
  const out = await c.admin(name, WSREP_STATUS_SQL);
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

const alive = async (n: HostNode) =>
  (await n.s.run(ALIVE(paths(n.dir).pgid), { allowFail: true })).code === 0;

const logTail = async (n: HostNode) =>
  (await n.s.run(`tail -n 25 ${paths(n.dir).errorLog}`, { allowFail: true })).stdout.trim() ||
  '(no error log)';

/** Waits until a node is Synced in a Primary component of `size`; a node that exits, or the deadline, ends it with its log's tail. */
function hostSyncWaiter(status: (name: string) => Promise<NodeStatus>): HostSyncWaiter {
  return async (n, size, deadline) => {
    for (;;) {
      const s = await status(n.name).catch(() => null);
      if (s && s.localState === 4 && s.clusterSize >= size && s.clusterStatus === 'Primary') return;
      if (!s && !(await alive(n)))
        throw new SshError(
          `ssh ${n.s.label}: node ${n.name} exited while starting; its error log ends:\n${await logTail(n)}`,
        );
      if (Date.now() > deadline)
        throw new SshError(
          `ssh ${n.s.label}: node ${n.name} was not Synced in a cluster of ${size} before the timeout; its error log ends:\n${await logTail(n)}`,
        );
      await sleep(300);
    }
  };
}

async function startMariadbd(n: HostNode, extra: string[]): Promise<void> {
  const p = paths(n.dir);
  const args = [`--defaults-file=${p.cnf}`, ...extra].map(shq).join(' ');
  // setsid: its own session and process group (kill -9 of the group takes an SST helper too),
  // and no tie to this SSH session, which ends when the command returns.
  await n.s.run(
    `cd /; setsid ${MARIADBD} ${args} </dev/null >>${n.dir}/stdout.log 2>&1 & echo $! > ${p.pgid}`,
  );
}

const signal = async (n: HostNode, sig: string) =>
  n.s.run(`p=$(cat ${paths(n.dir).pgid}) && kill -${sig} -- -"$p" 2>/dev/null; true`);

const waitGone = async (n: HostNode, seconds: number) =>
  n.s.run(
    `i=0; while ${ALIVE(paths(n.dir).pgid)}; do i=$((i+1)); [ $i -gt ${seconds * 10} ] && exit 1; sleep 0.1; done; true`,
    { allowFail: true, timeoutMs: (seconds + 15) * 1000 },
  );

/** SIGTERM to every node (resumed first, in case it was paused), SIGKILL after 30 s. */
async function stopNodes(nodes: readonly HostNode[]): Promise<void> {
  await Promise.allSettled(
    nodes.map(async (n) => {
      await signal(n, 'CONT');
      await signal(n, 'TERM');
      if ((await waitGone(n, 30)).code !== 0) {
        await signal(n, 'KILL');
        await waitGone(n, 10);
      }
    }),
  );
}

/** Leaves each host as found: nodes stopped, the lab's dir removed, the packages it installed purged. */
async function teardownHosts(c: Install, sessions: readonly SshSession[]): Promise<void> {
  await stopNodes(c.nodes);
  await Promise.allSettled(
    sessions.map(async (s) => {
      const n = c.nodes.find((x) => x.s === s);
      if (n) {
        await s.run(killUsing(n.dir).command, { stdin: killUsing(n.dir).stdin, allowFail: true });
        await s.run(`rm -rf ${shq(n.dir)}`, { timeoutMs: 60_000 });
        c.o.touch(s.host.name, { dir: null });
      }
      const pkgs = c.installedOn.get(s) ?? [];
      if (pkgs.length > 0) {
        c.o.log(`ssh ${s.label}: removing the packages the lab installed: ${pkgs.join(' ')}`);
        await s.run(`DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq ${pkgs.join(' ')}`, {
          timeoutMs: 600_000,
        });
        c.o.touch(s.host.name, { installed: [] });
      }
    }),
  );
}

/** A host made ready: the missing packages installed (and recorded), the lab's dir made, its node listed. */
async function prepareHost(c: Install, s: SshSession): Promise<void> {
  const { o } = c;
  const missing = (
    await s.run(`for p in ${PACKAGES.join(' ')}; do dpkg -s $p >/dev/null 2>&1 || echo $p; done`)
  ).stdout
    .split('\n')
    .filter((x) => x.trim() !== '');
  if (missing.length > 0) {
    o.log(`ssh ${s.label}: installing ${missing.join(' ')} (apt-get)`);
    c.installedOn.set(s, missing);
    o.touch(s.host.name, { installed: missing });
    await s.run(
      `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${missing.join(' ')}`,
      { timeoutMs: 900_000 },
    );
    // Debian starts its own mariadb service on install; the lab's nodes are its own processes.
    if (missing.includes('mariadb-server'))
      await s.run('systemctl stop mariadb 2>/dev/null || service mariadb stop 2>/dev/null; true');
  }
  const dir = (await s.run(`d=$(mktemp -d ${HOST_DIR_PREFIX}XXXXXX) && echo $d`)).stdout.trim();
  // Into the cluster's list at once, so a failure on another host still tears this one down.
  c.nodes.push({ s, name: s.host.name, address: s.host.address, port: s.host.mysqlPort, dir });
  o.touch(s.host.name, { dir });
}

/** A node's marker, my.cnf and initialised datadir, owned by mysql. */
async function initNode(c: Install, n: HostNode): Promise<void> {
  const marker = JSON.stringify({
    lab: 'bbs-lab',
    node: n.name,
    cluster: c.clusterName,
    started: new Date().toISOString(),
    installed: c.installedOn.get(n.s) ?? [],
  });
  await n.s.run(`cat > ${n.dir}/${HOST_MARKER}`, { stdin: marker });
  await n.s.run(`cat > ${paths(n.dir).cnf}`, {
    stdin: hostNodeConfig(n, c.nodes, c.clusterName, c.o.extraProviderOptions),
  });
  await n.s.run(
    `mkdir -p ${n.dir}/data ${n.dir}/tmp && chown -R mysql:mysql ${n.dir} && chmod 755 ${n.dir} && ` +
      `mariadb-install-db --no-defaults --datadir=${n.dir}/data --tmpdir=${n.dir}/tmp --user=mysql --skip-test-db --auth-root-authentication-method=socket >${n.dir}/install-db.log 2>&1 || { tail -n 12 ${n.dir}/install-db.log >&2; exit 1; }`,
    { timeoutMs: 120_000 },
  );
}

/**
 * Starts a node and waits until the cluster has `size` Synced members. One more start after an
 * exit while starting, as the local provider does for joiners (a loaded machine's "failed to reach
 * primary view"; here also a bootstrap's transient "Failed to read thread schedparams"); a second
 * failure is reported.
 */
async function startAndWait(
  c: Install,
  n: HostNode,
  extra: string[],
  size: number,
  deadline: number,
  waitSynced: HostSyncWaiter,
): Promise<void> {
  await startMariadbd(n, extra);
  try {
    await waitSynced(n, size, deadline);
  } catch (err) {
    if (await alive(n)) throw err;
    c.o.log(`ssh: ${n.name} exited while starting; starting it once more`);
    await startMariadbd(n, extra);
    await waitSynced(n, size, deadline);
  }
}

/** The lab's SQL account and database, made on the bootstrapped node (replicated to the joiners). */
async function createHostAccount(
  c: Install,
  n1: HostNode,
): Promise<{ user: string; password: string }> {
  const user = 'lab';
  const password = randomBytes(12).toString('hex');
  await c.admin(
    n1.name,
    `${[
      `CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`,
      `GRANT ALL PRIVILEGES ON *.* TO '${user}'@'%' WITH GRANT OPTION`,
      `CREATE DATABASE ${c.o.database}`,
    ].join(';\n')};\n`,
  );
  return { user, password };
}

/** kill / restart from the recovered position, pause / resume, admin SQL and the error log, over SSH. */
function hostAbilities(c: Install): Pick<ModeDriver, 'kill' | 'pause' | 'admin' | 'errorLog'> {
  const { byName } = c;
  return {
    kill: {
      async kill(name) {
        // One command (a session costs ~0.5 s): the SIGKILL, then until the group is gone.
        const n = byName(name);
        const pg = paths(n.dir).pgid;
        await n.s.run(
          `p=$(cat ${pg}) && kill -KILL -- -"$p" 2>/dev/null; i=0; while ${ALIVE(pg)}; do i=$((i+1)); [ $i -gt 300 ] && exit 1; sleep 0.1; done; true`,
          { allowFail: true, timeoutMs: 45_000 },
        );
      },
      async restart(name) {
        const n = byName(name);
        if (await alive(n)) throw new Error(`node ${name} is still running; kill it first`);
        // Its position first, so it rejoins by IST when the donor still has the writesets.
        await n.s.run(
          `${MARIADBD} --defaults-file=${paths(n.dir).cnf} --wsrep-recover >/dev/null 2>&1; true`,
          { timeoutMs: 90_000 },
        );
        const found = (
          await n.s.run(
            `grep -o 'WSREP: Recovered position: *[0-9a-f-]*:-\\?[0-9]*' ${paths(n.dir).errorLog} | tail -n 1`,
            { allowFail: true },
          )
        ).stdout;
        const m = /([0-9a-f-]{36}:-?\d+)\s*$/.exec(found.trim());
        await startMariadbd(
          n,
          m && !m[1]!.endsWith(':-1') ? [`--wsrep_start_position=${m[1]}`] : [],
        );
      },
    },
    pause: {
      pause: async (name) => void (await signal(byName(name), 'STOP')),
      resume: async (name) => void (await signal(byName(name), 'CONT')),
    },
    admin: { query: (name, sql) => c.admin(name, sql) },
    async errorLog(name) {
      const n = byName(name);
      const r = await n.s.run(`cat ${paths(n.dir).errorLog}`, {
        allowFail: true,
        timeoutMs: 60_000,
      });
      return r.code === 0 ? r.stdout : null;
    },
  };
}
