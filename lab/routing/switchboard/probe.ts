// One poll of one backend's healthcheck: an HTTP GET with a deadline, and how each rule's
// switchboard reads the answer.
//
// From Sep 2016 (lowest-index) the switchboard reads /api/v1/status: a 200 is decoded as JSON and
//   `healthy` and `wsrep_local_index` taken from it; anything else, including no answer within the
//   timeout, is unhealthy and leaves the last known index as it was.
// Up to Aug 2016 (sticky-random) only the status code counted (200 healthy, 503 not), against the
//   healthcheck's `/`. So that the same URL serves both rules, a 200 whose body is JSON saying
//   healthy:false also counts as unhealthy here (that is what the status code of `/` would say).

import { request } from 'node:http';
import type { SwitchboardRule } from './types.ts';

export interface ProbeOutcome {
  healthy: boolean;
  /** wsrep_local_index when the answer carried one. */
  index: number | null;
  detail: string;
}

export type HttpResult = { ok: true; status: number; body: string } | { ok: false; error: string };

function jsonFields(body: string): { healthy?: unknown; index?: unknown } | null {
  try {
    const v: unknown = JSON.parse(body);
    if (typeof v !== 'object' || v === null) return null;
    const o = v as Record<string, unknown>;
    return { healthy: o.healthy, index: o.wsrep_local_index };
  } catch {
    return null;
  }
}

export function interpretHealthAnswer(rule: SwitchboardRule, r: HttpResult): ProbeOutcome {
  if (!r.ok) return { healthy: false, index: null, detail: r.error };
  if (r.status !== 200) return { healthy: false, index: null, detail: `HTTP ${r.status}` };
  const f = jsonFields(r.body);
  const index = typeof f?.index === 'number' && Number.isFinite(f.index) ? f.index : null;
  if (rule === 'lowest-index') {
    if (f === null)
      return { healthy: false, index: null, detail: 'HTTP 200 without a JSON status' };
    const healthy = f.healthy === true;
    return { healthy, index, detail: healthy ? 'healthy' : 'reported unhealthy' };
  }
  const healthy = f?.healthy !== false;
  return { healthy, index, detail: healthy ? 'HTTP 200' : 'reported unhealthy' };
}

/** GET url; the whole exchange must end within timeoutMs. Never rejects. */
export function httpGet(url: string, timeoutMs: number, signal?: AbortSignal): Promise<HttpResult> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: HttpResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    // No keep-alive pool: each poll is its own connection, so nothing outlives a stopped proxy.
    const req = request(url, { method: 'GET', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (body.length < 64 * 1024) body += c;
      });
      res.on('end', () => finish({ ok: true, status: res.statusCode ?? 0, body }));
      res.on('error', (e) => finish({ ok: false, error: e.message }));
    });
    const timer = setTimeout(() => {
      finish({ ok: false, error: `no answer within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    const onAbort = () => {
      finish({ ok: false, error: 'aborted' });
      req.destroy();
    };
    signal?.addEventListener('abort', onAbort);
    req.on('error', (e) => finish({ ok: false, error: e.message }));
    req.end();
  });
}

export async function probeHealth(
  rule: SwitchboardRule,
  url: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ProbeOutcome> {
  return interpretHealthAnswer(rule, await httpGet(url, timeoutMs, signal));
}
