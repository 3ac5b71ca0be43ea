// Typed schema combinators: one description of a YAML document from which both its TypeScript type
// (Infer<S>) and its reading come (every problem named by its field path and what is allowed, the
// defaults filled in). Small on purpose: scalars, enumerations, lists and mappings.

/** A value as a problem line quotes it: strings in quotes, lists and mappings by kind. */
export const show = (v: unknown): string =>
  typeof v === 'string'
    ? JSON.stringify(v)
    : Array.isArray(v)
      ? 'a list'
      : v === null
        ? 'null'
        : typeof v === 'object'
          ? 'a mapping'
          : String(v);

/**
 * A field of a mapping. `O` is true when the field may be left out (neither required nor
 * defaulted).
 */
export interface Field<T, O extends boolean = false> {
  readonly kind: 'field';
  /** Why a present value is wrong (without the path), or null. */
  check(v: unknown): string | null;
  convert?(v: unknown): T;
  default?: T;
  required?: boolean;
  /** For lists: each item is read with this. */
  item?: Shape;
  /** Type only. */
  readonly optional?: O;
}

export interface Shape {
  readonly [key: string]: Field<unknown, boolean> | Shape;
}

type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends Field<unknown, true> ? K : never;
}[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
type Out<X> = X extends Field<infer T, boolean> ? T : X extends Shape ? Infer<X> : never;
type Flat<T> = { [K in keyof T]: T[K] };

/** The type a shape reads to: defaulted and required fields present, the others optional. */
export type Infer<S extends Shape> = Flat<
  { -readonly [K in RequiredKeys<S>]: Out<S[K]> } & { -readonly [K in OptionalKeys<S>]?: Out<S[K]> }
>;

export function field<T>(
  check: (v: unknown) => string | null,
  o: { convert?: (v: unknown) => T; default: T },
): Field<T>;
export function field<T>(
  check: (v: unknown) => string | null,
  o: { convert?: (v: unknown) => T; required: true },
): Field<T>;
export function field<T>(
  check: (v: unknown) => string | null,
  o?: { convert?: (v: unknown) => T },
): Field<T, true>;
export function field<T>(
  check: (v: unknown) => string | null,
  o: { convert?: (v: unknown) => T; default?: T; required?: boolean } = {},
): Field<T, boolean> {
  return { kind: 'field', check, ...o };
}

/** The same field, optional (no default, not required). */
export const optional = <T>(f: Field<T, boolean>): Field<T, true> => {
  const { default: _d, required: _r, ...rest } = f;
  return rest as Field<T, true>;
};

/** The same field with a default. */
export const withDefault = <T>(f: Field<T, boolean>, def: T): Field<T> =>
  ({ ...f, required: false, default: def }) as Field<T>;

const isField = (x: Field<unknown, boolean> | Shape): x is Field<unknown, boolean> =>
  (x as Field<unknown>).kind === 'field' && typeof (x as Field<unknown>).check === 'function';

const nonEmpty = (v: unknown) =>
  typeof v === 'string' && v.trim() !== '' ? null : `must be a non-empty string, got ${show(v)}`;
export function str(o: { required: true }): Field<string>;
export function str(o: { default: string }): Field<string>;
export function str(): Field<string, true>;
export function str(o: { required?: boolean; default?: string } = {}): Field<string, boolean> {
  return { kind: 'field', check: nonEmpty, ...o };
}

const oneOfCheck = (allowed: readonly unknown[]) => (v: unknown) =>
  allowed.includes(v)
    ? null
    : `must be ${allowed.slice(0, -1).map(String).join(', ')}${allowed.length > 1 ? ' or ' : ''}${String(allowed[allowed.length - 1])}, got ${show(v)}`;
/** One of the allowed values; required without a default. */
export function oneOf<const T extends string | number>(allowed: readonly T[], def: T): Field<T>;
export function oneOf<const T extends string | number>(allowed: readonly T[]): Field<T>;
export function oneOf<const T extends string | number>(allowed: readonly T[], def?: T): Field<T> {
  return {
    kind: 'field',
    check: oneOfCheck(allowed),
    ...(def !== undefined ? { default: def } : { required: true }),
  };
}

export const int = (min: number, max: number, def?: number): Field<number> => ({
  kind: 'field',
  check: (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
      ? null
      : `must be an integer from ${min} to ${max}, got ${show(v)}`,
  ...(def !== undefined ? { default: def } : { required: true }),
});

export const num = (min: number, max: number, def: number): Field<number> => ({
  kind: 'field',
  check: (v) =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max
      ? null
      : `must be a number from ${min} to ${max}, got ${show(v)}`,
  default: def,
});

export const bool = (def: boolean): Field<boolean> => ({
  kind: 'field',
  check: (v) => (typeof v === 'boolean' ? null : `must be true or false, got ${show(v)}`),
  default: def,
});

/** A list whose items are each read with `item`; problems name the item's index. */
export const listOf = <S extends Shape>(item: S, def: Infer<S>[] = []): Field<Infer<S>[]> => ({
  kind: 'field',
  check: (v) => (Array.isArray(v) ? null : `must be a list, got ${show(v)}`),
  default: def,
  item,
});

/**
 * Reads `input` against `shape`: every problem is pushed as `path: what is wrong`, missing fields
 * get their defaults. A missing mapping reads as an empty one (its fields' defaults).
 */
export function read<S extends Shape>(
  shape: S,
  input: unknown,
  path: string,
  problems: string[],
): Infer<S> {
  const out: Record<string, unknown> = {};
  const obj = (input === undefined || input === null ? {} : input) as Record<string, unknown>;
  if (
    input !== undefined &&
    input !== null &&
    (typeof input !== 'object' || Array.isArray(input))
  ) {
    problems.push(`${path || '(top level)'}: must be a mapping, got ${show(input)}`);
    return out as Infer<S>;
  }
  for (const key of Object.keys(obj)) {
    if (!(key in shape))
      problems.push(
        `${path ? `${path}.` : ''}${key}: unknown field; allowed here: ${Object.keys(shape).join(', ')}`,
      );
  }
  for (const [key, sub] of Object.entries(shape)) {
    const p = path ? `${path}.${key}` : key;
    const v = obj[key];
    if (!isField(sub)) {
      out[key] = read(sub, v, p, problems);
      continue;
    }
    if (v === undefined || v === null) {
      if (sub.required) problems.push(`${p}: required`);
      else if (sub.default !== undefined) out[key] = sub.default;
      continue;
    }
    const problem = sub.check(v);
    if (problem) problems.push(`${p}: ${problem}`);
    else if (sub.item)
      out[key] = (v as unknown[]).map((x, i) => read(sub.item!, x, `${p}[${i}]`, problems));
    else out[key] = sub.convert ? sub.convert(v) : v;
  }
  return out as Infer<S>;
}

/** Seconds, as a number or '90s' / '2m'. */
export function parseDuration(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
  if (typeof v !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(v);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const secs = unit === 'ms' ? n / 1000 : unit === 's' ? n : unit === 'm' ? n * 60 : n * 3600;
  return secs > 0 ? secs : null;
}

/** A duration in seconds (a number, "30s", "2m"), at most `maxSecs`; required. */
export const duration = (maxSecs: number): Field<number> => ({
  kind: 'field',
  check: (v) => {
    const s = parseDuration(v);
    if (s === null) return `must be a duration such as 30, "30s" or "2m", got ${show(v)}`;
    return s > maxSecs ? `must be at most ${maxSecs} s, got ${s} s` : null;
  },
  convert: (v) => parseDuration(v)!,
  required: true,
});

/** As duration, but 0 is allowed (a fault at the very start). */
export const durationOrZero = (max: number): Field<number> => ({
  kind: 'field',
  check: (v) => {
    if (v === 0) return null;
    const s = parseDuration(v);
    if (s === null) return `must be a duration such as 10, "10s" or "1m", got ${show(v)}`;
    return s > max ? `must be at most ${max} s, got ${s} s` : null;
  },
  convert: (v) => (v === 0 ? 0 : parseDuration(v)!),
  required: true,
});
