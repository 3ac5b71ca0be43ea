// Scenario validation: every problem in a file is reported, one line each, naming the field and
// what is allowed (`topology.nodes: must be 1, 3 or 5, got 4`). Fields are read with the schema
// (types.ts), which fills in the defaults so the scenario stored with a run is complete; the rules
// between fields are here.

import { detectionProblems, requestedDetection } from '../providers/galera-detection.ts';
import { parse, YAMLParseError } from 'yaml';
import { linkNames, type LinkPlan } from '../nemesis/links.ts';
import {
  FAULT_KINDS,
  FAULTS,
  isLinkKind,
  misplacedParams,
  type FaultKind,
  type TargetScope,
} from '../nemesis/faults/index.ts';
import { roleOf, roleProblem } from '../nemesis/roles.ts';
import { PROVIDERS, type ProviderName } from '../providers/registry.ts';
import { SCENARIO_SCHEMA, type Scenario } from './types.ts';
import { parseDuration, read, show } from '../schema/schema.ts';
import { clientConfigProblem } from '../client/configs/index.ts';
import { bbsProfileProblems } from './bbs-profile.ts';
import { checkMigrationDoc, type MigrationScenarioFile, type StoryRule } from './migration.ts';

export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

export { CLIENT_CONFIGS, DEFAULT_BACKOFF_MS } from './types.ts';
export { parseDuration, show };

/** Cross-field rules the per-field checks cannot see. */
function crossCheck(s: Scenario, problems: string[]): void {
  const nodeNames = Array.from({ length: s.topology.nodes }, (_, i) => `n${i + 1}`);
  const proxyNames = Array.from({ length: s.topology.proxies }, (_, i) => `proxy${i + 1}`);
  const scope: TargetScope = { nodes: nodeNames, proxies: proxyNames, links: scenarioLinks(s) };
  s.nemesis.schedule.forEach((f, i) => {
    const p = `nemesis.schedule[${i}]`;
    const def = FAULTS[f.kind];
    if (f.at + f.duration > s.duration)
      problems.push(
        `${p}: ends at ${f.at + f.duration} s, after the run's duration of ${s.duration} s; shorten it or start it earlier`,
      );
    const t = f.target;
    if (def.link && s.topology.links === 'direct')
      problems.push(
        `${p}.kind: ${f.kind} needs the links routed through Toxiproxy; set topology.links to auto or toxiproxy`,
      );
    problems.push(...misplacedParams(f, p));
    const missing = abilityProblem(f.kind, s.topology.provider, scope);
    if (missing) problems.push(`${p}.kind: ${missing}`);
    if (t === 'random') return;
    const role = def.roleTargets ? roleOf(def, t) : null;
    if (role) {
      const problem = roleProblem(role, proxyNames);
      if (problem) problems.push(`${p}.target: ${problem}`);
    } else {
      const problem = def.targetProblem(t, scope);
      if (problem) problems.push(`${p}.target: ${problem}`);
    }
    const kindProblem = def.kindProblem?.(scope);
    if (kindProblem) problems.push(`${p}.kind: ${kindProblem}`);
  });
  const randomKinds = s.nemesis.random?.kinds ?? [];
  for (const k of new Set(randomKinds)) {
    const missing = abilityProblem(k, s.topology.provider, scope);
    if (missing) problems.push(`nemesis.random.kinds: ${missing}`);
    const kindProblem = FAULTS[k].kindProblem?.(scope);
    if (kindProblem) problems.push(`nemesis.random.kinds: ${kindProblem}`);
  }
  if (s.topology.provider === 'external') {
    if (!s.topology.target)
      problems.push(
        'topology.target: required with provider: external (a target YAML file, see docs/external-targets.md)',
      );
    if (s.topology.proxies > 0 || s.clients.via !== 'nodes')
      problems.push(
        'topology.provider: external targets are reached directly; set topology.proxies: 0 and clients.via: nodes',
      );
  } else if (s.topology.provider === 'ssh') {
    if (!s.topology.target)
      problems.push(
        'topology.target: required with provider: ssh (an SSH target YAML file, see docs/ssh-targets.md)',
      );
  } else if (s.topology.target) {
    problems.push('topology.target: only used with provider: external or ssh');
  }
  problems.push(
    ...detectionProblems(requestedDetection(s.topology.failureDetection, s.topology.galera ?? {})),
  );
  if (s.topology.provider === 'external' && Object.keys(s.topology.galera ?? {}).length > 0)
    problems.push(
      'topology.galera: the lab does not start external nodes, so it cannot set their failure detection; remove topology.galera or use provider local, docker or ssh',
    );
  if (s.topology.engine !== undefined && s.topology.provider !== 'docker')
    problems.push(
      'topology.engine: only used with provider: docker; remove it or set topology.provider: docker',
    );
  partitionShapes(s, problems);
  if (s.topology.links === 'direct' && randomKinds.some(isLinkKind))
    problems.push('nemesis.random.kinds: link faults need topology.links of auto or toxiproxy');
  problems.push(...bbsProfileProblems(s));
  const configProblem = clientConfigProblem(s);
  if (configProblem) problems.push(configProblem);
  if (s.clients.via === 'proxies' && s.topology.proxies === 0) {
    problems.push(
      'clients.via: "proxies" needs topology.proxies of at least 1; set topology.proxies or use via: nodes',
    );
  }
  const w = s.workload;
  if (w.kind !== 'bbs') return;
  const families: [keyof Scenario['workload']['mix'], number][] = [
    ['tasks', w.tasks],
    ['desiredLRPs', w.desiredLRPs],
    ['actualLRPs', w.desiredLRPs],
  ];
  for (const [fam, keys] of families) {
    if (w.mix[fam] > 0 && keys === 0)
      problems.push(
        `workload.mix.${fam}: weight ${w.mix[fam]} but the key space for it is 0; set it to 0 or add keys`,
      );
  }
  if (Object.values(w.mix).every((x) => x === 0))
    problems.push('workload.mix: every weight is 0; give at least one family a weight');
}

/** Why the chosen provider cannot run a fault of this kind (it lacks the ability the kind needs), or null. */
function abilityProblem(
  kind: FaultKind,
  provider: ProviderName,
  scope: TargetScope,
): string | null {
  const ability = FAULTS[kind].ability;
  if (!ability || PROVIDERS[provider].abilities.includes(ability)) return null;
  const have = (Object.keys(PROVIDERS) as ProviderName[]).filter((p) =>
    PROVIDERS[p].abilities.includes(ability),
  );
  const usable = FAULT_KINDS.filter((k) => {
    const a = FAULTS[k].ability;
    return (!a || PROVIDERS[provider].abilities.includes(a)) && !FAULTS[k].kindProblem?.(scope);
  });
  return `${kind} needs the ${ability} ability, which provider ${provider} does not have; use a fault it can cause (${usable.join(', ')}) or topology.provider: ${have.length > 1 ? `${have.slice(0, -1).join(', ')} or ${have.at(-1)}` : have.join('')}`;
}

/** Partition shapes a provider cannot make (Docker disconnects one node only), refused before the run: for every kind that needs the partition ability. */
function partitionShapes(s: Scenario, problems: string[]): void {
  const shapes = PROVIDERS[s.topology.provider].partitionShapes;
  if (!shapes) return;
  const provider = s.topology.provider;
  const fix = `use isolate:<${Array.from({ length: s.topology.nodes }, (_, i) => `n${i + 1}`).join('|')}>${s.topology.nodes === 3 ? ', minority or halves' : ''}`;
  s.nemesis.schedule.forEach((f, i) => {
    if (FAULTS[f.kind].ability !== 'partition') return;
    const problem = shapes.problem(f.target, s.topology.nodes);
    if (problem)
      problems.push(
        `nemesis.schedule[${i}].target: provider ${provider} ${shapes.how}; ${JSON.stringify(f.target)}: ${problem}; ${fix}`,
      );
  });
  const random = shapes.problem('random', s.topology.nodes);
  const cutting = [...new Set(s.nemesis.random?.kinds ?? [])].filter(
    (k) => FAULTS[k].ability === 'partition',
  );
  if (cutting.length > 0 && random) {
    problems.push(
      `nemesis.random.kinds: provider ${provider} ${shapes.how}; ${random}; leave ${cutting.join(' and ')} out of the random kinds, or use 3 nodes`,
    );
  }
}

export function validateScenario(input: unknown, file = 'scenario'): Scenario {
  const problems: string[] = [];
  const s: Scenario = read(SCENARIO_SCHEMA, input, '', problems);
  if (problems.length === 0) crossCheck(s, problems);
  if (problems.length > 0) throw new ScenarioError(file, problems);
  return s;
}

/** A scenario file's YAML document; not YAML is a ScenarioError naming the line. */
export function loadScenarioYaml(text: string, file = 'scenario'): unknown {
  try {
    return parse(text);
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` at line ${e.linePos[0].line}` : '';
    throw new ScenarioError(file, [
      `not valid YAML${where}: ${(e as Error).message.split('\n')[0]}`,
    ]);
  }
}

export function parseScenario(text: string, file = 'scenario'): Scenario {
  return validateScenario(loadScenarioYaml(text, file), file);
}

/** A document with a `migration:` block: its rules are in migration.ts, the stories the registry's (lab/migration/stories). */
export function validateMigrationScenario(
  doc: Record<string, unknown>,
  file: string,
  stories: readonly StoryRule[],
): MigrationScenarioFile {
  const { scenario, problems } = checkMigrationDoc(doc, stories);
  if (problems.length > 0) throw new ScenarioError(file, problems);
  return scenario;
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
  return (
    s.nemesis.schedule.some((f) => isLinkKind(f.kind)) ||
    (s.nemesis.random?.kinds ?? []).some(isLinkKind)
  );
}
