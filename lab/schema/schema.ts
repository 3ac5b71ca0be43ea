// Typed schema combinators: one description of a YAML document from which both its TypeScript type
// (Infer<S>) and its validation (problems naming the field and what is allowed, defaults filled in)
// come. Small on purpose: the lab's documents need scalars, enumerations, lists and mappings.

/** A value as a problem line quotes it: strings in quotes, lists and mappings by kind. */
export const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v === 'object' ? 'a mapping' : String(v));
