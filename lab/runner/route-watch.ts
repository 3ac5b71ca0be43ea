// Watches what routes clients while faults run, so the report can time each step of an outage: each
// node's galera-healthcheck verdict (`health` events, fault = the node) and, under a Consul
// configuration, which instances Consul's DNS would answer (`dns-answer` events, fault = 'consul',
// detail.passing = their names). An event is written only when the answer changes (the first
// answer too). Polls every 250 ms: a mark is late by at most that plus the answer's own time.

import type { HistoryWriter } from '../history/writer.ts';
import type { HealthcheckHandle } from '../routing/healthcheck/server.ts';

export interface RouteWatch {
  stop(): Promise<void>;
}

export const ROUTE_WATCH_INTERVAL_MS = 250;

export function startRouteWatch(o: {
  healthchecks: readonly Pick<HealthcheckHandle, 'name' | 'status'>[];
  passing: (() => Promise<string[]>) | null;
  writer: Pick<HistoryWriter, 'append'>;
  intervalMs?: number;
}): RouteWatch {
  const health = new Map<string, string>();
  let dns: string | null = null;
  let stopped = false;
  const tick = async (): Promise<void> => {
    await Promise.all(
      o.healthchecks.map(async (h) => {
        const st = await h
          .status()
          .catch((e: unknown) => ({ healthy: false, message: (e as Error).message }));
        const key = `${st.healthy}`;
        if (stopped || health.get(h.name) === key) return;
        health.set(h.name, key);
        o.writer.append({
          type: 'nemesis',
          phase: 'event',
          fault: h.name,
          kind: 'health',
          detail: { healthy: st.healthy, message: st.message },
        });
      }),
    );
    if (o.passing) {
      const names = await o.passing().catch(() => null);
      const key = names ? [...names].sort().join(',') : null;
      if (!stopped && names && key !== dns) {
        dns = key;
        o.writer.append({
          type: 'nemesis',
          phase: 'event',
          fault: 'consul',
          kind: 'dns-answer',
          detail: { passing: [...names].sort() },
        });
      }
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await tick();
      await new Promise((r) => setTimeout(r, o.intervalMs ?? ROUTE_WATCH_INTERVAL_MS));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
