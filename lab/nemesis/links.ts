// The lab's links: with links through Toxiproxy (topology.links), every client -> target hop
// (target = a switchboard proxy, or a node when clients go straight to nodes) and every
// switchboard -> node hop is a Toxiproxy proxy, named for its two ends:
//   client-proxy1, client-n2      (clients to a proxy or a node)
//   proxy1-n1, proxy1-n2, …       (a switchboard to each backend; health checks are not proxied,
//                                  as galera-healthcheck is reached over its own HTTP port)
// The faults on them are the link-* kinds in lab/nemesis/faults/. Pure.

export interface LinkPlan {
  /** Client-side links, one per client target, in target order. */
  client: string[];
  /** Switchboard-to-node links, `<proxy>-<node>`. */
  backend: string[];
}

export function linkNames(
  targets: readonly string[],
  proxies: readonly string[],
  nodes: readonly string[],
): LinkPlan {
  return {
    client: targets.map((t) => `client-${t}`),
    backend: proxies.flatMap((p) => nodes.map((n) => `${p}-${n}`)),
  };
}
