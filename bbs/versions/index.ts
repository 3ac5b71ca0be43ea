// The registry of BBS profiles (one file each in this folder): a scenario's `bbs.version` names
// one, and every behaviour of the store, its retry loop and its migrations follows from it.

import { bbs2016_03 } from './2016-03.ts';
import { bbs2016_05 } from './2016-05.ts';
import { bbs2016_11 } from './2016-11.ts';
import { bbs2017_05 } from './2017-05.ts';
import { bbs2017_06 } from './2017-06.ts';
import { bbs2017_09 } from './2017-09.ts';
import { bbsToday } from './today.ts';
import type { BbsBehaviour, BbsProfile, BehaviourField } from './types.ts';

export * from './types.ts';

export const BBS_PROFILES = [
  bbs2016_03,
  bbs2016_05,
  bbs2016_11,
  bbs2017_05,
  bbs2017_06,
  bbs2017_09,
  bbsToday,
] as const satisfies readonly BbsProfile[];
export type BbsVersion = (typeof BBS_PROFILES)[number]['name'];
export const BBS_VERSIONS = BBS_PROFILES.map((p) => p.name) as BbsVersion[];
export const DEFAULT_BBS_VERSION: BbsVersion = 'today';

export function profileOf(name: BbsVersion | string): BbsProfile {
  const p = BBS_PROFILES.find((x) => x.name === name);
  if (!p)
    throw new Error(
      `unknown BBS version ${JSON.stringify(name)}; known: ${BBS_VERSIONS.join(', ')}`,
    );
  return p;
}

export const BEHAVIOUR_FIELDS = Object.keys(bbsToday.behaviour) as BehaviourField[];

export interface HypotheticalField {
  field: BehaviourField;
  value: unknown;
  /** What the profile's commit had. */
  profileValue: unknown;
}

/** The behaviours that differ from the profile's: what makes a configuration hypothetical. */
export function hypotheticalFields(
  profile: BbsProfile,
  behaviour: BbsBehaviour,
): HypotheticalField[] {
  return BEHAVIOUR_FIELDS.filter((f) => behaviour[f] !== profile.behaviour[f]).map((f) => ({
    field: f,
    value: behaviour[f],
    profileValue: profile.behaviour[f],
  }));
}

/** "BBS 2016-05 (db3234a7, 2016-05-03)": how reports name the system under test. */
export function profileLabel(profile: BbsProfile): string {
  return `BBS ${profile.name} (${profile.commit}, ${profile.date})`;
}

/** "hypothetical: deadlockRetry=all-2016-11 (2016-05 had commit-only-2016-04)", or '' when none. */
export function hypotheticalLabel(
  profile: BbsProfile,
  fields: readonly HypotheticalField[],
): string {
  if (fields.length === 0) return '';
  return `hypothetical (no BBS commit had it): ${fields.map((h) => `${h.field}=${String(h.value)} (${profile.name} had ${String(h.profileValue)})`).join(', ')}`;
}
