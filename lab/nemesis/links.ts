// The lab's links and the faults on them. With links through Toxiproxy (topology.links), every
// client -> target hop (target = a switchboard proxy, or a node when clients go straight to nodes)
// and every switchboard -> node hop is a Toxiproxy proxy, named for its two ends:
//   client-proxy1, client-n2      (clients to a proxy or a node)
//   proxy1-n1, proxy1-n2, …       (a switchboard to each backend; health checks are not proxied,
//                                  as galera-healthcheck is reached over its own HTTP port)
// Link faults are toxics (Toxiproxy's own, so a real Toxiproxy behaves the same) or a disabled proxy:
//   link-latency    latency + jitter, both directions
//   link-reset      reset_peer: every connection is reset (TCP RST) at once, new ones too
//   link-timeout    timeout 0 both ways: data is swallowed and nothing closes (a black hole,
//                   the way a silent network partition looks to a client)
//   link-bandwidth  bandwidth limit, both directions
//   link-down       the proxy is disabled: connections are closed and new ones refused
// Pure name and toxic choices here; the nemesis applies them.

import type { ToxicRequest } from '../toxiproxy/driver.ts';
import type { FaultKind, FaultSpec } from './types.ts';

export const LINK_KINDS = ['link-latency', 'link-reset', 'link-timeout', 'link-bandwidth', 'link-down'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

export const isLinkKind = (k: FaultKind): k is LinkKind => (LINK_KINDS as readonly string[]).includes(k);

export interface LinkPlan {
  /** Client-side links, one per client target, in target order. */
  client: string[];
  /** Switchboard-to-node links, `<proxy>-<node>`. */
  backend: string[];
}

export function linkNames(targets: readonly string[], proxies: readonly string[], nodes: readonly string[]): LinkPlan {
  return {
    client: targets.map((t) => `client-${t}`),
    backend: proxies.flatMap((p) => nodes.map((n) => `${p}-${n}`)),
  };
}

export const DEFAULT_LATENCY_MS = 200;
export const DEFAULT_JITTER_MS = 50;
export const DEFAULT_RATE_KBPS = 16;

/** The toxics a link fault adds (both directions where the fault is symmetric); none for link-down. */
export function toxicsFor(f: Pick<FaultSpec, 'kind' | 'latencyMs' | 'jitterMs' | 'rateKBps'>, faultId: string): ToxicRequest[] {
  // Named for the fault, so two faults on one link never collide and each heal removes its own.
  const tag = faultId.replace(/[^A-Za-z0-9._-]/g, '_');
  const both = (make: (stream: 'upstream' | 'downstream') => ToxicRequest): ToxicRequest[] => [make('upstream'), make('downstream')];
  switch (f.kind) {
    case 'link-latency':
      return both((stream) => ({ type: 'latency', stream, name: `${tag}_${stream}`, attributes: { latency: f.latencyMs ?? DEFAULT_LATENCY_MS, jitter: f.jitterMs ?? DEFAULT_JITTER_MS } }));
    case 'link-reset':
      return [{ type: 'reset_peer', stream: 'upstream', name: `${tag}_upstream`, attributes: { timeout: 0 } }];
    case 'link-timeout':
      return both((stream) => ({ type: 'timeout', stream, name: `${tag}_${stream}`, attributes: { timeout: 0 } }));
    case 'link-bandwidth':
      return both((stream) => ({ type: 'bandwidth', stream, name: `${tag}_${stream}`, attributes: { rate: f.rateKBps ?? DEFAULT_RATE_KBPS } }));
    default:
      return [];
  }
}
