// Fault targets by role: which node a fault hits is decided at the moment it starts, from what the
// system is doing then, so every client configuration of a comparison meets the same situation
// ("the node proxy1 routes to is cut off"), whatever node that happens to be in each run. Pure:
// the nemesis passes a snapshot of the live state in.
//
//   active-of:<proxy>  the node that proxy's switchboard routes new connections to now
//   most-written       the node that served the most ok writes so far in this run (ties: lowest
//   name).
//                      A write is every BBS op but the reads (and every list-append txn); ok counts
//                      the ops that completed ok, which includes those the BBS refused by its own
//                      state check (they ran their transaction); failed and unknown ones do not
//                      count.
//   a-non-active       a node no running proxy routes to now; a seeded choice among them
//
// Node faults (kill, pause, health-flap) take a role as their target; a partition takes
// `isolate:<role>`.

import { deriveSeed, seededRng } from '../random/seeded-rng.ts';

export const ROLE_NAMES = ['active-of:<proxy>', 'most-written', 'a-non-active'] as const;
/** How a problem line lists the roles. */
export const ROLES_HINT = ROLE_NAMES.join(', ');

/** What the roles are resolved against, read at the fault's start. */
export interface RoleState {
  nodes: readonly string[];
  /** Every configured proxy by name → its active backend now (null: down or no healthy backend). */
  activeOf: Readonly<Record<string, string | null>>;
  /** ok writes served per node so far in this run. */
  okWritesByNode: Readonly<Record<string, number>>;
}

/** True for a target that names a role (of a node fault), not a node. */
export function isRole(target: string): boolean {
  return target.startsWith('active-of:') || target === 'most-written' || target === 'a-non-active';
}

/**
 * How a kind's target names a node (its FaultKindDef's nodeOf / nodeTarget): left out, the target
 * is the node; a partition's is `isolate:<node>`.
 */
export interface TargetForm {
  nodeOf?(target: string): string | null;
  nodeTarget?(node: string): string;
}

/** The role inside a fault's target: the target of a node fault, or what a partition isolates. */
export function roleOf(kind: TargetForm, target: string): string | null {
  const t = kind.nodeOf ? kind.nodeOf(target) : target;
  return t !== null && isRole(t) ? t : null;
}

/**
 * Why a role cannot be used on a topology (validator), or null when it can. `where` is the field
 * path for the message.
 */
export function roleProblem(role: string, proxies: readonly string[]): string | null {
  if (role.startsWith('active-of:')) {
    const p = role.slice('active-of:'.length);
    if (proxies.length === 0)
      return `${role} needs switchboard proxies (topology.proxies ≥ 1); name a node or use most-written`;
    if (!proxies.includes(p))
      return `${role}: no proxy ${JSON.stringify(p)}; use active-of:${proxies.join(' | active-of:')}`;
    return null;
  }
  if (role === 'a-non-active' && proxies.length === 0)
    return 'a-non-active needs switchboard proxies (topology.proxies ≥ 1) to tell active from non-active nodes';
  return null;
}

export class RoleError extends Error {}

/**
 * The node a role names in `state`. `salt` varies the seeded choice per fault (its position in the
 * plan), so two a-non-active faults of one run need not pick the same node.
 */
export function resolveRole(role: string, state: RoleState, seed: number, salt: number): string {
  if (role.startsWith('active-of:')) {
    const p = role.slice('active-of:'.length);
    if (!(p in state.activeOf)) throw new RoleError(`${role}: no proxy ${p}`);
    const node = state.activeOf[p];
    if (!node)
      throw new RoleError(
        `${role}: ${p} routes to no node now (it is down or has no healthy backend)`,
      );
    return node;
  }
  if (role === 'most-written') {
    let best: string | null = null;
    for (const n of [...state.nodes].sort()) {
      const w = state.okWritesByNode[n] ?? 0;
      if (w > 0 && (best === null || w > (state.okWritesByNode[best] ?? 0))) best = n;
    }
    if (best === null)
      throw new RoleError('most-written: no node has served an ok write yet in this run');
    return best;
  }
  if (role === 'a-non-active') {
    const actives = new Set(Object.values(state.activeOf).filter((x): x is string => x !== null));
    const candidates = state.nodes.filter((n) => !actives.has(n));
    if (candidates.length === 0)
      throw new RoleError(
        `a-non-active: every node is some proxy's active backend now (${[...actives].join(', ')})`,
      );
    const r = seededRng(deriveSeed(seed, 0x726f6c, salt))();
    return candidates[Math.floor(r * candidates.length)]!;
  }
  throw new RoleError(`not a role: ${role}`);
}

/**
 * The concrete target of a fault whose target may hold a role: `isolate:active-of:proxy1` →
 * `isolate:n2`.
 */
export function resolveTarget(
  kind: TargetForm,
  target: string,
  state: RoleState,
  seed: number,
  salt: number,
): { target: string; node?: string; resolution?: RoleResolution } {
  const role = roleOf(kind, target);
  if (!role) return { target };
  const node = resolveRole(role, state, seed, salt);
  return {
    target: kind.nodeTarget ? kind.nodeTarget(node) : node,
    node,
    resolution: describeResolution(role, node, state),
  };
}

/**
 * How a report names a fault's target: "active-of:proxy1 (n1)" for a resolved role, else the
 * target.
 */
export function targetLabel(target: string, node?: string | null): string {
  return node && target !== node && target !== `isolate:${node}` ? `${target} (${node})` : target;
}

/** How a role was resolved, for the history and the reports: the node, why, and by what margin. */
export interface RoleResolution {
  role: string;
  node: string;
  /** most-written: the node's ok writes minus the runner-up's (0: a tie, broken by name). */
  margin?: number;
  /** The words a report prints: "most-written: n2, 412 ok writes, 37 more than n1 (375)". */
  text: string;
}

/** The resolution of `role` to `node` in `state`, in words (call after resolveRole). */
export function describeResolution(role: string, node: string, state: RoleState): RoleResolution {
  if (role === 'most-written') {
    const w = (n: string) => state.okWritesByNode[n] ?? 0;
    const others = state.nodes
      .filter((n) => n !== node)
      .sort((a, b) => w(b) - w(a) || a.localeCompare(b));
    const second = others[0];
    const margin = w(node) - (second === undefined ? 0 : w(second));
    const vs =
      second === undefined
        ? 'the only node'
        : margin === 0
          ? `tied with ${second} (${w(second)}), the lower name taken`
          : `${margin} more than ${second} (${w(second)})`;
    return {
      role,
      node,
      margin,
      text: `most-written: ${node}, ${w(node)} ok writes when the fault started, ${vs}`,
    };
  }
  if (role === 'a-non-active') {
    const actives = new Set(Object.values(state.activeOf).filter((x): x is string => x !== null));
    const candidates = state.nodes.filter((n) => !actives.has(n));
    return {
      role,
      node,
      text: `a-non-active: ${node}, chosen by the seed among ${candidates.join(', ')} (no proxy routed to them; ${[...actives].join(', ') || 'none'} active)`,
    };
  }
  if (role.startsWith('active-of:'))
    return {
      role,
      node,
      text: `${role}: ${node}, where ${role.slice('active-of:'.length)} routed new connections when the fault started`,
    };
  return { role, node, text: `${role}: ${node}` };
}
