import { PkError } from '../errors/error-envelope.js';
import type { AttemptFailure } from './outcome.js';

/** Portkey's 408 `timeout_error` for one attempt that exceeded `request_timeout`. */
export function timeoutFailure(timeoutMs: number): AttemptFailure<PkError> {
  return {
    ok: false,
    status: 408,
    error: new PkError('PK_ERR_TIMEOUT', `Request exceeded the timeout sent in the request: ${timeoutMs}ms`),
  };
}

/** pk's 504 for a request that reached `request_deadline`. */
export function deadlineFailure(deadlineMs: number): AttemptFailure<PkError> {
  return {
    ok: false,
    status: 504,
    error: new PkError('PK_ERR_DEADLINE', `The request exceeded its deadline of ${deadlineMs}ms`),
  };
}

/** 503 when every target's breaker is open and `on_all_open` is `fail_fast`; `retryAfterMs` = earliest recovery. */
export function circuitOpenFailure(retryAfterMs: number): AttemptFailure<PkError> {
  return {
    ok: false,
    status: 503,
    retryAfterMs,
    error: new PkError(
      'PK_ERR_CIRCUIT_OPEN',
      'Every target of the config is temporarily disabled by its circuit breaker',
    ),
  };
}

/** 400 when conditional routing names no target (no match and no `default`, or an unknown name). */
export function noRouteFailure(message: string): AttemptFailure<PkError> {
  return { ok: false, status: 400, error: new PkError('PK_ERR_NO_ROUTE', message) };
}

/** 400 for a plan the engine cannot run (a loadbalance group whose weights are all 0). */
export function invalidPlanFailure(message: string): AttemptFailure<PkError> {
  return { ok: false, status: 400, error: new PkError('PK_ERR_INVALID_CONFIG', message) };
}

/** 502 when `attempt` threw instead of returning an outcome: a connection error or reset. */
export function connectionFailure(cause: unknown): AttemptFailure<PkError> {
  return {
    ok: false,
    status: 502,
    error: new PkError('PK_ERR_UPSTREAM_UNAVAILABLE', 'The provider could not be reached', { cause }),
  };
}
