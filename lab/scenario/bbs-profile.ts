// The BBS a scenario runs: its profile (bbs.version), the behaviour after the scenario's overrides,
// and which overrides make it hypothetical. One place for the validator, the workload and the
// reports, so what is refused, what runs and what is labelled cannot drift apart.

import {
  BBS_PROFILES,
  BEHAVIOUR_FIELDS,
  hypotheticalFields,
  hypotheticalLabel,
  profileLabel,
  profileOf,
  type BbsBehaviour,
  type BbsProfile,
  type HypotheticalField,
} from '../../bbs/versions/index.ts';
import type { Scenario } from './types.ts';

export interface ScenarioBbs {
  profile: BbsProfile;
  behaviour: BbsBehaviour;
  hypothetical: HypotheticalField[];
}

export function scenarioBbs(s: Pick<Scenario, 'bbs'>): ScenarioBbs {
  const profile = profileOf(s.bbs.version);
  const behaviour: BbsBehaviour = { ...profile.behaviour };
  const set = behaviour as unknown as Record<string, unknown>;
  for (const f of BEHAVIOUR_FIELDS) {
    const v = (s.bbs as Record<string, unknown>)[f];
    if (v !== undefined) set[f] = v;
  }
  return { profile, behaviour, hypothetical: hypotheticalFields(profile, behaviour) };
}

/** What results.json and the reports say about the system under test. */
export interface BbsIdentity {
  version: string;
  commit: string;
  date: string;
  title: string;
  /** "BBS 2016-05 (db3234a7, 2016-05-03)" */
  label: string;
  hypothetical: HypotheticalField[];
  /** '' when the run is a real BBS. */
  hypotheticalLabel: string;
}

export function bbsIdentity(s: Pick<Scenario, 'bbs'>): BbsIdentity {
  const b = scenarioBbs(s);
  return {
    version: b.profile.name,
    commit: b.profile.commit,
    date: b.profile.date,
    title: b.profile.title,
    label: profileLabel(b.profile),
    hypothetical: b.hypothetical,
    hypotheticalLabel: hypotheticalLabel(b.profile, b.hypothetical),
  };
}

/**
 * Problems with the bbs block: an override no commit had without `hypothetical: true`, or the
 * reverse.
 */
export function bbsProfileProblems(s: Pick<Scenario, 'bbs'>): string[] {
  const b = scenarioBbs(s);
  if (s.bbs.hypothetical) {
    return b.hypothetical.length === 0
      ? [
          `bbs.hypothetical: true, but nothing differs from BBS ${b.profile.name}; remove it (or override a behaviour)`,
        ]
      : [];
  }
  return b.hypothetical.map((h) => {
    const having = BBS_PROFILES.filter((p) => p.behaviour[h.field] === h.value).map((p) => p.name);
    const where =
      having.length > 0
        ? `; BBS ${having.join(', ')} had it (set bbs.version)`
        : '; no BBS version had it';
    return `bbs.${h.field}: ${String(h.value)} is not what BBS ${b.profile.name} (${b.profile.commit}, ${b.profile.date}) did (it had ${String(h.profileValue)})${where}, or set bbs.hypothetical: true to run it as a labelled what-if`;
  });
}
