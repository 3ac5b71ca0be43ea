// Turns a scenario's nemesis block into a concrete, reproducible list of faults: the fixed
// timeline as written, plus a random schedule drawn with fast-check from the run's seed, with
// every 'random' target resolved. Pure: the same inputs give the same plan.

import fc from 'fast-check';
import { deriveSeed } from '../random/seeded-rng.ts';
import { FAULTS, NEMESIS_STREAM, type FaultKind } from './faults/index.ts';
import type { LinkPlan } from './links.ts';
import type { FaultSpec, NemesisSpec } from './types.ts';

export { partitionSides } from './faults/index.ts';

export interface PlanContext {
  seed: number;
  /** Seconds the workload runs; no fault starts after it, every fault is healed by it. */
  duration: number;
  nodes: string[];
  proxies: string[];
  /** Toxiproxy links (links.ts), when the topology has them. */
  links?: LinkPlan;
}

/** Role targets a random plan may draw (roles.ts); the proxy roles only when there are proxies. */
function roleTargets(ctx: PlanContext): string[] {
  return ctx.proxies.length > 0
    ? [...ctx.proxies.map((p) => `active-of:${p}`), 'most-written', 'a-non-active']
    : ['most-written'];
}

function targetArb(kind: FaultKind, ctx: PlanContext, roles = false): fc.Arbitrary<string> {
  const nodeTargets = roles ? [...ctx.nodes, ...roleTargets(ctx)] : ctx.nodes;
  return FAULTS[kind].targetArbitrary(
    { nodes: ctx.nodes, proxies: ctx.proxies, links: ctx.links ?? { client: [], backend: [] } },
    nodeTargets,
  );
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
      const targets = fc.sample(targetArb(s.kind, ctx, r.roles === true), {
        seed: deriveSeed(ctx.seed, NEMESIS_STREAM, s.pick),
        numRuns: 1,
      });
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
    if (pool.length === 0)
      throw new Error(
        `nemesis: ${f.target} needs links of that kind (topology.links and, for backend links, proxies)`,
      );
    return fc.sample(fc.constantFrom(...pool), { seed, numRuns: 1 })[0]!;
  }
  if (f.target !== 'random') return f.target;
  return fc.sample(targetArb(f.kind, ctx), { seed, numRuns: 1 })[0]!;
}
