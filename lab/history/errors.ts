// The error taxonomy: which client-side errors mean "definitely not applied" (`fail`) and which
// mean "unknown" (`info`). It follows Jepsen's MySQL client (FACTS.md): only what surely did not
// happen is `fail`; anything else, and any error on COMMIT, is `info`.

import type { OpError, Outcome } from './event.ts';

export interface ErrorClass {
  outcome: Exclude<Outcome, 'ok'>;
  /**
   * A short stable name for counting: 'deadlock', 'non-primary', 'lock-wait-timeout',
   * 'connection-lost', …
   */
  kind: string;
  reason: string;
}

/** MySQL server errors that roll the transaction back before it could commit. */
const DEFINITE_SERVER_ERRORS: Record<number, [kind: string, reason: string]> = {
  1213: [
    'deadlock',
    'deadlock or Galera certification failure / brute-force abort: the transaction was rolled back',
  ],
  1205: ['lock-wait-timeout', 'lock wait timeout: the statement was rolled back'],
  1047: [
    'non-primary',
    'WSREP has not yet prepared node for application use (non-Primary or not Synced): the statement was refused',
  ],
  1020: ['record-changed', 'Record has changed since last read: rolled back'],
  1062: ['duplicate-key', 'duplicate key: the statement was refused'],
  1146: ['no-table', 'table does not exist'],
  1406: ['data-too-long', 'data too long for column'],
  1045: ['access-denied', 'access denied at connect'],
  1040: ['too-many-connections', 'too many connections at connect'],
};

/**
 * Driver / socket codes that mean the connection broke: whatever was in flight may have applied.
 */
const CONNECTION_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_PACKETS_OUT_OF_ORDER',
  'ER_CLIENT_INTERACTION_TIMEOUT',
  'ERR_STREAM_DESTROYED',
]);

/** The caller gave up waiting (its request timeout): the BBS may still apply the op. */
export const REQUEST_TIMEOUT_CODE = 'BBS_REQUEST_TIMEOUT';

/** Codes that mean no connection was ever made: nothing can have been applied. */
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export function classifyError(err: OpError): ErrorClass {
  if (err.phase === 'connect' || (err.code !== undefined && CONNECT_CODES.has(err.code))) {
    return {
      outcome: 'fail',
      kind: 'connect-failed',
      reason: `no connection was made (${err.code ?? err.errno ?? 'error'}): nothing was sent`,
    };
  }
  const server = err.errno !== undefined ? DEFINITE_SERVER_ERRORS[err.errno] : undefined;
  if (err.phase === 'commit') {
    // An error on COMMIT is ambiguous even when the server sent one: with Galera a 1213 on COMMIT
    // is a certification failure (not applied), but a lost connection during COMMIT may have
    // committed.
    if (server && err.errno === 1213) {
      return {
        outcome: 'fail',
        kind: 'deadlock-on-commit',
        reason: 'certification failure on COMMIT: the writeset was rejected',
      };
    }
    return {
      outcome: 'info',
      kind: server ? `${server[0]}-on-commit` : 'commit-unknown',
      reason: 'error during COMMIT: the transaction may or may not have committed',
    };
  }
  if (server) return { outcome: 'fail', kind: server[0], reason: server[1] };
  if (err.code === REQUEST_TIMEOUT_CODE) {
    return {
      outcome: 'info',
      kind: 'request-timeout',
      reason:
        "the caller's request timeout passed before the BBS answered: the op may still be applied",
    };
  }
  if (err.code !== undefined && CONNECTION_CODES.has(err.code)) {
    return {
      outcome: 'info',
      kind: 'connection-lost',
      reason: `connection lost (${err.code}): the op may have been applied`,
    };
  }
  return {
    outcome: 'info',
    kind: 'unknown',
    reason: `unclassified error (${err.code ?? err.errno ?? 'no code'}): treated as unknown`,
  };
}

export { toOpError } from '../../bbs/db/error.ts';
