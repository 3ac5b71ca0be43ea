// What galera-healthcheck answers over HTTP, as pure functions of what it read from the node:
//   GET /              200 or 503, text "Galera Cluster Node Status: <message>"
//                      (the form HAProxy and the 2016 switchboard read: only the status code
//                      counts)
//   GET /api/v1/status 200 with JSON {wsrep_local_state, wsrep_local_state_comment,
//                      wsrep_local_index, healthy} whenever the node could be read, healthy or not;
//                      500 with the error text when it could not (the form switchboard reads from
//                      Sep 2016 on: healthy and wsrep_local_index from the JSON, any non-200
//                      unhealthy)
// A lab override (a nemesis making the healthcheck lie) replaces the decision, never the shape; the
// JSON then carries an extra "lab_override" field, which no real client reads.

import { type HealthDecision, type NodeReading, stateComment } from './decide.ts';

export type OverrideState = 'healthy' | 'unhealthy';

export type Evaluation =
  | { ok: true; reading: NodeReading; decision: HealthDecision }
  | { ok: false; error: string };

export interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
}

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json';

export function answerRoot(ev: Evaluation, override: OverrideState | null): HttpAnswer {
  if (override) {
    return {
      status: override === 'healthy' ? 200 : 503,
      contentType: TEXT,
      body: `Galera Cluster Node Status: lab override: ${override}`,
    };
  }
  if (!ev.ok)
    return { status: 503, contentType: TEXT, body: `Galera Cluster Node Status: ${ev.error}` };
  return {
    status: ev.decision.healthy ? 200 : 503,
    contentType: TEXT,
    body: `Galera Cluster Node Status: ${ev.decision.message}`,
  };
}

/**
 * @param lastIndex the last wsrep_local_index read from the node, used only when an override says
 *   healthy while the node cannot be read (the lie needs some index).
 */
export function answerV1Status(
  ev: Evaluation,
  override: OverrideState | null,
  lastIndex: string | null,
): HttpAnswer {
  if (!ev.ok && override !== 'healthy') return { status: 500, contentType: TEXT, body: ev.error };
  const state = ev.ok ? ev.reading.localState : 0;
  const index = ev.ok ? ev.reading.localIndex : (lastIndex ?? '0');
  const healthy = override ? override === 'healthy' : ev.ok && ev.decision.healthy;
  // Written by hand so a 64-bit index keeps every digit, as the real (Go uint) one prints it.
  const fields = [
    `"wsrep_local_state":${state}`,
    `"wsrep_local_state_comment":${JSON.stringify(stateComment(state))}`,
    `"wsrep_local_index":${/^\d+$/.test(index) ? index : '0'}`,
    `"healthy":${healthy}`,
  ];
  if (override) fields.push(`"lab_override":${JSON.stringify(override)}`);
  return { status: 200, contentType: JSON_TYPE, body: `{${fields.join(',')}}\n` };
}
