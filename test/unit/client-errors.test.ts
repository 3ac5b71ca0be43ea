// The error taxonomy: what surely did not happen is `fail`, everything else `info`, with a stable
// kind for counting and a reason. Errors on COMMIT are unknown, except Galera's certification
// failure (1213 on COMMIT), which rejected the writeset.

import test from 'ava';
import { classifyError } from '../../lab/history/errors.ts';
import { errorLabel } from '../../lab/report/stats.ts';

const cases: [string, Parameters<typeof classifyError>[0], 'fail' | 'info', string][] = [
  [
    '1213 in a statement: lock deadlock or brute-force abort, rolled back',
    { errno: 1213, message: 'Deadlock found', phase: 'statement' },
    'fail',
    'deadlock',
  ],
  [
    '1213 on COMMIT: certification failure',
    { errno: 1213, message: 'Deadlock found', phase: 'commit' },
    'fail',
    'deadlock-on-commit',
  ],
  [
    '1205 lock wait timeout',
    { errno: 1205, message: 'Lock wait timeout exceeded', phase: 'statement' },
    'fail',
    'lock-wait-timeout',
  ],
  [
    '1047 non-Primary',
    {
      errno: 1047,
      message: 'WSREP has not yet prepared node for application use',
      phase: 'statement',
    },
    'fail',
    'non-primary',
  ],
  [
    '1047 on COMMIT is still unknown',
    { errno: 1047, message: 'WSREP has not yet prepared node', phase: 'commit' },
    'info',
    'non-primary-on-commit',
  ],
  [
    'lost connection mid-transaction',
    { code: 'PROTOCOL_CONNECTION_LOST', message: 'Connection lost', phase: 'statement' },
    'info',
    'connection-lost',
  ],
  [
    '2013-style reset',
    { code: 'ECONNRESET', message: 'read ECONNRESET', phase: 'statement' },
    'info',
    'connection-lost',
  ],
  [
    'client timeout',
    { code: 'PROTOCOL_SEQUENCE_TIMEOUT', message: 'Query inactivity timeout', phase: 'statement' },
    'info',
    'connection-lost',
  ],
  [
    "the caller's request timeout",
    { code: 'BBS_REQUEST_TIMEOUT', message: 'no answer', phase: 'statement' },
    'info',
    'request-timeout',
  ],
  [
    'lost connection during COMMIT',
    { code: 'PROTOCOL_CONNECTION_LOST', message: 'Connection lost', phase: 'commit' },
    'info',
    'commit-unknown',
  ],
  [
    'refused at connect: nothing sent',
    { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED', phase: 'connect' },
    'fail',
    'connect-failed',
  ],
  [
    'any error while connecting',
    { code: 'ETIMEDOUT', message: 'connect ETIMEDOUT', phase: 'connect' },
    'fail',
    'connect-failed',
  ],
  [
    'an unknown error is unknown, never fail',
    { code: 'SOMETHING_NEW', message: '?', phase: 'statement' },
    'info',
    'unknown',
  ],
];

for (const [name, err, outcome, kind] of cases) {
  test(name, (t) => {
    const c = classifyError(err);
    t.is(c.outcome, outcome);
    t.is(c.kind, kind);
    t.true(c.reason.length > 10, 'a reason is given');
  });
}

test('labels name the MySQL code when there is one', (t) => {
  t.is(errorLabel({ errno: 1213, message: 'x', phase: 'commit' }), '1213 deadlock-on-commit');
  t.is(errorLabel({ code: 'ECONNRESET', message: 'x', phase: 'statement' }), 'connection-lost');
});
