// A scenario's nemesis block: a fixed timeline of faults and a seeded random schedule. The kinds,
// their targets and what each does are in lab/nemesis/faults/ (one file per kind).

import type { FaultKind, FaultParamName, FaultParams } from './faults/index.ts';

export type { FaultKind };

/**
 * One fault. Targets by kind: a partition takes 'isolate:n3' (one node alone), 'minority' (the
 * highest-ordinal minority apart from the rest), 'bridge' (two halves that only the middle node
 * sees: 5 nodes), 'halves' (a random split, seeded); node faults name a node ('n2') or a role;
 * proxy-kill names a proxy ('proxy1'); link faults name a link ('client-proxy1', 'proxy1-n2') or
 * 'random-client' / 'random-backend'. Any target may be 'random'. Its kind's parameters
 * (faults/<kind>.ts `params`) sit beside kind and target.
 */
export type FaultSpec = FaultParams<FaultKind, FaultParamName>;

export interface NemesisSpec {
  /** A fixed timeline. */
  schedule: FaultSpec[];
  /** A seeded random schedule, added to the timeline. */
  random: null | {
    kinds: FaultKind[];
    /** Mean seconds between the end of one fault and the start of the next. */
    interval: number;
    /** Mean seconds a fault lasts. */
    duration: number;
    /**
     * Node faults and partitions may also draw role targets (active-of:<proxy>, most-written,
     * a-non-active; lab/nemesis/roles.ts), resolved when the fault starts. Off by default, so the
     * plans of existing seeds stay as they were.
     */
    roles?: boolean;
  };
}
