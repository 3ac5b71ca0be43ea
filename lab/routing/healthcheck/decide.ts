// How galera-healthcheck (cf-mysql-release) decides whether a Galera node may take traffic, as a
// pure function so the decision table can be checked without a database. The rules and the messages
// are the real ones (cloudfoundry/galera-healthcheck, healthcheck/healthcheck.go; FACTS.md):
//   Synced (4) healthy; Donor/Desynced (2) healthy only when availableWhenDonor (default true);
//   Joining (1) and Joined (3) unhealthy; any other state unhealthy ("Unrecognized state");
//   and a state that would be healthy is still unhealthy when read_only=ON, unless
//   availableWhenReadOnly (default false).

export const WsrepState = {
  JOINING: 1,
  DONOR_DESYNCED: 2,
  JOINED: 3,
  SYNCED: 4,
} as const;

export interface HealthOptions {
  availableWhenDonor: boolean;
  availableWhenReadOnly: boolean;
}

/** The real flags' defaults (`-availWhenDonor=true`, `-availWhenReadOnly=false`). */
export const DEFAULT_HEALTH_OPTIONS: Readonly<HealthOptions> = Object.freeze({
  availableWhenDonor: true,
  availableWhenReadOnly: false,
});

/** What the healthcheck reads from the node. */
export interface NodeReading {
  /** wsrep_local_state. */
  localState: number;
  /**
   * wsrep_local_index as the server printed it: an unsigned 64-bit decimal (a node outside the
   * Primary component reports 18446744073709551615, more than a JS number holds exactly).
   */
  localIndex: string;
  /** @@global.read_only. */
  readOnly: boolean;
}

export interface HealthDecision {
  healthy: boolean;
  /**
   * The real healthcheck's message ("synced", "joining", "not synced", "joined", "read-only", …).
   */
  message: string;
}

export function decideHealth(
  state: Pick<NodeReading, 'localState' | 'readOnly'>,
  opts: HealthOptions = DEFAULT_HEALTH_OPTIONS,
): HealthDecision {
  const whenServing = (): HealthDecision => {
    // The real one only asks for read_only once the state alone would be healthy.
    if (!opts.availableWhenReadOnly && state.readOnly)
      return { healthy: false, message: 'read-only' };
    return { healthy: true, message: 'synced' };
  };
  switch (state.localState) {
    case WsrepState.JOINING:
      return { healthy: false, message: 'joining' };
    case WsrepState.DONOR_DESYNCED:
      return opts.availableWhenDonor ? whenServing() : { healthy: false, message: 'not synced' };
    case WsrepState.JOINED:
      return { healthy: false, message: 'joined' };
    case WsrepState.SYNCED:
      return whenServing();
    default:
      return { healthy: false, message: `Unrecognized state: ${state.localState}` };
  }
}

/** wsrep_local_state_comment for a state, as galera-healthcheck's /api/v1/status names it. */
export function stateComment(localState: number): string {
  switch (localState) {
    case 0:
      return 'Initialized';
    case WsrepState.JOINING:
      return 'Joining';
    case WsrepState.DONOR_DESYNCED:
      return 'Donor/Desynced';
    case WsrepState.JOINED:
      return 'Joined';
    case WsrepState.SYNCED:
      return 'Synced';
    default:
      return `Unrecognized state: ${localState}`;
  }
}
