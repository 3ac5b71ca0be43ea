// Health check definitions and the probes the agent runs itself, as Consul's agent does
// (agent/checks in hashicorp/consul, and the "Health checks" docs):
// - a check starts critical unless its definition sets Status;
// - TTL: passing/warning/critical as last reported through /v1/agent/check/pass|warn|fail|update;
//   not reported again within TTL -> critical, Output "TTL expired";
// - HTTP: a GET (or Method) every Interval with Timeout (default 10s): 2xx passing, 429 warning,
//   anything else or no answer critical; Output says what happened plus up to 4 KiB of the body;
//   redirects are followed (up to 10);
// - TCP: a connect every Interval with Timeout (default 10s): connected passing, else critical;
// - Interval below 1s is raised to 1s (Consul's MinInterval; an agent option here).
// Lab rule: the agent only probes loopback targets. A check naming another host is refused at
// registration (400), and a redirect away from loopback makes the check critical.

import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import {
  badRequest,
  durationField,
  field,
  isLoopbackHost,
  isObject,
  normaliseLoopback,
  nsToMs,
  stringField,
  type Json,
} from './util.ts';
import type { CheckStatus } from './sessions.ts';

export type CheckType = 'ttl' | 'http' | 'tcp';

export interface CheckDefinition {
  id: string;
  name: string;
  notes: string;
  serviceId: string;
  type: CheckType;
  status: CheckStatus;
  ttlNs: number;
  intervalNs: number;
  timeoutNs: number;
  http?: {
    url: string;
    method: string;
    header: Record<string, string[]>;
    body: string;
    tlsSkipVerify: boolean;
  };
  tcp?: string;
}

const DEFAULT_TIMEOUT_NS = 10e9;
const OUTPUT_MAX = 4096;
const MAX_REDIRECTS = 10;

const UNSUPPORTED: [string, string][] = [
  ['Args', 'script'],
  ['Script', 'script'],
  ['GRPC', 'gRPC'],
  ['UDP', 'UDP'],
  ['H2PING', 'H2PING'],
  ['DockerContainerID', 'Docker'],
  ['AliasService', 'alias'],
  ['AliasNode', 'alias'],
  ['OSService', 'OS service'],
];

/**
 * Parses a check definition from a service registration's Check/Checks or from
 * /v1/agent/check/register. Errors are 400s worded like Consul's "Invalid check: ...".
 */
export function parseCheck(
  raw: unknown,
  defaults: { id: string; name: string; serviceId: string },
): CheckDefinition {
  if (!isObject(raw)) throw badRequest('Request decode failed: a check must be a JSON object');
  const c: Json = raw;
  for (const [name, kind] of UNSUPPORTED) {
    const v = field(c, name);
    if (v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)) {
      if (kind === 'script')
        throw badRequest(
          "Invalid check: Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true",
        );
      throw badRequest(
        `Invalid check: ${kind} checks are not supported by the lab's Consul agent (TTL, HTTP and TCP are)`,
      );
    }
  }
  const ttlNs = durationField(c, 'TTL') ?? 0;
  const intervalNs = durationField(c, 'Interval') ?? 0;
  const timeoutNs = durationField(c, 'Timeout') ?? 0;
  const httpUrl = stringField(c, 'HTTP') ?? '';
  const tcp = stringField(c, 'TCP') ?? '';
  const intervalCheck = httpUrl !== '' || tcp !== '';
  if (intervalNs > 0 && ttlNs > 0)
    throw badRequest('Invalid check: Interval and TTL cannot both be specified');
  if (intervalCheck && intervalNs <= 0)
    throw badRequest('Invalid check: Interval must be > 0 for Script, HTTP, H2PING, or TCP checks');
  if (!intervalCheck && ttlNs <= 0)
    throw badRequest('Invalid check: TTL must be > 0 for TTL checks');
  if (httpUrl !== '' && tcp !== '')
    throw badRequest('Invalid check: only one of HTTP and TCP may be set');

  const statusText = stringField(c, 'Status') ?? '';
  let status: CheckStatus = 'critical';
  if (statusText === 'passing' || statusText === 'warning' || statusText === 'critical')
    status = statusText;
  else if (statusText !== '')
    throw badRequest(
      `Invalid check: Status must be passing, warning or critical, got ${JSON.stringify(statusText)}`,
    );

  const def: CheckDefinition = {
    id: stringField(c, 'CheckID') || stringField(c, 'ID') || defaults.id,
    name: stringField(c, 'Name') || defaults.name,
    notes: stringField(c, 'Notes') ?? '',
    serviceId: stringField(c, 'ServiceID') ?? defaults.serviceId,
    type: httpUrl !== '' ? 'http' : tcp !== '' ? 'tcp' : 'ttl',
    status,
    ttlNs,
    intervalNs,
    timeoutNs: timeoutNs > 0 ? timeoutNs : DEFAULT_TIMEOUT_NS,
  };
  if (httpUrl !== '') {
    let url: URL;
    try {
      url = new URL(httpUrl);
    } catch {
      throw badRequest(`Invalid check: HTTP ${JSON.stringify(httpUrl)} is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw badRequest(
        `Invalid check: HTTP must be an http:// or https:// URL, got ${JSON.stringify(httpUrl)}`,
      );
    if (!isLoopbackHost(url.hostname))
      throw badRequest(
        `Invalid check: the lab's Consul agent only probes loopback addresses (127.x.y.z or localhost), got HTTP ${JSON.stringify(httpUrl)}`,
      );
    const header: Record<string, string[]> = {};
    const rawHeader = field(c, 'Header');
    if (isObject(rawHeader)) {
      for (const [k, v] of Object.entries(rawHeader))
        header[k] = Array.isArray(v) ? v.map(String) : [String(v)];
    }
    def.http = {
      url: httpUrl,
      method: (stringField(c, 'Method') || 'GET').toUpperCase(),
      header,
      body: stringField(c, 'Body') ?? '',
      tlsSkipVerify: field(c, 'TLSSkipVerify') === true,
    };
  }
  if (tcp !== '') {
    const colon = tcp.lastIndexOf(':');
    const host = colon < 0 ? '' : tcp.slice(0, colon);
    const port = Number(tcp.slice(colon + 1));
    if (!isLoopbackHost(host) || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw badRequest(
        `Invalid check: TCP must be a loopback host:port (127.x.y.z or localhost), got ${JSON.stringify(tcp)}`,
      );
    }
    def.tcp = tcp;
  }
  return def;
}

export type Report = (status: CheckStatus, output: string) => void;

export interface Runner {
  stop(): void;
}

/** TTL checks: critical with "TTL expired" unless touched again within TTL. */
export class TtlTimer implements Runner {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ttlMs: number,
    private readonly onExpire: () => void,
  ) {
    this.reset();
  }

  reset(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(this.onExpire, this.ttlMs);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** Runs an HTTP or TCP probe now and then every interval (after the previous one finished). */
export function startProbe(def: CheckDefinition, minIntervalNs: number, report: Report): Runner {
  const intervalMs = nsToMs(Math.max(def.intervalNs, minIntervalNs));
  const timeoutMs = nsToMs(def.timeoutNs);
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const once =
    def.type === 'http' ? () => probeHttp(def, timeoutMs) : () => probeTcp(def.tcp!, timeoutMs);
  const loop = async () => {
    if (stopped) return;
    const [status, output] = await once();
    if (stopped) return;
    report(status, output);
    timer = setTimeout(() => void loop(), intervalMs);
  };
  void loop();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

async function probeHttp(def: CheckDefinition, timeoutMs: number): Promise<[CheckStatus, string]> {
  const h = def.http!;
  let url = h.url;
  for (let hop = 0; ; hop++) {
    const target = new URL(url);
    if (!isLoopbackHost(target.hostname))
      return [
        'critical',
        `HTTP ${h.method} ${h.url}: redirect to ${url} refused (the lab's agent only probes loopback addresses)`,
      ];
    let res: { status: number; statusText: string; location?: string; body: string };
    try {
      res = await httpOnce(target, h, timeoutMs);
    } catch (err) {
      return ['critical', `${cap(h.method)} "${url}": ${(err as Error).message}`];
    }
    if (res.status >= 300 && res.status < 400 && res.location && h.method === 'GET') {
      if (hop >= MAX_REDIRECTS)
        return ['critical', `${cap(h.method)} "${url}": stopped after ${MAX_REDIRECTS} redirects`];
      url = new URL(res.location, target).toString();
      continue;
    }
    const output = `HTTP ${h.method} ${h.url}: ${res.status} ${res.statusText} Output: ${res.body}`;
    if (res.status >= 200 && res.status <= 299) return ['passing', output];
    if (res.status === 429) return ['warning', output];
    return ['critical', output];
  }
}

const cap = (m: string): string => m.charAt(0) + m.slice(1).toLowerCase();

function httpOnce(
  target: URL,
  h: NonNullable<CheckDefinition['http']>,
  timeoutMs: number,
): Promise<{ status: number; statusText: string; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = {
      'User-Agent': 'Consul Health Check',
      Accept: 'text/plain, text/*, */*',
      Connection: 'close',
    };
    for (const [k, v] of Object.entries(h.header)) headers[k] = v;
    const mod = target.protocol === 'https:' ? https : http;
    const req = mod.request(
      target,
      {
        method: h.method,
        headers,
        agent: false,
        timeout: timeoutMs,
        hostname: normaliseLoopback(target.hostname),
        ...(target.protocol === 'https:' ? { rejectUnauthorized: !h.tlsSkipVerify } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < OUTPUT_MAX) chunks.push(c.subarray(0, OUTPUT_MAX - size));
          size += c.length;
        });
        res.on('end', () => {
          clearTimeout(deadline);
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? http.STATUS_CODES[res.statusCode ?? 0] ?? '',
            location: res.headers.location,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', (err) => {
          clearTimeout(deadline);
          reject(err);
        });
      },
    );
    // The socket timeout only covers idleness; this bounds the whole exchange.
    const deadline = setTimeout(
      () =>
        req.destroy(
          new Error('context deadline exceeded (Client.Timeout exceeded while awaiting headers)'),
        ),
      timeoutMs,
    );
    req.on('timeout', () =>
      req.destroy(
        new Error('context deadline exceeded (Client.Timeout exceeded while awaiting headers)'),
      ),
    );
    req.on('error', (err) => {
      clearTimeout(deadline);
      reject(err);
    });
    req.end(h.body === '' ? undefined : h.body);
  });
}

function probeTcp(addr: string, timeoutMs: number): Promise<[CheckStatus, string]> {
  const colon = addr.lastIndexOf(':');
  const host = normaliseLoopback(addr.slice(0, colon));
  const port = Number(addr.slice(colon + 1));
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    let settled = false;
    const finish = (status: CheckStatus, output: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve([status, output]);
    };
    const timer = setTimeout(() => finish('critical', `dial tcp ${addr}: i/o timeout`), timeoutMs);
    sock.once('connect', () => finish('passing', `TCP connect ${addr}: Success`));
    sock.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ECONNREFUSED' ? 'connect: connection refused' : err.message;
      finish('critical', `dial tcp ${addr}: ${why}`);
    });
  });
}
