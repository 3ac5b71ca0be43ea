// Turns a scenario's nemesis block into a concrete, reproducible list of faults: the fixed
// timeline as written, plus a random schedule drawn with fast-check from the run's seed, with
// every 'random' target resolved. Pure: the same inputs give the same plan.

import fc from 'fast-check';
import { deriveSeed } from '../random/seeded-rng.ts';
import type { LinkPlan } from './links.ts';
import type { FaultKind, FaultSpec, NemesisSpec } from './types.ts';

export interface PlanContext {
  seed: number;
  /** Seconds the workload runs; no fault starts after it, every fault is healed by it. */
  duration: number;
  nodes: string[];
  proxies: string[];
  /** Toxiproxy links (links.ts), when the topology has them. */
  links?: LinkPlan;
}

const NEMESIS_STREAM = 0x6e656d; // a fixed stream id, so the plan does not shift the clients' seeds

/** Role targets a random plan may draw (roles.ts); the proxy roles only when there are proxies. */
function roleTargets(ctx: PlanContext): string[] {
  return ctx.proxies.length > 0 ? [...ctx.proxies.map((p) => `active-of:${p}`), 'most-written', 'a-non-active'] : ['most-written'];
}

function targetArb(kind: FaultKind, ctx: PlanContext, roles = false): fc.Arbitrary<string> {
  const nodeTargets = roles ? [...ctx.nodes, ...roleTargets(ctx)] : ctx.nodes;
  switch (kind) {
    case 'partition':
      return fc.oneof(fc.constantFrom(...nodeTargets).map((n) => `isolate:${n}`), fc.constant('minority'), fc.constant('halves'));
    case 'proxy-kill':
      return fc.constantFrom(...(ctx.proxies.length > 0 ? ctx.proxies : ['proxy1']));
    case 'link-latency':
    case 'link-reset':
    case 'link-timeout':
    case 'link-bandwidth':
    case 'link-down': {
      const all = [...(ctx.links?.client ?? []), ...(ctx.links?.backend ?? [])];
      return fc.constantFrom(...(all.length > 0 ? all : ['client-proxy1']));
    }
    default:
      return fc.constantFrom(...nodeTargets);
  }
}

export function planSchedule(spec: NemesisSpec, ctx: PlanContext): FaultSpec[] {
  const plan: FaultSpec[] = spec.schedule.map((f) => ({ ...f, target: resolveTarget(f, ctx) }));
  const r = spec.random;
  if (r && r.kinds.length > 0) {
    const step = fc.record({
      kind: fc.constantFrom(...r.kinds),
      gap: fc.double({ min: 0.5 * r.interval, max: 1.5 * r.interval, noNaN: true }),
      length: fc.double({ min: 0.5 * r.duration, max: 1.5 * r.duration, noNaN: true }),
      pick: fc.nat(),
    });
    const steps = fc.sample(step, { seed: deriveSeed(ctx.seed, NEMESIS_STREAM, 0), numRuns: 1000 });
    let t = 0;
    for (const s of steps) {
      const at = t + s.gap;
      const duration = Math.min(s.length, ctx.duration - at - 1);
      if (duration < 1) break;
      const targets = fc.sample(targetArb(s.kind, ctx, r.roles === true), { seed: deriveSeed(ctx.seed, NEMESIS_STREAM, s.pick), numRuns: 1 });
      plan.push({ kind: s.kind, target: targets[0]!, at: round(at), duration: round(duration) });
      t = at + duration;
    }
  }
  return plan.sort((a, b) => a.at - b.at);
}

const round = (x: number) => Math.round(x * 10) / 10;

/** 'random' targets of the fixed timeline are resolved from the seed and the fault's position. */
function resolveTarget(f: FaultSpec, ctx: PlanContext): string {
  const seed = deriveSeed(ctx.seed, NEMESIS_STREAM, Math.round(f.at * 1000));
  if (f.target === 'random-client' || f.target === 'random-backend') {
    const pool = (f.target === 'random-client' ? ctx.links?.client : ctx.links?.backend) ?? [];
    if (pool.length === 0) throw new Error(`nemesis: ${f.target} needs links of that kind (topology.links and, for backend links, proxies)`);
    return fc.sample(fc.constantFrom(...pool), { seed, numRuns: 1 })[0]!;
  }
  if (f.target !== 'random') return f.target;
  return fc.sample(targetArb(f.kind, ctx), { seed, numRuns: 1 })[0]!;
}

/** The two sides of a partition target, by node name. */
export function partitionSides(target: string, nodes: string[], seed: number): [string[], string[]] {
  if (target.startsWith('isolate:')) {
    const n = target.slice('isolate:'.length);
    return [[n], nodes.filter((x) => x !== n)];
  }
  if (target === 'minority') {
    const k = Math.floor((nodes.length - 1) / 2);
    return [nodes.slice(nodes.length - Math.max(1, k)), nodes.slice(0, nodes.length - Math.max(1, k))];
  }
  if (target === 'bridge') {
    // The middle node sees both halves; the halves do not see each other (Galera relays through it).
    const mid = Math.floor(nodes.length / 2);
    return [nodes.slice(0, mid), nodes.slice(mid + 1)];
  }
  if (target === 'halves') {
    const shuffled = fc.sample(fc.shuffledSubarray(nodes, { minLength: nodes.length, maxLength: nodes.length }), { seed: deriveSeed(seed, NEMESIS_STREAM, 7), numRuns: 1 })[0]!;
    const half = Math.floor(shuffled.length / 2);
    return [shuffled.slice(0, Math.max(1, half)), shuffled.slice(Math.max(1, half))];
  }
  throw new Error(`partition target must be isolate:<node>, minority, halves or bridge, got ${target}`);
}
