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
import type { FaultKindDef, FaultParam, FaultParams, FaultTrait, ParamValues } from './types.ts';

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

/** The parameters' names the registered kinds declare (`latencyMs`, …): what a scenario's fault may give. */
export type FaultParamName = ParamsOf<(typeof FAULT_DEFS)[number]>;
type ParamsOf<D> = D extends { params?: infer R } ? keyof NonNullable<R> & string : never;

/** Any registered kind, its parameters typed loosely (each kind reads its own). */
export type AnyFaultKindDef = FaultKindDef<FaultKind, FaultParamName>;

/** Every kind's name, in the registry's order (the order problem lines list them in). */
export const FAULT_KINDS: readonly FaultKind[] = [];

export const FAULTS: Readonly<Record<FaultKind, AnyFaultKindDef>> = {} as Record<
  FaultKind,
  AnyFaultKindDef
>;

/** Every parameter by name, with the kinds that take it (a name two kinds share has one meaning). */
export const FAULT_PARAMS: Readonly<Record<string, FaultParam & { kinds: string[] }>> = {};

/**
 * Adds a kind to the registry: FAULT_DEFS goes through it at load, and a kind defined outside
 * lab/nemesis/faults (a test's) may too, before the scenario schema is first loaded (it reads the
 * parameters when lab/scenario/types.ts loads). Refuses what would make the registry ambiguous.
 */
export function registerFaultKind<K extends string, P extends string>(
  def: FaultKindDef<K, P>,
): void {
  const kinds = FAULT_KINDS as string[];
  if (kinds.includes(def.kind)) throw new Error(`fault kind ${def.kind}: registered twice`);
  if (def.traits?.includes('network-cut') && !def.sides)
    throw new Error(`fault kind ${def.kind}: a network-cut kind needs sides()`);
  const params = FAULT_PARAMS as Record<string, FaultParam & { kinds: string[] }>;
  for (const [name, p] of Object.entries<FaultParam>(def.params ?? {})) {
    const known = params[name];
    if (known && (known.min !== p.min || known.max !== p.max || known.unit !== p.unit))
      throw new Error(
        `fault kind ${def.kind}: parameter ${name} differs from ${known.kinds.join(', ')}'s; give it another name`,
      );
    if (known) known.kinds.push(def.kind);
    else params[name] = { ...p, kinds: [def.kind] };
  }
  kinds.push(def.kind);
  (FAULTS as Record<string, unknown>)[def.kind] = def;
}

for (const def of FAULT_DEFS) registerFaultKind(def);

export const isFaultKind = (k: unknown): k is FaultKind => typeof k === 'string' && k in FAULTS;

export const isLinkKind = (k: FaultKind): boolean => FAULTS[k].link === true;

/** Whether a kind (any string a history holds) has a trait; false for kinds the registry lacks. */
export const faultHas = (kind: string, trait: FaultTrait): boolean =>
  isFaultKind(kind) && (FAULTS[kind].traits ?? []).includes(trait);

/** The kinds with any of these traits, in the registry's order. */
export const kindsWith = (...traits: FaultTrait[]): FaultKind[] =>
  FAULT_KINDS.filter((k) => traits.some((t) => faultHas(k, t)));

/** The node a concrete target of a kind names (`isolate:n2` → n2 for a partition), or null. */
export function targetNode(kind: string, target: string): string | null {
  const def = isFaultKind(kind) ? FAULTS[kind] : null;
  return def?.nodeOf ? def.nodeOf(target) : target;
}

/** The parameters a fault gives that its kind does not take, each as a problem line naming the fix. */
export function misplacedParams(fault: { kind: string }, path: string): string[] {
  const own = isFaultKind(fault.kind) ? (FAULTS[fault.kind].params ?? {}) : {};
  return Object.entries(FAULT_PARAMS)
    .filter(([name]) => (fault as Record<string, unknown>)[name] !== undefined && !(name in own))
    .map(
      ([name, p]) =>
        `${path}.${name}: applies only to ${p.kinds.join(' and ')}; remove it or set kind to ${p.kinds.join(' or ')}`,
    );
}

/** Why a parameter's value is wrong (without its path), naming what is allowed and the default, or null. */
export function paramProblem(name: string, v: unknown): string | null {
  const p = FAULT_PARAMS[name];
  if (!p) return `is not a fault parameter`;
  return typeof v === 'number' && Number.isInteger(v) && v >= p.min && v <= p.max
    ? null
    : `must be an integer from ${p.min} to ${p.max} (${p.unit}, the ${p.doc}), got ${JSON.stringify(v) ?? String(v)}; leave it out for the default of ${p.default}`;
}

/** The toxics a link fault adds (none for link-down and for kinds that are not toxics). */
export function toxicsFor(
  f: { kind: string; target?: string } & ParamValues<FaultParamName>,
  faultId: string,
): ToxicRequest[] {
  const def = FAULTS[f.kind as FaultKind] as AnyFaultKindDef & {
    toxics?: (f: FaultParams<string, FaultParamName>, tag: string) => ToxicRequest[];
  };
  return def?.toxics ? def.toxics({ target: '', at: 0, duration: 0, ...f }, toxicTag(faultId)) : [];
}

export { partitionSides } from './partition.ts';
export { NEMESIS_STREAM } from './types.ts';
export type {
  FaultContext,
  FaultKindDef,
  FaultParam,
  FaultParams,
  FaultTrait,
  Heal,
  ProxyControl,
  TargetScope,
} from './types.ts';
