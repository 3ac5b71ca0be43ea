// The SSH provider (`topology.provider: ssh`): Galera nodes on hosts the lab reaches over SSH, as
// Jepsen's control node drives its nodes. Install mode makes the cluster (install.ts), attach mode
// uses an existing one through the operator's commands only (attach.ts). Both get partitions as a
// lab chain per host (partitions.ts), error logs copied into the run, a record of what was touched
// (record.ts) for `bbs-lab cleanup`, and a heal of everything at the end, on Ctrl-C, and when a
// host's session drops.

import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerCleanup } from '../../lifecycle/cleanup.ts';
import { ownedTempDir } from '../../lifecycle/owned.ts';
import type { Abilities, Cluster } from '../cluster.ts';
import { allowListed } from './allow-list.ts';
import { startAttachMode } from './attach.ts';
import { chainName } from './iptables.ts';
import { startInstallMode } from './install.ts';
import type { ModeDriver } from './mode.ts';
import { hostChains } from './partitions.ts';
import { writeRecord, type SshRecord } from './record.ts';
import { openSession, type SshSession } from './session.ts';
import type { SshTarget } from './target.ts';

export interface SshClusterOptions {
  /** Where node error logs are copied when the cluster stops (a run directory's logs/). */
  logDir?: string;
  syncTimeoutMs?: number;
  extraProviderOptions?: string;
  log?: (msg: string) => void;
}

export interface SshCluster extends Cluster {
  target: SshTarget;
  /** Names the lab's chains on the hosts (BBSSSH-<runId>-<node>). */
  runId: string;
  /** The sessions, one per host (their `commands` say what ran there). */
  sessions: readonly SshSession[];
}

/**
 * Opens a session to every host; when one fails the others are closed and its error (naming the
 * host) thrown.
 */
export async function openAll(t: SshTarget): Promise<SshSession[]> {
  const opened = await Promise.allSettled(t.hosts.map((h) => openSession(t, h)));
  const failed = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    for (const r of opened) if (r.status === 'fulfilled') r.value.close();
    throw failed.reason;
  }
  return opened.map((r) => (r as PromiseFulfilledResult<SshSession>).value);
}

export async function startSshCluster(
  t: SshTarget,
  opts: SshClusterOptions = {},
): Promise<SshCluster> {
  const log = opts.log ?? (() => {});
  const runId = randomBytes(3).toString('hex');
  const workDir = ownedTempDir({ provider: 'ssh', target: t.file });
  const record: SshRecord = {
    pid: process.pid,
    runId,
    target: t.file,
    mode: t.mode,
    hosts: Object.fromEntries(
      t.hosts.map((h) => [
        h.name,
        { address: h.address, sshPort: h.sshPort, dir: null, chain: null, installed: [] },
      ]),
    ),
  };
  const touch = (node: string, change: Partial<SshRecord['hosts'][string]>) => {
    Object.assign(record.hosts[node]!, change);
    writeRecord(workDir, record);
  };
  writeRecord(workDir, record);

  let raw: SshSession[];
  try {
    raw = await openAll(t);
  } catch (e) {
    rmSync(workDir, { recursive: true, force: true });
    throw e;
  }
  log(
    `ssh: connected to ${raw.map((s) => s.label).join(', ')} as ${t.ssh.user}${t.ssh.sudo ? ' (sudo)' : ''}, ${t.mode} mode`,
  );
  const sessions =
    t.mode === 'attach' ? raw.map((s) => allowListed(s, chainName(runId, s.host.name))) : raw;
  const chains = hostChains(runId, sessions, (node, chain) => touch(node, { chain }));
  const partitionsAllowed = sessions.every((s) => s.host.partitions);

  let driver: ModeDriver | null = null;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    unregister();
    await chains.removeAll();
    if (driver && opts.logDir) {
      mkdirSync(opts.logDir, { recursive: true });
      await Promise.all(
        sessions.map(async (s) => {
          const text = await driver!.errorLog(s.host.name).catch(() => null);
          if (text !== null) writeFileSync(join(opts.logDir!, `${s.host.name}.err`), text);
        }),
      );
    }
    await driver?.stop().catch((e: Error) => log(`ssh: ${e.message}`));
    for (const s of raw) s.close();
    rmSync(workDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };
  const unregister = registerCleanup(
    `ssh cluster on ${t.hosts.map((h) => h.address).join(', ')}`,
    stop,
  );
  for (const s of raw) {
    void s.ended.then(({ unexpected }) => {
      if (!unexpected || stopped) return;
      // That host's guard removes its own chain when its session ends; heal the other hosts too,
      // so no half of a partition outlives the host the lab lost.
      log(`ssh ${s.label}: the session dropped; healing every partition`);
      void chains.removeAll();
    });
  }

  try {
    driver =
      t.mode === 'install'
        ? await startInstallMode(sessions, {
            database: t.database,
            extraProviderOptions: opts.extraProviderOptions ?? '',
            syncTimeoutMs: opts.syncTimeoutMs ?? 180_000,
            touch,
            log,
          })
        : startAttachMode(t, sessions, log);
  } catch (e) {
    await stop();
    throw e;
  }
  const d = driver;
  // Install mode owns its hosts for the run: its chains are made up front (a fault's start should
  // not wait for three SSH sessions per host). Attach mode touches a host only when a cut needs it.
  if (t.mode === 'install') {
    try {
      await chains.prepare();
    } catch (e) {
      await stop();
      throw e;
    }
  }
  const abilities: Partial<Abilities> = {
    ...(d.kill ? { kill: d.kill } : {}),
    ...(d.pause ? { pause: d.pause } : {}),
    ...(d.admin ? { admin: d.admin } : {}),
    ...(partitionsAllowed ? { partition: chains } : {}),
  };
  return {
    provider: 'ssh',
    target: t,
    runId,
    sessions: raw,
    nodes: t.hosts.map((h, i) => ({
      name: h.name,
      host: h.address,
      port: h.mysqlPort,
      ordinal: i,
    })),
    user: d.user,
    password: d.password,
    database: d.database,
    workDir,
    status: (n) => d.status(n),
    waitSynced: (n, size, ms) => d.waitSynced(n, size, ms),
    abilities,
    stop,
  };
}
