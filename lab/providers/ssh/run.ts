// The SSH provider as a run starts it: the target checked against the scenario (its host count,
// the faults its hosts allow: attach mode runs only the commands the target lists) before anything
// connects, then the cluster, and a note of which hosts serve for the report.

import { startSshCluster, type SshCluster } from './cluster.ts';
import { loadSshTarget, refusedFaults, TargetError } from './target.ts';

/** What the provider registry's start options give the SSH provider. */
export interface SshStartOptions {
  nodes: number;
  /** The evs.* provider options ('' for Galera's defaults). */
  detectionOptions: string;
  target?: string;
  /** The fault kinds the scenario uses: attach mode refuses one its target has no command for. */
  faultKinds: readonly string[];
  logDir?: string;
  log: (msg: string) => void;
  notes: string[];
}

export async function startSshProvider(o: SshStartOptions): Promise<SshCluster> {
  const t = loadSshTarget(o.target!);
  const problems: string[] = [];
  if (t.hosts.length !== o.nodes)
    problems.push(
      `hosts: the scenario's topology.nodes is ${o.nodes} but the target lists ${t.hosts.length} host(s); make them equal`,
    );
  problems.push(...refusedFaults(t, o.faultKinds));
  if (problems.length > 0) throw new TargetError(t.file, problems);
  const t0 = Date.now();
  o.log(
    `cluster: ${t.mode === 'install' ? 'installing and starting' : 'attaching to'} ${t.hosts.length} Galera node(s) over SSH on ${t.hosts.map((h) => h.address).join(', ')}…`,
  );
  const c = await startSshCluster(t, {
    logDir: o.logDir,
    log: o.log,
    ...(o.detectionOptions ? { extraProviderOptions: o.detectionOptions } : {}),
  });
  o.log(`cluster: ${c.nodes.length} node(s) Synced in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  o.notes.push(
    `cluster: ${t.mode} mode over SSH (target ${t.name}); hosts served: ${c.nodes.map((n) => `${n.name} = ${n.host}:${n.port}`).join(', ')}`,
  );
  return c;
}
