// Galera's failure-detection settings as scenario fields (lab/providers/galera-detection.ts): the
// provider options each node starts with, the validator's lines, the report's sentence.

import test from 'ava';
import {
  describeDetection,
  detectionProblems,
  detectionProviderOptions,
  effectiveDetection,
  requestedDetection,
} from '../../lab/providers/galera-detection.ts';
import { FAST_FAILURE_DETECTION } from '../../lab/providers/registry.ts';
import { problems } from './scenario-problems.ts';

test("default passes nothing (Galera's own defaults); fast passes the three options it always did", (t) => {
  t.is(detectionProviderOptions(requestedDetection('default', {})), '');
  t.is(
    FAST_FAILURE_DETECTION,
    'evs.suspect_timeout=PT2S;evs.inactive_timeout=PT3S;evs.keepalive_period=PT0.5S',
  );
  t.is(detectionProviderOptions(requestedDetection('fast', {})), FAST_FAILURE_DETECTION);
});

test('a field overrides its base and adds only itself', (t) => {
  t.is(
    detectionProviderOptions(requestedDetection('default', { suspectTimeout: 3 })),
    'evs.suspect_timeout=PT3S',
  );
  t.is(
    detectionProviderOptions(
      requestedDetection('fast', { inactiveTimeout: 4, installTimeout: 2.25 }),
    ),
    'evs.suspect_timeout=PT2S;evs.inactive_timeout=PT4S;evs.keepalive_period=PT0.5S;evs.install_timeout=PT2.25S',
  );
  t.deepEqual(effectiveDetection(requestedDetection('default', {})), {
    suspectTimeout: 5,
    inactiveTimeout: 15,
    inactiveCheckPeriod: 0.5,
    keepalivePeriod: 1,
    installTimeout: 7.5,
  });
});

test('combinations that cannot work are refused naming the field', (t) => {
  t.deepEqual(detectionProblems(requestedDetection('fast', { suspectTimeout: 5 })), [
    'topology.galera.suspectTimeout: 5 s is longer than inactiveTimeout 3 s; a node is evicted at the inactive timeout whatever the suspicion, so keep suspectTimeout ≤ inactiveTimeout',
  ]);
  t.deepEqual(detectionProblems(requestedDetection('default', { keepalivePeriod: 5 })), [
    'topology.galera.keepalivePeriod: 5 s is not shorter than suspectTimeout 5 s; an idle healthy node would be suspected; set it shorter',
  ]);
  t.deepEqual(
    problems(`
name: t
question: q?
duration: 10s
topology: { nodes: 3, galera: { suspectTimeout: 20s } }
clients: { count: 2 }
`),
    [
      'topology.galera.suspectTimeout: 20 s is longer than inactiveTimeout 15 s; a node is evicted at the inactive timeout whatever the suspicion, so keep suspectTimeout ≤ inactiveTimeout',
    ],
  );
});

test('an external target is refused a Galera setting: the lab does not start its nodes', (t) => {
  t.true(
    problems(`
name: t
question: q?
duration: 10s
topology: { nodes: 3, proxies: 0, provider: external, target: x.yaml, galera: { suspectTimeout: 3s } }
clients: { count: 2, via: nodes }
`).includes(
      'topology.galera: the lab does not start external nodes, so it cannot set their failure detection; remove topology.galera or use provider local, docker or ssh',
    ),
  );
});

test("the report's line names every setting and marks the ones the scenario set", (t) => {
  t.is(
    describeDetection(requestedDetection('default', { suspectTimeout: 3 })),
    'evs.suspect_timeout 3 s (set), evs.inactive_timeout 15 s, evs.keepalive_period 1 s, evs.inactive_check_period 0.5 s, evs.install_timeout 7.5 s',
  );
});
