// A BBS API client as a Diego component of 2016 used one: it knows the BBS by a name that resolves
// to every BBS instance (bbs.service.cf.internal), and only the lock holder listens, so it sticks
// to the address that last answered and moves on to the next when one refuses or answers 503.
// Each call is one attempt at one address and ends as a history outcome:
//   ok   200, the BbsResult (the node that served it is `node`)
//   fail nothing can have happened: connection refused, 503 (not current: migrating or not the
//        holder yet), 404 (an op the legacy node does not serve), a database error the lab's
//        taxonomy calls definite (lab/history/errors.ts)
//   info anything else: a timeout, a connection closed after the request went out, a 500 without
//        a definite database error; the op may have been applied.

import type { BbsOp, BbsResult } from '../../bbs/ops.ts';
import { classifyError } from '../history/errors.ts';
import type { OpError, Outcome } from '../history/event.ts';

export interface ApiAnswer {
  outcome: Outcome;
  value?: BbsResult;
  error?: OpError;
  node?: string;
  /** The address the call went to. */
  url: string;
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);

function causeCode(e: unknown): string | undefined {
  const c = (e as { cause?: { code?: unknown } }).cause;
  return typeof c?.code === 'string' ? c.code : undefined;
}

/** One call to one BBS address. Pure of side effects beyond the request. */
export async function callOnce(url: string, op: BbsOp, timeoutMs: number): Promise<ApiAnswer> {
  let res: Response;
  try {
    res = await fetch(`${url}/v1/ops/${op.f}`, {
      method: 'POST',
      body: JSON.stringify(op.args),
      signal: AbortSignal.timeout(timeoutMs),
      keepalive: false,
    });
  } catch (e) {
    const code = causeCode(e) ?? (e as { name?: string }).name ?? 'error';
    if (CONNECT_CODES.has(code))
      return {
        outcome: 'fail',
        url,
        error: { code, message: `${url}: connection refused`, phase: 'connect' },
      };
    return { outcome: 'info', url, error: { code, message: `${url}: ${(e as Error).message}` } };
  }
  let body: Record<string, unknown>;
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch (e) {
    return {
      outcome: 'info',
      url,
      error: {
        code: 'BAD_BODY',
        message: `${url}: ${res.status} with an unreadable body: ${(e as Error).message}`,
      },
    };
  }
  if (res.status === 200) {
    const { servedBy, ...value } = body;
    return {
      outcome: 'ok',
      url,
      value: value as BbsResult,
      ...(typeof servedBy === 'string' ? { node: servedBy } : {}),
    };
  }
  const node = typeof body.id === 'string' ? { node: body.id } : {};
  if (res.status === 503)
    return {
      outcome: 'fail',
      url,
      ...node,
      error: {
        code: 'HTTP_503',
        message: `ServiceUnavailable: the node is ${String(body.state ?? 'not current')}`,
      },
    };
  if (res.status === 404 || res.status === 400)
    return {
      outcome: 'fail',
      url,
      error: {
        code: `HTTP_${res.status}`,
        message: `${String(body.error)}: ${op.f} was not run`,
      },
    };
  const detail = body.detail;
  if (body.error === 'DatabaseError' && detail && typeof detail === 'object') {
    const err = detail as OpError;
    return { outcome: classifyError(err).outcome, url, error: err };
  }
  return {
    outcome: 'info',
    url,
    error: {
      code: `HTTP_${res.status}`,
      message: `${String(body.error)}: ${String(detail ?? '')}`,
    },
  };
}

/** Sticks to the address that last answered; rotates on a refusal or a 503. */
export class BbsApiClient {
  private at = 0;

  constructor(
    private readonly urls: () => readonly string[],
    private readonly timeoutMs = 3000,
  ) {}

  async call(op: BbsOp): Promise<ApiAnswer> {
    const urls = this.urls();
    if (urls.length === 0)
      return {
        outcome: 'fail',
        url: '',
        error: { code: 'NO_ADDRESS', message: 'no BBS address is known', phase: 'connect' },
      };
    const url = urls[this.at % urls.length]!;
    const a = await callOnce(url, op, this.timeoutMs);
    if (a.outcome !== 'ok' && (a.error?.phase === 'connect' || a.error?.code === 'HTTP_503'))
      this.at = (this.at + 1) % urls.length;
    return a;
  }
}
