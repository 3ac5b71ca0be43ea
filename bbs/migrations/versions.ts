// The BBS's migration versions and the CurrentVersion/TargetVersion rules (FACTS.md "Migrations":
// diego-dev-notes proposals/bbs-migrations.md and the 2016 bbs migration manager). Pure:
// unit-tested.

/** The last etcd-only migration ("lastETCD"): what a legacy 0.1434.0-era etcd-only BBS knows. */
export const LAST_ETCD_VERSION = 1451635200;
/** Migration 1461790966 (db3234a7, 2016-05): etcd to SQL. */
export const ETCD_TO_SQL_VERSION = 1461790966;

export interface Version {
  CurrentVersion: number;
  TargetVersion: number;
}

/**
 * What the lock holder does with the stored version, given the newest version it knows:
 * - no record: write {own, own} and serve (a fresh install);
 * - Current < own: migrate (answer 503 meanwhile);
 * - Current == own: serve, whatever Target says;
 * - Current > own: release the lock, write nothing, shut down.
 */
export type Decision = 'init' | 'migrate' | 'serve' | 'too-new';

export function decide(stored: Version | null, own: number): Decision {
  if (stored === null) return 'init';
  if (stored.CurrentVersion < own) return 'migrate';
  if (stored.CurrentVersion === own) return 'serve';
  return 'too-new';
}

/**
 * The version etcd is given: Current capped at lastETCD+1, so etcd-only BBSes see they are not
 * current.
 */
export function etcdVersionOf(v: Version): Version {
  return {
    CurrentVersion: Math.min(v.CurrentVersion, LAST_ETCD_VERSION + 1),
    TargetVersion: v.TargetVersion,
  };
}

/** The error of the real BBS when the stored version is newer than it knows. */
export class VersionTooNewError extends Error {
  constructor(
    readonly stored: number,
    readonly own: number,
  ) {
    super(`Existing DB version (${stored}) exceeds bbs version (${own})`);
  }
}

/** The versions to run, in order, from the stored Current to the newest known one. */
export function pending(known: readonly number[], current: number): number[] {
  return [...known].filter((v) => v > current).sort((a, b) => a - b);
}
