import test from 'ava';
import {
  DEFAULT_HEALTH_OPTIONS,
  decideHealth,
  stateComment,
} from '../../lab/routing/healthcheck/decide.ts';

// The whole table, written out: (wsrep_local_state, read_only, availableWhenDonor,
// availableWhenReadOnly) → healthy, message — as galera-healthcheck answers.
type Row = [
  state: number,
  readOnly: boolean,
  whenDonor: boolean,
  whenReadOnly: boolean,
  healthy: boolean,
  message: string,
];
const TABLE: Row[] = [
  // Synced
  [4, false, true, false, true, 'synced'],
  [4, false, false, false, true, 'synced'],
  [4, true, true, false, false, 'read-only'],
  [4, true, true, true, true, 'synced'],
  [4, true, false, true, true, 'synced'],
  // Donor/Desynced
  [2, false, true, false, true, 'synced'],
  [2, false, false, false, false, 'not synced'],
  [2, true, true, false, false, 'read-only'],
  [2, true, true, true, true, 'synced'],
  [2, true, false, true, false, 'not synced'],
  // Joining, Joined: never, whatever the options
  [1, false, true, true, false, 'joining'],
  [1, true, true, true, false, 'joining'],
  [3, false, true, true, false, 'joined'],
  [3, true, true, true, false, 'joined'],
  // Anything else (0 = Initialized, as a node outside the Primary component reports)
  [0, false, true, true, false, 'Unrecognized state: 0'],
  [5, false, true, true, false, 'Unrecognized state: 5'],
];

for (const [state, readOnly, whenDonor, whenReadOnly, healthy, message] of TABLE) {
  test(`state ${state}, read_only=${readOnly ? 'ON' : 'OFF'}, availableWhenDonor=${whenDonor}, availableWhenReadOnly=${whenReadOnly} → ${healthy ? 'healthy' : 'unhealthy'} (${message})`, (t) => {
    t.deepEqual(
      decideHealth(
        { localState: state, readOnly },
        { availableWhenDonor: whenDonor, availableWhenReadOnly: whenReadOnly },
      ),
      { healthy, message },
    );
  });
}

test('defaults are the real flags: available when donor, not when read-only', (t) => {
  t.deepEqual(DEFAULT_HEALTH_OPTIONS, { availableWhenDonor: true, availableWhenReadOnly: false });
  t.true(decideHealth({ localState: 2, readOnly: false }).healthy);
  t.false(decideHealth({ localState: 4, readOnly: true }).healthy);
});

test('state comments as /api/v1/status names them', (t) => {
  t.deepEqual([0, 1, 2, 3, 4, 9].map(stateComment), [
    'Initialized',
    'Joining',
    'Donor/Desynced',
    'Joined',
    'Synced',
    'Unrecognized state: 9',
  ]);
});
