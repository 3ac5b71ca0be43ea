// The legacy BBS store: a real etcd (Debian's etcd-server, 3.4) with the v2 keys API enabled, as
// the 2016 BBS used it, on a loopback address of the lab's own. Its data dir lives in a lab temp
// dir (found by `bbs-lab cleanup` like the Galera nodes').

import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { registerCleanup } from '../../lifecycle/cleanup.ts';
import { ownedTempDir } from '../../lifecycle/owned.ts';
import { spawnTracked, stopTracked } from '../../lifecycle/processes.ts';

export const ETCD = '/usr/bin/etcd';

export interface EtcdOptions {
  host: string;
  clientPort?: number;
  peerPort?: number;
  startTimeoutMs?: number;
}

export interface EtcdServer {
  /** http://host:port, the v2 API at /v2/keys. */
  url: string;
  /** The lab temp dir holding its data dir (it is in etcd's command line: what /proc is searched for). */
  workDir: string;
  stop(): Promise<void>;
}

export class EtcdStartError extends Error {}

export async function startEtcd(o: EtcdOptions): Promise<EtcdServer> {
  const clientPort = o.clientPort ?? 2379;
  const peerPort = o.peerPort ?? 2380;
  const workDir = ownedTempDir({ etcd: o.host });
  const dataDir = join(workDir, 'etcd');
  mkdirSync(dataDir);
  chmodSync(dataDir, 0o700);
  const url = `http://${o.host}:${clientPort}`;
  const peer = `http://${o.host}:${peerPort}`;
  const proc = spawnTracked('etcd', ETCD, [
    '--name',
    'lab-etcd',
    '--data-dir',
    dataDir,
    '--listen-client-urls',
    url,
    '--advertise-client-urls',
    url,
    '--listen-peer-urls',
    peer,
    '--initial-advertise-peer-urls',
    peer,
    '--initial-cluster',
    `lab-etcd=${peer}`,
    '--enable-v2=true',
  ]);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    unregister();
    await stopTracked(proc, 5000);
    rmSync(workDir, { recursive: true, force: true });
  };
  const unregister = registerCleanup(`etcd on ${o.host}`, stop);
  const deadline = Date.now() + (o.startTimeoutMs ?? 20_000);
  for (;;) {
    if (proc.hasExited()) {
      await stop();
      throw new EtcdStartError(
        `etcd on ${o.host}:${clientPort} exited at start (is the port in use?)`,
      );
    }
    try {
      const r = await fetch(`${url}/v2/keys/?quorum=false`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new EtcdStartError(
        `etcd on ${o.host}:${clientPort} did not answer within the start timeout`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, workDir, stop };
}
