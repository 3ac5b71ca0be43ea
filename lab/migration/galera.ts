// The Galera a migration story plays on, started by the provider registry's local provider, as a
// run with `topology.provider: local` starts it: on the story's loopback /24 from <base>.11, with
// fast failure detection when there are several nodes (a cut-off node must leave the Primary
// component in seconds), its node logs copied to `logDir` when it stops.

import type { Cluster } from '../providers/cluster.ts';
import { FAST_FAILURE_DETECTION, PROVIDERS } from '../providers/registry.ts';

export function startStoryGalera(o: {
  base: string;
  nodes: 1 | 3;
  log: (m: string) => void;
  logDir?: string;
}): Promise<Cluster> {
  return PROVIDERS.local.start({
    nodes: o.nodes,
    failureDetection: o.nodes > 1 ? 'fast' : 'default',
    detectionOptions: o.nodes > 1 ? FAST_FAILURE_DETECTION : '',
    faultKinds: [],
    addressBase: o.base,
    ...(o.logDir ? { logDir: o.logDir } : {}),
    log: o.log,
    notes: [],
  });
}
