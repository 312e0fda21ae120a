/** Value of `x-portkey-cache-status` for one leaf. */
export type CacheStatus = 'HIT' | 'MISS' | 'REFRESH' | 'DISABLED';

/** Who made an attempt's outcome. */
export type AttemptOrigin = 'upstream' | 'cache' | 'timeout' | 'deadline' | 'connection-error';

/**
 * Why an attempt ended as it did, from the leaf's point of view:
 * - `answered`: ok outcome;
 * - `cache-hit`: served from the cache;
 * - `retry`: the status is in `retry.on_status_codes` (or the connection failed) and retries remain;
 * - `retry-after`: same, waiting for the upstream's `Retry-After`;
 * - `not-retryable`: the status is not retried (or `retry.attempts` is 0);
 * - `retries-exhausted`: retryable, but every retry was used (retry count -1);
 * - `retry-after-over-budget`: the upstream asked to wait beyond the 60 s budget (retry count -1);
 * - `deadline`: `request_deadline` was reached (during the attempt or before the next retry);
 * - `caller-left`: the caller's signal aborted during the attempt (status 499; nothing followed).
 */
export type AttemptReason =
  | 'answered'
  | 'cache-hit'
  | 'retry'
  | 'retry-after'
  | 'not-retryable'
  | 'retries-exhausted'
  | 'retry-after-over-budget'
  | 'deadline'
  | 'caller-left';

/** What the engine did after an attempt: retried the target, moved on (fallback), or returned its outcome. */
export type AttemptNext = 'retry' | 'fallback' | 'return';

/** One attempt of one leaf (a cache lookup that hit counts as one). */
export interface TraceAttempt {
  readonly kind: 'attempt';
  /** JSON path of the leaf: `config`, `config.targets[1].targets[0]`. */
  readonly path: string;
  /** 0 for the first try, 1 for the first retry … */
  readonly attempt: number;
  readonly ok: boolean;
  /** HTTP status (200 for an ok outcome that carries none). */
  readonly status: number;
  readonly origin: AttemptOrigin;
  /** Start, in ms since the request started. */
  readonly startMs: number;
  readonly latencyMs: number;
  readonly cache: CacheStatus;
  readonly reason: AttemptReason;
  readonly next: AttemptNext;
}

/** A target a group did not try because its circuit breaker was open. */
export interface TraceSkip {
  readonly kind: 'skip';
  readonly path: string;
  readonly reason: 'breaker-open';
  /** When the breaker closes, in the ports' clock (ms). */
  readonly untilMs: number;
}

/** One line of a request's trace. */
export type TraceEntry = TraceAttempt | TraceSkip;

/** A {@link TraceAttempt} while the engine still decides what comes next. */
export interface MutableTraceAttempt extends Omit<TraceAttempt, 'reason' | 'next'> {
  reason: AttemptReason;
  next: AttemptNext;
}
