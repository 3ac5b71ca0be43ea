// /v1/kv/<key>: get (one key, ?keys, ?recurse, ?raw) as blocking queries; put (plain, ?cas,
// ?acquire, ?release); delete (one key, ?cas, ?recurse).

import { kvToJson } from '../kv.ts';
import type { Change } from '../state.ts';
import { badRequest } from '../util.ts';
import { blocking, flag, uintParam, type HttpDeps, type Route } from './route.ts';

const KV_MAX_VALUE = 512 * 1024;

const kvRelevant =
  (key: string, prefix: boolean) =>
  (c: Change): boolean =>
    c.table === 'kv' &&
    (c.keys ?? []).some((k) => (prefix ? k.startsWith(key) || key.startsWith(k) : k === key));

export function kvRoutes({ state, kv, sessions }: HttpDeps): Route[] {
  return [
    {
      path: '/v1/kv/',
      bareRoot: true,
      methods: {
        GET: (ctx) => {
          const key = ctx.rest;
          if (ctx.q.has('keys')) {
            const sep = ctx.q.get('separator') ?? undefined;
            return blocking(state, ctx, kvRelevant(key, true), () => {
              const keys = kv.keys(key, sep || undefined);
              return {
                index: kv.prefixIndex(key),
                ...(keys.length > 0 ? { json: keys } : { status: 404 }),
              };
            });
          }
          if (flag(ctx.q, 'recurse')) {
            return blocking(state, ctx, kvRelevant(key, true), () => {
              const entries = kv.list(key);
              return {
                index: kv.prefixIndex(key),
                ...(entries.length > 0 ? { json: entries.map(kvToJson) } : { status: 404 }),
              };
            });
          }
          return blocking(state, ctx, kvRelevant(key, false), () => {
            const e = kv.get(key);
            const index = kv.keyIndex(key);
            if (!e) return { index, status: 404 };
            if (ctx.q.has('raw')) return { index, raw: e.Value ?? Buffer.alloc(0) };
            return { index, json: [kvToJson(e)] };
          });
        },
        PUT: async (ctx) => {
          const key = ctx.rest;
          if (key === '') throw badRequest('Missing key name');
          let flags = 0;
          if (ctx.q.has('flags')) {
            const f = ctx.q.get('flags')!;
            if (!/^\d+$/.test(f)) throw badRequest('Invalid flags');
            flags = Number(f);
          }
          const value = await ctx.body(KV_MAX_VALUE);
          let ok: boolean;
          // As Consul's KVSPut decides the operation: release over acquire over cas.
          const cas = uintParam(ctx.q, 'cas', 'cas');
          if (ctx.q.has('release')) ok = sessions.release(key, value, flags, ctx.q.get('release')!);
          else if (ctx.q.has('acquire'))
            ok = sessions.acquire(key, value, flags, ctx.q.get('acquire')!);
          else if (cas !== undefined) ok = kv.cas(key, value, flags, cas);
          else ok = kv.set(key, value, flags);
          return { json: ok };
        },
        DELETE: (ctx) => {
          const key = ctx.rest;
          if (flag(ctx.q, 'recurse')) return { json: kv.deleteTree(key) };
          if (key === '') throw badRequest('Missing key name');
          if (ctx.q.has('cas')) return { json: kv.deleteCas(key, uintParam(ctx.q, 'cas', 'cas')!) };
          return { json: kv.delete(key) };
        },
      },
    },
  ];
}
