// The rules of a migration scenario file (scenarios/migration-*.yaml,
// scenarios/upgrade-dust*.yaml):
// a `migration:` block instead of a topology, clients and nemesis. Problems come out as the rest of
// the validator's do, one line each, `field: what is wrong; the fix`.
//
// Which stories exist, and which options each takes, is the story registry's to say
// (lab/migration/stories/index.ts): it is passed in, so this folder stays below lab/migration.

import { BBS_VERSIONS } from '../../bbs/versions/index.ts';

export type MigrationStopMode = 'graceful' | 'kill';

/** The options a story may take beyond workload and lock (which every story takes). */
export const STORY_OPTIONS = ['stop', 'maxOutageSec', 'version', 'phase'] as const;
export type StoryOption = (typeof STORY_OPTIONS)[number];

/** What the validator needs to know of a story. */
export interface StoryRule {
  name: string;
  takes: readonly StoryOption[];
  /** The fault phases a start-up fault story plays (its `phase:` values). */
  phases?: readonly string[];
}

export interface MigrationScenarioFile {
  name: string;
  description: string;
  question: string;
  story: string;
  /** How each old node goes (graceful stop, as BOSH does it, or kill). */
  stop?: MigrationStopMode;
  /** The longest outage (seconds) the story's check allows. */
  maxOutageSec?: number;
  workload?: { clients?: number; seed?: number };
  /**
   * The lock's timing: session TTL (whole seconds) and retry interval (ms); default 1 s / 500 ms.
   */
  lock?: { ttlSec: number; retryMs: number };
  /** The BBS profiles (bbs/versions) a start-up fault story plays, one run each, in this order. */
  versions?: string[];
  /** The phases a start-up fault story plays. */
  phases?: string[];
}

const TOP_FIELDS = ['name', 'description', 'question', 'migration'];
const BLOCK_FIELDS = ['story', ...STORY_OPTIONS, 'workload', 'lock'];

type Obj = Record<string, unknown>;
const isMap = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Whether a loaded YAML document is a migration scenario (it has a `migration:` block). */
export function isMigrationDoc(doc: unknown): doc is Obj {
  return isMap(doc) && 'migration' in doc;
}

/**
 * The scenario a migration document describes, and every problem with it. Pure. The scenario is
 * only meaningful when `problems` is empty.
 */
export function checkMigrationDoc(
  doc: Obj,
  stories: readonly StoryRule[],
): { scenario: MigrationScenarioFile; problems: string[] } {
  const problems: string[] = [];
  for (const k of Object.keys(doc))
    if (!TOP_FIELDS.includes(k))
      problems.push(
        `${k}: unknown field in a migration scenario; allowed: ${TOP_FIELDS.join(', ')}`,
      );
  for (const k of ['name', 'question'])
    if (typeof doc[k] !== 'string' || (doc[k] as string).trim() === '')
      problems.push(`${k}: required, a non-empty string`);
  const m: Obj = isMap(doc.migration) ? doc.migration : {};
  if (!isMap(doc.migration))
    problems.push('migration: a map naming the story, e.g. migration: { story: redeploy }');
  for (const k of Object.keys(m))
    if (!BLOCK_FIELDS.includes(k))
      problems.push(`migration.${k}: unknown field; allowed: ${BLOCK_FIELDS.join(', ')}`);
  const story = m.story;
  const rule = stories.find((s) => s.name === story);
  if (!rule && isMap(doc.migration))
    problems.push(
      `migration.story: must be ${stories.map((s) => s.name).join(', ')}, got ${JSON.stringify(story ?? null)}`,
    );
  const out: MigrationScenarioFile = {
    name: doc.name as string,
    description: typeof doc.description === 'string' ? doc.description : '',
    question: doc.question as string,
    story: story as string,
  };
  const takenBy = (opt: StoryOption) =>
    stories.filter((s) => s.takes.includes(opt)).map((s) => s.name);
  // A story option: the value's own rule first, then whether this story uses it.
  const option = (
    opt: StoryOption,
    problem: (v: unknown) => string | null,
    set: (v: never) => void,
  ) => {
    const v = m[opt];
    if (v === undefined) return;
    const p = problem(v);
    if (p) problems.push(`migration.${opt}: ${p}`);
    else if (rule && !rule.takes.includes(opt))
      problems.push(`migration.${opt}: only used by story ${takenBy(opt).join(', ')}; remove it`);
    else set(v as never);
  };
  option(
    'stop',
    (v) =>
      v === 'graceful' || v === 'kill'
        ? null
        : `must be graceful or kill, got ${JSON.stringify(v)}`,
    (v: MigrationStopMode) => (out.stop = v),
  );
  option(
    'maxOutageSec',
    (v) =>
      typeof v === 'number' && v > 0
        ? null
        : `a number of seconds above 0, got ${JSON.stringify(v)}`,
    (v: number) => (out.maxOutageSec = v),
  );
  // version / phase: one value or a list; every value must be known.
  const oneOrList = (v: unknown, known: readonly string[], what: string): string | null => {
    const list = Array.isArray(v) ? v : [v];
    if (list.length === 0) return `at least one ${what}; known: ${known.join(', ')}`;
    const bad = list.filter((x) => typeof x !== 'string' || !known.includes(x));
    if (bad.length > 0)
      return `unknown ${what} ${bad.map((x) => JSON.stringify(x)).join(', ')}; known: ${known.join(', ')} (one, or a list)`;
    return new Set(list).size === list.length ? null : `a ${what} is listed twice`;
  };
  const asList = (v: unknown) => (Array.isArray(v) ? v : [v]) as string[];
  option(
    'version',
    (v) => oneOrList(v, BBS_VERSIONS, 'BBS version'),
    (v: unknown) => (out.versions = asList(v)),
  );
  option(
    'phase',
    (v) =>
      oneOrList(v, rule?.phases ?? [...new Set(stories.flatMap((s) => s.phases ?? []))], 'phase'),
    (v: unknown) => (out.phases = asList(v)),
  );
  if (m.workload !== undefined) {
    const w = m.workload;
    if (!isMap(w))
      problems.push(
        'migration.workload: a map with clients and/or seed, e.g. { clients: 3, seed: 1 }',
      );
    else {
      for (const k of Object.keys(w))
        if (k !== 'clients' && k !== 'seed')
          problems.push(`migration.workload.${k}: unknown field; allowed: clients, seed`);
      const c = w.clients;
      if (c !== undefined && (!Number.isInteger(c) || (c as number) < 1 || (c as number) > 32))
        problems.push(
          `migration.workload.clients: an integer from 1 to 32, got ${JSON.stringify(c)}`,
        );
      const sd = w.seed;
      if (sd !== undefined && !Number.isInteger(sd))
        problems.push(`migration.workload.seed: an integer, got ${JSON.stringify(sd)}`);
      out.workload = {
        ...(c !== undefined ? { clients: c as number } : {}),
        ...(sd !== undefined ? { seed: sd as number } : {}),
      };
    }
  }
  if (m.lock !== undefined) {
    const l = m.lock;
    if (!isMap(l))
      problems.push(
        'migration.lock: a map { ttlSec, retryMs }, e.g. { ttlSec: 10, retryMs: 5000 } for the 2016 BBS',
      );
    else {
      for (const k of Object.keys(l))
        if (k !== 'ttlSec' && k !== 'retryMs')
          problems.push(`migration.lock.${k}: unknown field; allowed: ttlSec, retryMs`);
      const ttl = l.ttlSec;
      const retry = l.retryMs;
      if (!Number.isInteger(ttl) || (ttl as number) < 1 || (ttl as number) > 86400)
        problems.push(
          `migration.lock.ttlSec: whole seconds from 1 to 86400 (the BBS used 10, then 15), got ${JSON.stringify(ttl ?? null)}`,
        );
      if (!Number.isInteger(retry) || (retry as number) < 10)
        problems.push(
          `migration.lock.retryMs: milliseconds, at least 10 (the BBS retried every 5000), got ${JSON.stringify(retry ?? null)}`,
        );
      out.lock = { ttlSec: ttl as number, retryMs: retry as number };
    }
  }
  return { scenario: out, problems };
}

/** The scenario as a run directory stores it (scenario.yaml): only the options given. Pure. */
export function migrationDoc(s: MigrationScenarioFile): Obj {
  const migration = {
    story: s.story,
    ...(s.stop ? { stop: s.stop } : {}),
    ...(s.maxOutageSec ? { maxOutageSec: s.maxOutageSec } : {}),
    ...(s.workload ? { workload: s.workload } : {}),
    ...(s.lock ? { lock: s.lock } : {}),
    ...(s.versions ? { version: s.versions } : {}),
    ...(s.phases ? { phase: s.phases } : {}),
  };
  return { name: s.name, description: s.description, question: s.question, migration };
}
