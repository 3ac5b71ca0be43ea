// The fault kinds: the one list the scenario validator, the schedule and the nemesis read. A new
// kind is one file beside this one and one line in FAULT_DEFS (lab/nemesis/README.md).

import type { ToxicRequest } from '../../toxiproxy/driver.ts';
import { healthFlap } from './health-flap.ts';
import { kill } from './kill.ts';
import { linkBandwidth } from './link-bandwidth.ts';
import { linkDown } from './link-down.ts';
import { linkLatency } from './link-latency.ts';
import { toxicTag } from './link.ts';
import { linkReset } from './link-reset.ts';
import { linkCommitReset } from './link-commit-reset.ts';
import { linkTimeout } from './link-timeout.ts';
import { partition } from './partition.ts';
import { pause } from './pause.ts';
import { proxyKill } from './proxy-kill.ts';
import type { FaultKindDef, FaultParams } from './types.ts';

const FAULT_DEFS = [
  partition,
  kill,
  pause,
  healthFlap,
  proxyKill,
  linkLatency,
  linkReset,
  linkTimeout,
  linkBandwidth,
  linkDown,
  linkCommitReset,
] as const;

export type FaultKind = (typeof FAULT_DEFS)[number]['kind'];

/** Every kind's name, in the registry's order (the order problem lines list them in). */
export const FAULT_KINDS: readonly FaultKind[] = FAULT_DEFS.map((d) => d.kind);

export const FAULTS: Readonly<Record<FaultKind, FaultKindDef<FaultKind>>> = Object.fromEntries(
  FAULT_DEFS.map((d) => [d.kind, d]),
) as Record<FaultKind, FaultKindDef<FaultKind>>;

export const isFaultKind = (k: unknown): k is FaultKind => typeof k === 'string' && k in FAULTS;

export const isLinkKind = (k: FaultKind): boolean => FAULTS[k].link === true;

/** The toxics a link fault adds (none for link-down and for kinds that are not toxics). */
export function toxicsFor(
  f: Pick<FaultParams, 'kind' | 'latencyMs' | 'jitterMs' | 'rateKBps'> & { target?: string },
  faultId: string,
): ToxicRequest[] {
  const def = FAULTS[f.kind as FaultKind] as FaultKindDef & {
    toxics?: (f: FaultParams, tag: string) => ToxicRequest[];
  };
  return def?.toxics ? def.toxics({ target: '', at: 0, duration: 0, ...f }, toxicTag(faultId)) : [];
}

export { partitionSides } from './partition.ts';
export { NEMESIS_STREAM } from './types.ts';
export type {
  FaultContext,
  FaultKindDef,
  FaultParams,
  Heal,
  ProxyControl,
  TargetScope,
} from './types.ts';
