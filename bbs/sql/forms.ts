// How a BBS commit worded the statements of the task, desired LRP and domain ops where the wording
// carries no behaviour of its own (same rows read, same locks taken): the conformance tests
// (test/integration/conformance/) compare the store's statements with the real code's word for
// statement by statement, so the store writes them the way the profile's commit did. A profile's
// behaviours (locks, transactions, errors) are in bbs/versions/; these forms follow the profile's
// name only, so a hypothetical override never changes them.

import type { BbsVersion } from '../versions/index.ts';

/**
 * - 'hand-written-2016': the statements of db/sqldb/task_db.go and desired_lrp_db.go as written out
 *   by hand until 47049111: `SELECT … WHERE guid = ? [lock]` with no LIMIT, and the desired LRP
 *   lock probe `SELECT COUNT(*) … [lock]`, which always returns one row (a count of 0 is "not
 *   found").
 * - 'helpers-2016-11': the query helpers of 47049111 (db/sqldb/queries.go `one`, later
 *   db/sqldb/helpers/one.go): `SELECT … WHERE guid = ? LIMIT 1 [FOR UPDATE]`, and the probe
 *   `SELECT 1 … LIMIT 1 FOR UPDATE`, which returns no row for a missing LRP.
 */
export type StatementForms = 'hand-written-2016' | 'helpers-2016-11';

const FORMS: Record<BbsVersion, StatementForms> = {
  '2016-03': 'hand-written-2016',
  '2016-05': 'hand-written-2016',
  '2016-11': 'helpers-2016-11',
  '2017-05': 'helpers-2016-11',
  '2017-06': 'helpers-2016-11',
  '2017-09': 'helpers-2016-11',
  today: 'helpers-2016-11',
};

export function formsOf(version: BbsVersion): StatementForms {
  const f = FORMS[version];
  if (!f)
    throw new Error(
      `no statement forms for BBS version ${JSON.stringify(version)}: add it to bbs/sql/forms.ts`,
    );
  return f;
}

/** ` LIMIT 1` where the commit's one-row reads had it, '' where they did not. */
export function limitOne(version: BbsVersion): string {
  return formsOf(version) === 'helpers-2016-11' ? ' LIMIT 1' : '';
}
