// Scenario validation: every problem in a file is reported, one line each, naming the field and
// what is allowed (`topology.nodes: must be 1, 3 or 5, got 4`). Missing optional fields get the
// defaults below, so the scenario stored with a run is complete.

import { parse, YAMLParseError } from 'yaml';
import { isLinkKind, LINK_KINDS, linkNames, type LinkPlan } from '../nemesis/links.ts';
import { disconnectProblem } from '../nemesis/disconnect.ts';
import { roleOf, roleProblem } from '../nemesis/roles.ts';
import type { Scenario } from './types.ts';

export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.length} problem(s):\n` + problems.map((p) => `  ${p}`).join('\n'));
  }
}

type Obj = Record<string, unknown>;

interface Field<T> {
  /** Checks a present value; returns the problem (without the path) or null. */
  check(v: unknown): string | null;
  convert?(v: unknown): T;
  default?: T;
  required?: boolean;
}

/** A value as a problem line quotes it: strings in quotes, lists and mappings by kind. */
export const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v === 'object' ? 'a mapping' : String(v));

const str = (opts: { required?: boolean; default?: string } = {}): Field<string> => ({
  check: (v) => (typeof v === 'string' && v.trim() !== '' ? null : `must be a non-empty string, got ${show(v)}`),
  ...opts,
});

const oneOf = <T extends string | number>(allowed: readonly T[], def?: T): Field<T> => ({
  check: (v) =>
    (allowed as readonly unknown[]).includes(v)
      ? null
      : `must be ${allowed.slice(0, -1).map(String).join(', ')}${allowed.length > 1 ? ' or ' : ''}${String(allowed[allowed.length - 1])}, got ${show(v)}`,
  ...(def !== undefined ? { default: def } : { required: true }),
});

const int = (min: number, max: number, def?: number): Field<number> => ({
  check: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? null : `must be an integer from ${min} to ${max}, got ${show(v)}`),
  ...(def !== undefined ? { default: def } : { required: true }),
});

const num = (min: number, max: number, def: number): Field<number> => ({
  check: (v) => (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? null : `must be a number from ${min} to ${max}, got ${show(v)}`),
  default: def,
});

const bool = (def: boolean): Field<boolean> => ({
  check: (v) => (typeof v === 'boolean' ? null : `must be true or false, got ${show(v)}`),
  default: def,
});

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

const duration = (maxSecs: number): Field<number> => ({
  check: (v) => {
    const s = parseDuration(v);
    if (s === null) return `must be a duration such as 30, "30s" or "2m", got ${show(v)}`;
    return s > maxSecs ? `must be at most ${maxSecs} s, got ${s} s` : null;
  },
  convert: (v) => parseDuration(v)!,
  required: true,
});

export const CLIENT_CONFIGS = ['spread', 'single-proxy', 'proxies-by-hostname', 'multi-ip', 'consul-dns', 'leader-proxy'] as const;
const FAULT_KINDS = ['partition', 'kill', 'pause', 'health-flap', 'proxy-kill', ...LINK_KINDS] as const;
const optionalInt = (min: number, max: number): Field<number> => ({ ...int(min, max), required: false });

/** A list whose items are each walked with `item`; problems name the item's index. */
function listOf(item: Spec, def: unknown[] = []): Field<unknown[]> & { item: Spec } {
  return { check: (v) => (Array.isArray(v) ? null : `must be a list, got ${show(v)}`), default: def, item };
}

const durationOrZero = (max: number): Field<number> => ({
  check: (v) => {
    if (v === 0) return null;
    const s = parseDuration(v);
    if (s === null) return `must be a duration such as 10, "10s" or "1m", got ${show(v)}`;
    return s > max ? `must be at most ${max} s, got ${s} s` : null;
  },
  convert: (v) => (v === 0 ? 0 : parseDuration(v)!),
  required: true,
});

/** The real BBS's pause before it tries a transaction again (see Scenario.clients.backoffMs). */
export const DEFAULT_BACKOFF_MS = 500;

const ROLES_HINT = 'active-of:<proxy>, most-written, a-non-active';

type Spec = { [k: string]: Field<unknown> | Spec };
const isField = (x: Field<unknown> | Spec): x is Field<unknown> => typeof (x as Field<unknown>).check === 'function';

const SPEC: Spec = {
  name: str({ required: true }),
  description: str({ default: '' }),
  question: str({ required: true }),
  seed: { check: (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? null : `must be a non-negative integer, got ${show(v)}`) },
  duration: duration(24 * 3600),
  topology: {
    nodes: oneOf([1, 3, 5] as const),
    proxies: int(0, 8, 1),
    proxyRule: oneOf(['lowest-index', 'sticky-random'] as const, 'lowest-index'),
    failureDetection: oneOf(['default', 'fast'] as const, 'default'),
    links: oneOf(['auto', 'direct', 'toxiproxy'] as const, 'auto'),
    provider: oneOf(['local', 'external', 'docker', 'ssh'] as const, 'local'),
    target: str(),
    engine: { ...oneOf(['auto', 'real', 'lab'] as const), required: false },
  },
  clients: {
    count: int(1, 256),
    via: oneOf(['proxies', 'nodes'] as const, 'proxies'),
    config: oneOf(CLIENT_CONFIGS, 'spread'),
    selector: oneOf(['ORDER', 'RR', 'RANDOM'] as const, 'ORDER'),
    poolSize: int(1, 64, 2),
    timeoutMs: int(100, 600_000, 10_000),
    backoffMs: int(0, 60_000, DEFAULT_BACKOFF_MS),
  },
  workload: {
    kind: oneOf(['bbs', 'list-append'] as const, 'bbs'),
    keys: int(1, 10_000, 8),
    txnLength: int(1, 20, 4),
    isolation: oneOf(['read-committed', 'repeatable-read', 'serializable'] as const, 'repeatable-read'),
    tasks: int(0, 10_000, 4),
    desiredLRPs: int(0, 10_000, 2),
    instances: int(1, 100, 2),
    cells: int(1, 100, 3),
    mix: {
      tasks: num(0, 1000, 5),
      desiredLRPs: num(0, 1000, 2),
      actualLRPs: num(0, 1000, 3),
      domains: num(0, 1000, 1),
    },
  },
  nemesis: {
    schedule: listOf({
      kind: oneOf(FAULT_KINDS),
      target: str({ required: true }),
      at: durationOrZero(24 * 3600),
      duration: duration(24 * 3600),
      latencyMs: optionalInt(0, 60_000),
      jitterMs: optionalInt(0, 60_000),
      rateKBps: optionalInt(1, 1_000_000),
    }),
    random: {
      kinds: { check: (v) => (Array.isArray(v) && v.every((k) => (FAULT_KINDS as readonly unknown[]).includes(k)) ? null : `must be a list of ${FAULT_KINDS.join(', ')}, got ${show(v)}`), default: [] },
      interval: { ...duration(3600), required: false, default: 15 },
      duration: { ...duration(3600), required: false, default: 8 },
      roles: bool(false),
    },
  },
  bbs: {
    deadlockRetry: oneOf(['none', 'commit-only-2016-04', 'all-2016-11', 'all-and-bad-conn-2017-06'] as const, 'none'),
    syncWait: int(0, 15, 0),
    transactionalReads: bool(false),
    unsafeNoRowLocks: bool(false),
    actualLRPLock: oneOf(['for-update', 'share'] as const, 'for-update'),
  },
};

function walk(spec: Spec, input: unknown, path: string, problems: string[]): Obj {
  const out: Obj = {};
  const obj: Obj = input === undefined || input === null ? {} : (input as Obj);
  if (input !== undefined && input !== null && (typeof input !== 'object' || Array.isArray(input))) {
    problems.push(`${path || '(top level)'}: must be a mapping, got ${show(input)}`);
    return out;
  }
  for (const key of Object.keys(obj)) {
    if (!(key in spec)) problems.push(`${path ? path + '.' : ''}${key}: unknown field; allowed here: ${Object.keys(spec).join(', ')}`);
  }
  for (const [key, sub] of Object.entries(spec)) {
    const p = path ? `${path}.${key}` : key;
    const v = obj[key];
    if (!isField(sub)) {
      out[key] = walk(sub, v, p, problems);
      continue;
    }
    if (v === undefined || v === null) {
      if (sub.required) problems.push(`${p}: required`);
      else if (sub.default !== undefined) out[key] = sub.default;
      continue;
    }
    const problem = sub.check(v);
    if (problem) problems.push(`${p}: ${problem}`);
    else if ('item' in sub) out[key] = (v as unknown[]).map((x, i) => walk((sub as { item: Spec }).item, x, `${p}[${i}]`, problems));
    else out[key] = sub.convert ? sub.convert(v) : v;
  }
  return out;
}

/** Cross-field rules the per-field checks cannot see. */
function crossCheck(s: Scenario, problems: string[]): void {
  const nodeNames = Array.from({ length: s.topology.nodes }, (_, i) => `n${i + 1}`);
  const proxyNames = Array.from({ length: s.topology.proxies }, (_, i) => `proxy${i + 1}`);
  s.nemesis.schedule.forEach((f, i) => {
    const p = `nemesis.schedule[${i}]`;
    if (f.at + f.duration > s.duration) problems.push(`${p}: ends at ${f.at + f.duration} s, after the run's duration of ${s.duration} s; shorten it or start it earlier`);
    const t = f.target;
    if (isLinkKind(f.kind) && s.topology.links === 'direct') problems.push(`${p}.kind: ${f.kind} needs the links routed through Toxiproxy; set topology.links to auto or toxiproxy`);
    if ((f.latencyMs !== undefined || f.jitterMs !== undefined) && f.kind !== 'link-latency') problems.push(`${p}: latencyMs and jitterMs apply only to link-latency`);
    if (f.rateKBps !== undefined && f.kind !== 'link-bandwidth') problems.push(`${p}.rateKBps: applies only to link-bandwidth`);
    if (t === 'random') return;
    const role = f.kind === 'proxy-kill' || isLinkKind(f.kind) ? null : roleOf(f.kind, t);
    if (role) {
      const problem = roleProblem(role, proxyNames);
      if (problem) problems.push(`${p}.target: ${problem}`);
      if (f.kind === 'partition' && s.topology.nodes === 1) problems.push(`${p}.kind: a partition needs at least 3 nodes`);
      if (f.kind === 'health-flap' && s.topology.proxies === 0) problems.push(`${p}.kind: health-flap needs topology.proxies ≥ 1 (healthchecks run for proxies)`);
      return;
    }
    if (isLinkKind(f.kind)) {
      const links = scenarioLinks(s);
      const all = [...links.client, ...links.backend];
      const special = ['random-client', ...(links.backend.length > 0 ? ['random-backend'] : [])];
      if (!all.includes(t) && !special.includes(t)) problems.push(`${p}.target: for a link fault must be a link (${all.join(', ')}), random or ${special.join(', ')}, got ${JSON.stringify(t)}`);
    } else if (f.kind === 'partition') {
      const ok = t === 'minority' || t === 'halves' || (t === 'bridge' && s.topology.nodes === 5) || (t.startsWith('isolate:') && nodeNames.includes(t.slice(8)));
      if (!ok) problems.push(`${p}.target: for a partition must be isolate:<${nodeNames.join('|')}>, isolate:<role> (${ROLES_HINT}), minority, halves${s.topology.nodes === 5 ? ', bridge' : ''} or random, got ${JSON.stringify(t)}`);
      if (s.topology.nodes === 1) problems.push(`${p}.kind: a partition needs at least 3 nodes`);
    } else if (f.kind === 'proxy-kill') {
      if (!proxyNames.includes(t)) problems.push(`${p}.target: must be ${[...proxyNames, 'random'].join(', ')}, got ${JSON.stringify(t)}`);
    } else if (!nodeNames.includes(t)) {
      problems.push(`${p}.target: must be ${[...nodeNames, 'random'].join(', ')} or a role (${ROLES_HINT}), got ${JSON.stringify(t)}`);
    }
    if (f.kind === 'health-flap' && s.topology.proxies === 0) problems.push(`${p}.kind: health-flap needs topology.proxies ≥ 1 (healthchecks run for proxies)`);
  });
  if (s.topology.provider === 'external') {
    if (!s.topology.target) problems.push('topology.target: required with provider: external (a target YAML file, see docs/external-targets.md)');
    if (s.topology.proxies > 0 || s.clients.via !== 'nodes') problems.push('topology.provider: external targets are reached directly; set topology.proxies: 0 and clients.via: nodes');
    const kinds = [...s.nemesis.schedule.map((f) => f.kind), ...(s.nemesis.random?.kinds ?? [])];
    const bad = [...new Set(kinds.filter((k) => !isLinkKind(k)))];
    if (bad.length > 0) problems.push(`nemesis: an external target allows only link faults (link-*), got ${bad.join(', ')}`);
  } else if (s.topology.provider === 'ssh') {
    if (!s.topology.target) problems.push('topology.target: required with provider: ssh (an SSH target YAML file, see docs/ssh-targets.md)');
  } else if (s.topology.target) {
    problems.push('topology.target: only used with provider: external or ssh');
  }
  if (s.topology.engine !== undefined && s.topology.provider !== 'docker') problems.push('topology.engine: only used with provider: docker; remove it or set topology.provider: docker');
  if (s.topology.provider === 'docker') dockerPartitions(s, problems);
  const randomKinds = s.nemesis.random?.kinds ?? [];
  if (s.topology.links === 'direct' && randomKinds.some(isLinkKind)) problems.push('nemesis.random.kinds: link faults need topology.links of auto or toxiproxy');
  if ((s.clients.config === 'consul-dns' || s.clients.config === 'leader-proxy') && (s.clients.via !== 'proxies' || s.topology.proxies === 0)) {
    problems.push(`clients.config: ${s.clients.config} registers the switchboard proxies in Consul; it needs via: proxies and topology.proxies of at least 1`);
  }
  if (s.clients.via === 'proxies' && s.topology.proxies === 0) {
    problems.push('clients.via: "proxies" needs topology.proxies of at least 1; set topology.proxies or use via: nodes');
  }
  const w = s.workload;
  if (w.kind !== 'bbs') return;
  const families: [keyof Scenario['workload']['mix'], number][] = [
    ['tasks', w.tasks],
    ['desiredLRPs', w.desiredLRPs],
    ['actualLRPs', w.desiredLRPs],
  ];
  for (const [fam, keys] of families) {
    if (w.mix[fam] > 0 && keys === 0) problems.push(`workload.mix.${fam}: weight ${w.mix[fam]} but the key space for it is 0; set it to 0 or add keys`);
  }
  if (Object.values(w.mix).every((x) => x === 0)) problems.push('workload.mix: every weight is 0; give at least one family a weight');
}

/** The Docker provider partitions by network disconnect: only shapes with one node alone. */
function dockerPartitions(s: Scenario, problems: string[]): void {
  const fix = `use isolate:<${Array.from({ length: s.topology.nodes }, (_, i) => `n${i + 1}`).join('|')}>${s.topology.nodes === 3 ? ', minority or halves' : ''}`;
  s.nemesis.schedule.forEach((f, i) => {
    if (f.kind !== 'partition') return;
    const problem = disconnectProblem(f.target, s.topology.nodes);
    if (problem) problems.push(`nemesis.schedule[${i}].target: provider docker partitions by network disconnect; ${JSON.stringify(f.target)}: ${problem}; ${fix}`);
  });
  if ((s.nemesis.random?.kinds ?? []).includes('partition') && disconnectProblem('random', s.topology.nodes)) {
    problems.push(`nemesis.random.kinds: provider docker partitions by network disconnect; ${disconnectProblem('random', s.topology.nodes)}; leave partition out of the random kinds, or use 3 nodes`);
  }
}

export function validateScenario(input: unknown, file = 'scenario'): Scenario {
  const problems: string[] = [];
  const s = walk(SPEC, input, '', problems) as unknown as Scenario;
  if (problems.length === 0) crossCheck(s, problems);
  if (problems.length > 0) throw new ScenarioError(file, problems);
  return s;
}

export function parseScenario(text: string, file = 'scenario'): Scenario {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` at line ${e.linePos[0].line}` : '';
    throw new ScenarioError(file, [`not valid YAML${where}: ${(e as Error).message.split('\n')[0]}`]);
  }
  return validateScenario(doc, file);
}

/** The Toxiproxy links a scenario's topology has (whether or not it routes through them). */
export function scenarioLinks(s: Scenario): LinkPlan {
  const nodes = Array.from({ length: s.topology.nodes }, (_, i) => `n${i + 1}`);
  const proxies = Array.from({ length: s.topology.proxies }, (_, i) => `proxy${i + 1}`);
  return linkNames(s.clients.via === 'nodes' ? nodes : proxies, proxies, nodes);
}

/** Whether the run routes its links through Toxiproxy: 'auto' does when any fault is a link fault. */
export function usesToxiproxy(s: Scenario): boolean {
  if (s.topology.links !== 'auto') return s.topology.links === 'toxiproxy';
  return s.nemesis.schedule.some((f) => isLinkKind(f.kind)) || (s.nemesis.random?.kinds ?? []).some(isLinkKind);
}
