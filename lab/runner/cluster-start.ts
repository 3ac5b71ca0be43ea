// Starts (or connects to) the scenario's cluster with the provider `topology.provider` names, from
// the provider registry (lab/providers/registry.ts).

import type { Cluster } from '../providers/cluster.ts';
import { PROVIDERS } from '../providers/registry.ts';
import type { Scenario } from '../scenario/types.ts';
import type { TopologyOptions } from './topology-options.ts';
import { detectionProviderOptions, requestedDetection } from '../providers/galera-detection.ts';

export { FAST_FAILURE_DETECTION } from '../providers/registry.ts';

export function startCluster(s: Scenario, o: TopologyOptions): Promise<Cluster> {
  return PROVIDERS[s.topology.provider].start({
    nodes: s.topology.nodes,
    failureDetection: s.topology.failureDetection,
    detectionOptions: detectionProviderOptions(
      requestedDetection(s.topology.failureDetection, s.topology.galera),
    ),
    ...(s.topology.engine ? { engine: s.topology.engine } : {}),
    ...(s.topology.target ? { target: s.topology.target } : {}),
    addressBase: o.addressBase,
    logDir: o.logDir,
    log: o.log,
    notes: o.notes,
    faultKinds: [...s.nemesis.schedule.map((f) => f.kind), ...s.nemesis.random.kinds],
  });
}
