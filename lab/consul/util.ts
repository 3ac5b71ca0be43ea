// Small helpers shared by the lab's Consul agent: Go-style durations (what Consul's JSON and query
// parameters carry: "10s", "1m30s", "250ms"), loopback checks, case-insensitive field lookup (Go's
// encoding/json matches field names without regard to case), and the error type the HTTP layer
// turns into a status code and a plain-text body (which is what Consul answers on errors).

export class ConsulError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export const badRequest = (msg: string): ConsulError => new ConsulError(msg, 400);
export const notFound = (msg: string): ConsulError => new ConsulError(msg, 404);
export const serverError = (msg: string): ConsulError => new ConsulError(msg, 500);

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Parses a Go duration string ("1h2m3.5s", "300ms", "0") to nanoseconds; null when malformed. */
export function parseGoDuration(text: string): number | null {
  let s = text.trim();
  if (s === '') return null;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  const part = /^(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  let total = 0;
  let seen = false;
  while (s.length > 0) {
    const m = part.exec(s);
    if (!m) return null;
    total += Number(m[1]) * UNIT_NS[m[2]!]!;
    s = s.slice(m[0].length);
    seen = true;
  }
  return seen ? sign * total : null;
}

/** Nanoseconds to milliseconds for timers (at least 0). */
export const nsToMs = (ns: number): number => Math.max(0, ns / 1e6);

/** Formats nanoseconds the way Go's time.Duration.String() does for the values the agent shows. */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  if (ns < 1e3) return `${ns}ns`;
  if (ns < 1e6) return `${trim(ns / 1e3)}µs`;
  if (ns < 1e9) return `${trim(ns / 1e6)}ms`;
  let rest = ns / 1e9;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  rest -= m * 60;
  let out = '';
  if (h > 0) out += `${h}h`;
  if (h > 0 || m > 0) out += `${m}m`;
  return `${out}${trim(rest)}s`;
}

const trim = (n: number): string => String(Number(n.toFixed(9)));

/** 127.x.y.z, or "localhost" (taken as 127.0.0.1 so it can never resolve to another host). */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m?.slice(1).every((o) => Number(o) <= 255) === true;
}

export const normaliseLoopback = (host: string): string =>
  host === 'localhost' ? '127.0.0.1' : host;

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A field of a decoded JSON body, matched like Go's encoding/json (case-insensitively) and, as
 * Consul's decode hooks also accept snake_case for many fields, ignoring underscores too.
 */
export function field(obj: Json, ...names: string[]): unknown {
  const want = new Set(names.map(fold));
  for (const [k, v] of Object.entries(obj)) {
    if (want.has(fold(k))) return v;
  }
  return undefined;
}

const fold = (s: string): string => s.replace(/_/g, '').toLowerCase();

export function stringField(obj: Json, ...names: string[]): string | undefined {
  const v = field(obj, ...names);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string')
    throw badRequest(`Request decode failed: ${names[0]} must be a string`);
  return v;
}

export function numberField(obj: Json, ...names: string[]): number | undefined {
  const v = field(obj, ...names);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw badRequest(`Request decode failed: ${names[0]} must be a number`);
  return v;
}

export function stringListField(obj: Json, ...names: string[]): string[] | undefined {
  const v = field(obj, ...names);
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw badRequest(`Request decode failed: ${names[0]} must be a list of strings`);
  return v as string[];
}

/** A duration field given as a Go duration string or as a number of nanoseconds. */
export function durationField(obj: Json, ...names: string[]): number | undefined {
  const v = field(obj, ...names);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const ns = parseGoDuration(v);
    if (ns === null)
      throw badRequest(`Request decode failed: ${names[0]}: invalid duration ${JSON.stringify(v)}`);
    return ns;
  }
  throw badRequest(`Request decode failed: ${names[0]} must be a duration`);
}

export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
