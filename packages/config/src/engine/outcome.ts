import type { PkError } from '../errors/error-envelope.js';

/** A successful attempt: the engine stops here and hands `value` back untouched. */
export interface AttemptSuccess<Value> {
  readonly ok: true;
  readonly value: Value;
  /** HTTP status of the answer when it is not 200 (e.g. Portkey's 246); traces show 200 when absent. */
  readonly status?: number;
  /** True when the value was served from the cache instead of calling the target. */
  readonly cacheHit?: boolean;
}

/** A failed attempt, as the adapter reports it: never an HTTP response object. */
export interface AttemptFailure<Err> {
  readonly ok: false;
  /** HTTP status (a connection error or reset is 502, a fired timeout 408). */
  readonly status: number;
  /** The upstream's `Retry-After` / `retry-after-ms` in ms (see `parseRetryAfter`), when it sent one. */
  readonly retryAfterMs?: number;
  /**
   * True when the target never answered (connection refused or reset, DNS, TLS): retried whenever
   * retries remain, even when `retry.on_status_codes` leaves the status out, as Portkey retries
   * network errors. A rejected `attempt` counts as one too.
   */
  readonly connectionError?: boolean;
  /**
   * True when the target was never called: the caller refused the attempt itself (a rate limit or
   * budget of the target's key). Loadbalance then draws again among the targets it has not tried, and
   * no circuit breaker counts it (the target did nothing wrong); fallback and retries treat it like
   * any failure of its status.
   */
  readonly notSent?: boolean;
  /**
   * True when the failure is a defect of the caller itself (the gateway: pk's own 500
   * `PK_ERR_INTERNAL`), not the target's: never retried, whatever `retry.on_status_codes` says (the
   * same defect would strike again), and no circuit breaker counts it. Fallback moves on as for any
   * failure of its status (another target may not hit the defect).
   */
  readonly internalError?: boolean;
  /**
   * How `retry` treats this failure when its status is one to retry, instead of waiting the back-off:
   * `immediately` asks again without waiting (an answer the caller's own checks refused after the
   * target gave it, such as an output guardrail's 446: Portkey re-sends it at once), `never` does not
   * ask again (the caller refused the request before sending it, such as an input guardrail's 446,
   * which Portkey never retries). Fallback moves on as for any failure of its status.
   */
  readonly retryMode?: RetryMode;
  readonly error: Err;
}

/** See {@link AttemptFailure.retryMode}. */
export type RetryMode = 'immediately' | 'never';

/**
 * What one call of the `attempt` port resolves to: `{ ok: true, value }` or
 * `{ ok: false, status, retryAfterMs?, error }`. Generic in the value (a parsed body, a stream …) and
 * in the error type, so the engine stays ignorant of HTTP and providers.
 */
export type AttemptOutcome<Value, Err> = AttemptSuccess<Value> | AttemptFailure<Err>;

/**
 * What a whole plan resolves to: the answering target's outcome, or a failure the engine made itself
 * (a {@link PkError}: `PK_ERR_TIMEOUT` 408, `PK_ERR_DEADLINE` 504, `PK_ERR_CIRCUIT_OPEN` 503,
 * `PK_ERR_NO_ROUTE` 400, `PK_ERR_UPSTREAM_UNAVAILABLE` 502 when `attempt` threw).
 */
export type PlanOutcome<Value, Err> = AttemptOutcome<Value, Err | PkError>;
