// The Engine API's `filters` query parameter: JSON mapping a filter name to its values, either as
// a list (`{"label":["bbs-lab.run=r1"]}`, what dockerode and the docker CLI send) or as the older
// set form (`{"label":{"bbs-lab.run=r1":true}}`). Values of one name are OR-ed, names are AND-ed,
// as dockerd does; an unknown name is a 400 "invalid filter". Pure.

import { badRequest } from './errors.ts';

export type Filters = Map<string, string[]>;

export function parseFilters(raw: string | null | undefined, allowed: readonly string[]): Filters {
  const out: Filters = new Map();
  if (raw === null || raw === undefined || raw.trim() === '') return out;
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw badRequest(`invalid filters: not JSON: ${raw}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw badRequest('invalid filters: must be a JSON object mapping a filter to its values');
  for (const [name, v] of Object.entries(doc as Record<string, unknown>)) {
    if (!allowed.includes(name)) throw badRequest(`invalid filter '${name}'`);
    let values: string[];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) values = v as string[];
    else if (typeof v === 'object' && v !== null && Object.values(v).every((x) => x === true))
      values = Object.keys(v);
    else throw badRequest(`invalid filter '${name}': values must be a list of strings`);
    if (values.length > 0) out.set(name, values);
  }
  return out;
}

/** `label=key` matches when the key is present, `label=key=value` when it has that value. */
export function labelMatches(labels: Readonly<Record<string, string>>, filter: string): boolean {
  const eq = filter.indexOf('=');
  if (eq < 0) return Object.hasOwn(labels, filter);
  const key = filter.slice(0, eq);
  return Object.hasOwn(labels, key) && labels[key] === filter.slice(eq + 1);
}

/** What one object offers to the filters; a filter name missing here never matches. */
export interface Filterable {
  labels: Readonly<Record<string, string>>;
  id: string;
  /** Without the leading "/" containers have in their Names. */
  name: string;
  /** Other single-valued filters (status, driver, network …) by name; several values are OR-ed. */
  fields?: Readonly<Record<string, string | readonly string[]>>;
}

export function matchesFilters(x: Filterable, filters: Filters): boolean {
  for (const [name, values] of filters) {
    const ok = values.some((v) => {
      switch (name) {
        case 'label':
          // Every label filter must hold (dockerd ANDs label filters).
          return true;
        case 'id':
          return x.id.startsWith(v);
        case 'name':
          // dockerd matches names as a regular expression (a substring, unanchored).
          return safeRegex(v.replace(/^\//, '')).test(x.name);
        default: {
          const f = x.fields?.[name];
          if (f === undefined) return false;
          return typeof f === 'string' ? f === v : f.includes(v);
        }
      }
    });
    if (!ok) return false;
    if (name === 'label' && !values.every((v) => labelMatches(x.labels, v))) return false;
  }
  return true;
}

function safeRegex(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch {
    return new RegExp(source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  }
}
