// Which Consul a run talks to, the one rule for every part of the lab that needs Consul (the
// client configurations of `bbs-lab run` and the migration stories' BBS lock): CONSUL_HTTP_ADDR
// names a real agent (loopback only, checked by the driver); without it the lab starts its own
// Consul-compatible agent on a loopback address of the run's /24.

import { connectConsul, type ConsulHandle } from './driver.ts';

export type ConsulChoice =
  /**
   * A real agent the user runs: the lab creates sessions, locks and services there and removes them
   * on close.
   */
  | { kind: 'real'; addr: string }
  /** The lab's agent on `host` (the run's own address), stopped on close. */
  | { kind: 'embedded'; host: string };

/**
 * The Consul for a run whose embedded agent would listen on `host`. Pure: the environment is passed
 * in.
 */
export function consulChoice(env: Record<string, string | undefined>, host: string): ConsulChoice {
  const addr = env.CONSUL_HTTP_ADDR;
  return addr !== undefined && addr.trim() !== ''
    ? { kind: 'real', addr: addr.trim() }
    : { kind: 'embedded', host };
}

export interface LabConsulOptions {
  /** Where the lab's own agent listens when no real one is named. */
  host: string;
  /** The embedded agent's session_ttl_min (a real agent keeps its own, 10 s unless configured). */
  sessionTtlMin?: string;
  env?: Record<string, string | undefined>;
}

/** Connects to the Consul `consulChoice` picks. The handle says which (`embedded`, `url`). */
export function labConsul(o: LabConsulOptions): Promise<ConsulHandle> {
  const c = consulChoice(o.env ?? process.env, o.host);
  if (c.kind === 'real') return connectConsul({ url: c.addr });
  return connectConsul({
    embedded: true,
    agent: { host: c.host, ...(o.sessionTtlMin ? { sessionTtlMin: o.sessionTtlMin } : {}) },
  });
}

/** The line a run logs about its Consul. */
export function describeConsul(h: ConsulHandle): string {
  return `${h.embedded ? "the lab's own Consul-compatible agent" : 'Consul'} at ${h.url}, DNS ${h.dnsAddress.host}:${h.dnsAddress.port}`;
}
