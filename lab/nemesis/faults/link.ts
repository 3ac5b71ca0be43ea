// What every link fault shares: its target is a Toxiproxy link (links.ts names them), it needs the
// links routed through Toxiproxy, and a toxic fault adds toxics named for the fault (so two faults
// on one link never collide and each heal removes its own).

import fc from 'fast-check';
import type { FaultProxies, ToxicRequest } from '../../toxiproxy/driver.ts';
import {
  faultKind,
  type FaultContext,
  type FaultKindDef,
  type FaultParam,
  type FaultParams,
  type Heal,
  type TargetScope,
} from './types.ts';

export function linksOf(ctx: FaultContext): FaultProxies {
  if (!ctx.links)
    throw new Error(
      'nemesis: link faults need the links routed through Toxiproxy (topology.links: toxiproxy)',
    );
  return ctx.links;
}

function linkTargetProblem(t: string, scope: TargetScope): string | null {
  const all = [...scope.links.client, ...scope.links.backend];
  const special = ['random-client', ...(scope.links.backend.length > 0 ? ['random-backend'] : [])];
  return all.includes(t) || special.includes(t)
    ? null
    : `for a link fault must be a link (${all.join(', ')}), random or ${special.join(', ')}, got ${JSON.stringify(t)}`;
}

function linkArbitrary(scope: TargetScope): fc.Arbitrary<string> {
  const all = [...scope.links.client, ...scope.links.backend];
  return fc.constantFrom(...(all.length > 0 ? all : ['client-proxy1']));
}

/** Both directions of a symmetric toxic. */
export const bothWays = (
  make: (stream: 'upstream' | 'downstream') => ToxicRequest,
): ToxicRequest[] => [make('upstream'), make('downstream')];

/** A toxic's name part from the fault's id. */
export const toxicTag = (faultId: string): string => faultId.replace(/[^A-Za-z0-9._-]/g, '_');

/** A link fault with a start of its own (link-down). */
export function linkFault<const K extends string, const P extends string = never>(
  kind: K,
  start: (ctx: FaultContext, f: FaultParams<string, P>, id: string) => Promise<Heal>,
  params?: { readonly [N in P]: FaultParam },
): FaultKindDef<K, P> {
  return faultKind({
    kind,
    ...(params ? { params } : {}),
    link: true,
    targetProblem: linkTargetProblem,
    targetArbitrary: linkArbitrary,
    start,
  });
}

/** A link fault made of toxics, removed again by its heal. */
export function toxicFault<const K extends string, const P extends string = never>(
  kind: K,
  toxics: (f: FaultParams<string, P>, tag: string) => ToxicRequest[],
  params?: { readonly [N in P]: FaultParam },
): FaultKindDef<K, P> & { toxics: typeof toxics } {
  return {
    ...linkFault<K, P>(
      kind,
      async (ctx, f, id) => {
        const links = linksOf(ctx);
        const added: string[] = [];
        try {
          for (const t of toxics(f, toxicTag(id)))
            added.push((await links.addToxic(f.target, t)).name);
        } catch (e) {
          for (const name of added) await links.removeToxic(f.target, name).catch(() => {});
          throw e;
        }
        return async () => {
          for (const name of added) await links.removeToxic(f.target, name);
        };
      },
      params,
    ),
    toxics,
  };
}
