// /v1/health/*, /v1/catalog/* (blocking queries over the catalog) and /v1/status/*: the one-node
// cluster as clients discover it.

import { badRequest } from '../util.ts';
import {
  blocking,
  flag,
  idParam,
  table,
  type Ctx,
  type HttpDeps,
  type Reply,
  type Route,
} from './route.ts';

export function catalogRoutes({ state, catalog, datacenter, leader }: HttpDeps): Route[] {
  /** A blocking read of the catalog table. */
  const read = (ctx: Ctx, json: () => unknown): Promise<Reply> =>
    blocking(state, ctx, table('catalog'), () => ({
      index: state.tableIndex('catalog'),
      json: json(),
    }));
  return [
    // ---- health ----
    {
      path: '/v1/health/service/',
      methods: {
        GET: (ctx) => {
          const name = idParam(ctx, 'service name');
          const tag = ctx.q.get('tag') ?? undefined;
          return read(ctx, () =>
            catalog.healthService(name, { passing: flag(ctx.q, 'passing'), tag }),
          );
        },
      },
    },
    {
      path: '/v1/health/checks/',
      methods: {
        GET: (ctx) => {
          const name = idParam(ctx, 'service name');
          return read(ctx, () => catalog.healthChecksOfService(name));
        },
      },
    },
    {
      path: '/v1/health/node/',
      methods: {
        GET: (ctx) => {
          const node = idParam(ctx, 'node name');
          return read(ctx, () => catalog.healthNode(node));
        },
      },
    },
    {
      path: '/v1/health/state/',
      methods: {
        GET: (ctx) => {
          const st = ctx.rest;
          if (!['any', 'passing', 'warning', 'critical'].includes(st))
            throw badRequest(`Invalid state: ${st}`);
          return read(ctx, () => catalog.healthState(st));
        },
      },
    },
    // ---- catalog ----
    {
      path: '/v1/catalog/services',
      methods: { GET: (ctx) => read(ctx, () => catalog.catalogServices()) },
    },
    {
      path: '/v1/catalog/service/',
      methods: {
        GET: (ctx) => {
          const name = idParam(ctx, 'service name');
          const tag = ctx.q.get('tag') ?? undefined;
          return read(ctx, () => catalog.catalogService(name, tag));
        },
      },
    },
    { path: '/v1/catalog/nodes', methods: { GET: (ctx) => read(ctx, () => catalog.nodes()) } },
    {
      path: '/v1/catalog/node/',
      methods: {
        GET: (ctx) => {
          const node = idParam(ctx, 'node name');
          return read(ctx, () => {
            if (node !== catalog.node.name) return null;
            const services: Record<string, unknown> = {};
            for (const [id, s] of Object.entries(catalog.agentServices())) services[id] = s;
            services.consul = catalog.catalogService('consul').map((s) => ({
              ID: 'consul',
              Service: 'consul',
              Tags: [],
              Port: s.ServicePort,
              Address: '',
            }))[0];
            return { Node: catalog.nodes()[0], Services: services };
          });
        },
      },
    },
    { path: '/v1/catalog/datacenters', methods: { GET: () => ({ json: [datacenter] }) } },
    // ---- status ----
    { path: '/v1/status/leader', methods: { GET: () => ({ json: leader }) } },
    { path: '/v1/status/peers', methods: { GET: () => ({ json: [leader] }) } },
  ];
}
