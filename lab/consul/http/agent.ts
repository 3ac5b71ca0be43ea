// /v1/agent/*: services and checks registered with this agent, TTL check updates, self and members.

import type { CheckStatus } from '../sessions.ts';
import { badRequest, isObject, notFound, stringField } from '../util.ts';
import { CONSUL_VERSION, idParam, type Handler, type HttpDeps, type Route } from './route.ts';

export function agentRoutes(deps: HttpDeps): Route[] {
  const { catalog } = deps;
  const ttlUpdate =
    (status: CheckStatus): Handler =>
    (ctx) => {
      catalog.updateTtl(idParam(ctx, 'check ID'), status, ctx.q.get('note') ?? '');
      return {};
    };
  return [
    {
      path: '/v1/agent/service/register',
      methods: {
        PUT: async (ctx) => {
          catalog.registerService(await ctx.json());
          return {};
        },
      },
    },
    {
      path: '/v1/agent/service/deregister/',
      methods: {
        PUT: (ctx) => {
          catalog.deregisterService(idParam(ctx, 'service ID'));
          return {};
        },
      },
    },
    { path: '/v1/agent/services', methods: { GET: () => ({ json: catalog.agentServices() }) } },
    {
      path: '/v1/agent/service/',
      methods: {
        GET: (ctx) => {
          const s = catalog.agentService(idParam(ctx, 'service ID'));
          if (!s) throw notFound(`unknown service ID: ${ctx.rest}`);
          return { json: s };
        },
      },
    },
    { path: '/v1/agent/checks', methods: { GET: () => ({ json: catalog.agentChecks() }) } },
    {
      path: '/v1/agent/check/register',
      methods: {
        PUT: async (ctx) => {
          catalog.registerCheck(await ctx.json());
          return {};
        },
      },
    },
    {
      path: '/v1/agent/check/deregister/',
      methods: {
        PUT: (ctx) => {
          catalog.deregisterCheck(idParam(ctx, 'check ID'));
          return {};
        },
      },
    },
    { path: '/v1/agent/check/pass/', methods: { PUT: ttlUpdate('passing') } },
    { path: '/v1/agent/check/warn/', methods: { PUT: ttlUpdate('warning') } },
    { path: '/v1/agent/check/fail/', methods: { PUT: ttlUpdate('critical') } },
    {
      path: '/v1/agent/check/update/',
      methods: {
        PUT: async (ctx) => {
          const id = idParam(ctx, 'check ID');
          const body = await ctx.json();
          if (!isObject(body))
            throw badRequest('Request decode failed: body must be a JSON object');
          const status = stringField(body, 'Status') ?? '';
          if (status !== 'passing' && status !== 'warning' && status !== 'critical')
            throw badRequest(`Invalid check status: "${status}"`);
          catalog.updateTtl(id, status, stringField(body, 'Output') ?? '');
          return {};
        },
      },
    },
    {
      path: '/v1/agent/self',
      methods: {
        GET: () => {
          const n = catalog.node;
          return {
            json: {
              Config: {
                Datacenter: n.datacenter,
                NodeName: n.name,
                NodeID: n.id,
                Server: true,
                Revision: 'bbs-lab',
                Version: CONSUL_VERSION,
              },
              DebugConfig: {},
              Coord: null,
              Member: memberJson(n, deps),
              Stats: {},
              Meta: {},
            },
          };
        },
      },
    },
    {
      path: '/v1/agent/members',
      methods: { GET: () => ({ json: [memberJson(catalog.node, deps)] }) },
    },
  ];
}

function memberJson(n: { name: string; address: string; datacenter: string }, deps: HttpDeps) {
  return {
    Name: n.name,
    Addr: n.address,
    Port: deps.serfPort,
    Tags: {
      role: 'consul',
      dc: n.datacenter,
      bootstrap: '1',
      build: CONSUL_VERSION,
      port: deps.leader.split(':').pop() ?? '8300',
    },
    Status: 1,
  };
}
