// /v1/session/*: create, destroy, renew; info, list and node as blocking queries.

import { notFound } from '../util.ts';
import { blocking, idParam, table, type HttpDeps, type Route } from './route.ts';

export function sessionRoutes({ state, sessions }: HttpDeps): Route[] {
  const sessionsIndex = () => state.tableIndex('sessions');
  return [
    {
      path: '/v1/session/create',
      methods: {
        PUT: async (ctx) => {
          const body = await ctx.json();
          return { json: { ID: sessions.create(body ?? undefined) } };
        },
      },
    },
    {
      path: '/v1/session/destroy/',
      methods: {
        PUT: (ctx) => {
          sessions.destroy(idParam(ctx, 'session'));
          return { json: true };
        },
      },
    },
    {
      path: '/v1/session/renew/',
      methods: {
        PUT: (ctx) => {
          const id = idParam(ctx, 'session');
          const s = sessions.renew(id);
          if (!s) throw notFound(`Session id '${id}' not found`);
          return { json: [s] };
        },
      },
    },
    {
      path: '/v1/session/info/',
      methods: {
        GET: (ctx) => {
          const id = idParam(ctx, 'session');
          return blocking(state, ctx, table('sessions'), () => {
            const s = sessions.info(id);
            return { index: sessionsIndex(), json: s ? [s] : [] };
          });
        },
      },
    },
    {
      path: '/v1/session/list',
      methods: {
        GET: (ctx) =>
          blocking(state, ctx, table('sessions'), () => ({
            index: sessionsIndex(),
            json: sessions.list(),
          })),
      },
    },
    {
      path: '/v1/session/node/',
      methods: {
        GET: (ctx) => {
          const node = idParam(ctx, 'node name');
          return blocking(state, ctx, table('sessions'), () => ({
            index: sessionsIndex(),
            json: sessions.list().filter((s) => s.Node === node),
          }));
        },
      },
    },
  ];
}
