import type { RetryPolicy } from '../schema/retry.js';
import { backoffDelay } from './backoff.js';
import type { RetryMode } from './outcome.js';
import { RETRY_AFTER_BUDGET_MS } from './retry-after.js';

/** Retry the same target after `delayMs`. */
export interface RetryAgain {
  readonly retry: true;
  readonly delayMs: number;
  /** True when the wait is the upstream's `Retry-After`, false for the back-off. */
  readonly viaRetryAfter: boolean;
}

/** Stop retrying this target; its last outcome stands. */
export interface RetryStop {
  readonly retry: false;
  readonly reason: 'not-retryable' | 'retries-exhausted' | 'retry-after-over-budget';
  /** The target's `x-portkey-retry-attempt-count`: retries made, or -1 when they ran out. */
  readonly retryCount: number;
}

/** What the retry rules say after one failed attempt. */
export type RetryDecision = RetryAgain | RetryStop;

/** The facts {@link decideRetry} needs about one failed attempt. */
export interface RetryInput {
  readonly policy: RetryPolicy;
  readonly status: number;
  /** True when `attempt` threw (connection error or reset): retried whenever retries remain. */
  readonly connectionError: boolean;
  /** True when the failure is the caller's own defect, not the target's: never retried. */
  readonly internalError?: boolean;
  /** The outcome's {@link RetryMode}: ask again at once, or never. */
  readonly retryMode?: RetryMode | undefined;
  readonly retryAfterMs: number | undefined;
  /** Retries already made for this target (0 after the first try). */
  readonly retriesDone: number;
  /** Time already spent waiting on `Retry-After` for this target, ms. */
  readonly retryAfterSpentMs: number;
  readonly random: () => number;
}

/**
 * Portkey's retry rules (behaviour reference §4.3): a status in `on_status_codes` (default 429, 500,
 * 502, 503, 504 when `attempts` > 0) is retried until `attempts` retries were made; the waits are
 * the back-off (1 s, 2 s, 4 s … by default). With `use_retry_after_header`, a 429 or 503 that carries
 * a wait is retried after that wait instead, as long as the target's waits stay within 60 s; a longer
 * wait stops retrying at once. Running out of retries, either way, reports -1. A failure that is the
 * caller's own defect (`internalError`) is never retried, nor one whose `retryMode` is `never`; one
 * whose `retryMode` is `immediately` is retried without a wait (Portkey's hook-level retry).
 *
 * Deliberate difference: Portkey zeroes the remaining back-off after honouring one Retry-After; pk
 * keeps the back-off for later retries that carry no header.
 */
export function decideRetry(input: RetryInput): RetryDecision {
  const { policy, status, retriesDone } = input;
  const retryable =
    input.internalError !== true &&
    input.retryMode !== 'never' &&
    (input.connectionError ? policy.attempts > 0 : policy.on_status_codes.includes(status));
  if (!retryable) return { retry: false, reason: 'not-retryable', retryCount: retriesDone };
  if (retriesDone >= policy.attempts) return { retry: false, reason: 'retries-exhausted', retryCount: -1 };
  if (input.retryMode === 'immediately') return { retry: true, delayMs: 0, viaRetryAfter: false };
  const wait = input.retryAfterMs;
  if (policy.use_retry_after_header && (status === 429 || status === 503) && wait !== undefined) {
    if (wait >= RETRY_AFTER_BUDGET_MS || input.retryAfterSpentMs + wait > RETRY_AFTER_BUDGET_MS) {
      return { retry: false, reason: 'retry-after-over-budget', retryCount: -1 };
    }
    return { retry: true, delayMs: wait, viaRetryAfter: true };
  }
  return {
    retry: true,
    delayMs: backoffDelay(policy.backoff, retriesDone + 1, input.random),
    viaRetryAfter: false,
  };
}
