import test from 'ava';
import type { OpError } from '../../lab/history/event.ts';
import {
  DEFAULT_STORE_OPTIONS,
  isBadConnection,
  shouldRetry,
  storeOptions,
  type DeadlockRetry,
} from '../../bbs/sql/options.ts';

const deadlockOnStatement: OpError = {
  errno: 1213,
  code: 'ER_LOCK_DEADLOCK',
  message: 'Deadlock found',
  phase: 'statement',
};
const deadlockOnCommit: OpError = { ...deadlockOnStatement, phase: 'commit' };
const lostOnCommit: OpError = {
  code: 'PROTOCOL_CONNECTION_LOST',
  message: 'Connection lost',
  phase: 'commit',
};
const timeout: OpError = {
  code: 'PROTOCOL_SEQUENCE_TIMEOUT',
  message: 'Query inactivity timeout',
  phase: 'statement',
};
const nonPrimary: OpError = {
  errno: 1047,
  message: 'WSREP has not yet prepared node',
  phase: 'statement',
};

test('each retry policy retries exactly what its BBS version retried', (t) => {
  const table: [DeadlockRetry, OpError, boolean][] = [
    ['none', deadlockOnCommit, false],
    ['commit-only-2016-04', deadlockOnCommit, true],
    ['commit-only-2016-04', deadlockOnStatement, false],
    ['commit-only-2016-04', lostOnCommit, false],
    ['all-2016-11', deadlockOnStatement, true],
    ['all-2016-11', deadlockOnCommit, true],
    ['all-2016-11', lostOnCommit, false],
    ['all-and-bad-conn-2017-06', lostOnCommit, true],
    ['all-and-bad-conn-2017-06', deadlockOnStatement, true],
    ['all-and-bad-conn-2017-06', timeout, false],
    ['all-and-bad-conn-2017-06', nonPrimary, false],
  ];
  for (const [policy, err, expected] of table)
    t.is(
      shouldRetry(policy, err),
      expected,
      `${policy} on ${err.code ?? err.errno} at ${err.phase}`,
    );
  t.true(isBadConnection(lostOnCommit));
  t.false(isBadConnection(timeout));
});

test("options default to today's BBS, no database setting, and reject nonsense", (t) => {
  t.deepEqual(storeOptions(), DEFAULT_STORE_OPTIONS);
  t.is(DEFAULT_STORE_OPTIONS.version, 'today');
  t.is(DEFAULT_STORE_OPTIONS.deadlockRetry, 'all-and-bad-conn-2017-06');
  t.is(DEFAULT_STORE_OPTIONS.transactionalReads, true);
  t.is(DEFAULT_STORE_OPTIONS.syncWait, 0);
  t.is(storeOptions({ syncWait: 1 }).syncWait, 1);
  t.throws(() => storeOptions({ deadlockAttempts: 0 }), { message: /deadlockAttempts/ });
  t.throws(() => storeOptions({ syncWait: 16 }), { message: /syncWait/ });
  t.throws(() => storeOptions({ statementTimeoutMs: 0 }), { message: /statementTimeoutMs/ });
});
