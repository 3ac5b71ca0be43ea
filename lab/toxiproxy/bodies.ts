// What the API accepts in request bodies, decoded the way Toxiproxy's Go decoder would: unknown
// fields are ignored, absent fields take their defaults, a field of the wrong JSON type is a
// "bad request body". One deliberate strictness: toxic attributes must be non-negative integers
// (Go would take a negative number and then misbehave with it).

import { badRequestBody, invalidStream, invalidToxicType, missingField } from './errors.ts';
import { isToxicType, TOXIC_KINDS } from './toxics/kinds.ts';
import type { StreamDirection, ToxicAttributes, ToxicSpec } from './toxics/types.ts';

/** Listen address used when a create request has none (the real one would bind every interface). */
export const DEFAULT_LISTEN = '127.0.0.1:0';

export interface ProxyInput {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequestBody((err as Error).message);
  }
}

function asObject(body: unknown, what: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequestBody(`${what} must be a JSON object`);
  return body as Record<string, unknown>;
}

function optional<T>(
  obj: Record<string, unknown>,
  key: string,
  type: 'string' | 'number' | 'boolean',
  where = '',
): T | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== type) throw badRequestBody(`${where}${key} must be a ${type}`);
  return v as T;
}

function proxyFields(obj: Record<string, unknown>, where = '') {
  return {
    name: optional<string>(obj, 'name', 'string', where),
    listen: optional<string>(obj, 'listen', 'string', where),
    upstream: optional<string>(obj, 'upstream', 'string', where),
    enabled: optional<boolean>(obj, 'enabled', 'boolean', where),
  };
}

export function parseProxyCreate(body: unknown): ProxyInput {
  const f = proxyFields(asObject(body, 'proxy'));
  if (!f.name) throw missingField('name');
  if (!f.upstream) throw missingField('upstream');
  return {
    name: f.name,
    listen: f.listen || DEFAULT_LISTEN,
    upstream: f.upstream,
    enabled: f.enabled ?? true,
  };
}

/** Fields left out keep the proxy's current values. */
export function parseProxyUpdate(
  body: unknown,
  current: Omit<ProxyInput, 'name'>,
): Omit<ProxyInput, 'name'> {
  const f = proxyFields(asObject(body, 'proxy'));
  return {
    listen: f.listen || current.listen,
    upstream: f.upstream || current.upstream,
    enabled: f.enabled ?? current.enabled,
  };
}

/** Validates the whole list before anything is applied, as the real one does. */
export function parsePopulate(body: unknown): ProxyInput[] {
  if (!Array.isArray(body)) throw badRequestBody('populate expects a JSON array of proxies');
  const names = new Set<string>();
  return body.map((item, i) => {
    const f = proxyFields(asObject(item, `proxy ${i + 1}`), `proxy ${i + 1}: `);
    if (!f.name) throw missingField(`name at proxy ${i + 1}`);
    if (!f.upstream) throw missingField(`upstream at proxy ${i + 1}`);
    if (names.has(f.name)) throw badRequestBody(`duplicate proxy name ${JSON.stringify(f.name)}`);
    names.add(f.name);
    return {
      name: f.name,
      listen: f.listen || DEFAULT_LISTEN,
      upstream: f.upstream,
      enabled: f.enabled ?? true,
    };
  });
}

function parseStream(s: string | undefined): StreamDirection {
  const v = (s ?? 'downstream').toLowerCase();
  if (v !== 'upstream' && v !== 'downstream') throw invalidStream();
  return v;
}

function parseAttributes(raw: unknown, base: Readonly<ToxicAttributes>): ToxicAttributes {
  const attrs: ToxicAttributes = { ...base };
  if (raw === undefined || raw === null) return attrs;
  const obj = asObject(raw, 'attributes');
  for (const key of Object.keys(base)) {
    const v = obj[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      throw badRequestBody(`attributes.${key} must be a non-negative integer`);
    attrs[key] = v;
  }
  return attrs;
}

function parseToxicity(v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isFinite(v)) throw badRequestBody('toxicity must be a number');
  return v;
}

/** Defaults as the real one: stream downstream, toxicity 1, name "<type>_<stream>". */
export function parseToxicCreate(body: unknown): ToxicSpec {
  const obj = asObject(body, 'toxic');
  const type = optional<string>(obj, 'type', 'string') ?? '';
  const name = optional<string>(obj, 'name', 'string');
  const rawStream = optional<string>(obj, 'stream', 'string');
  const toxicity = parseToxicity(optional<number>(obj, 'toxicity', 'number'), 1);
  const stream = parseStream(rawStream);
  if (!isToxicType(type)) throw invalidToxicType();
  const kind = TOXIC_KINDS[type];
  const attributes = parseAttributes(obj.attributes, kind.attributes);
  const problem = kind.validate(attributes);
  if (problem) throw badRequestBody(problem);
  return { name: name || `${type}_${stream}`, type, stream, toxicity, attributes };
}

/** Only attributes and toxicity change; attributes left out keep their values. */
export function parseToxicUpdate(body: unknown, current: ToxicSpec): ToxicSpec {
  const obj = asObject(body, 'toxic');
  const toxicity = parseToxicity(optional<number>(obj, 'toxicity', 'number'), current.toxicity);
  const attributes = parseAttributes(obj.attributes, current.attributes);
  const problem = TOXIC_KINDS[current.type].validate(attributes);
  if (problem) throw badRequestBody(problem);
  return { ...current, toxicity, attributes };
}
