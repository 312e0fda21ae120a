import { z } from 'zod';
import { booleanSchema, enumSchema, integerSchema, numberSchema, statusCodeListSchema } from './expect.js';

/** Status codes Portkey retries by default when `retry.attempts` > 0 and `on_status_codes` is absent. */
export const DEFAULT_RETRY_STATUS_CODES: readonly number[] = [429, 500, 502, 503, 504];

/**
 * The most retries a target makes (hosted Portkey documents "up to 5"). Portkey's gateway takes any
 * count, so a config asking for more is not refused: it runs with this many, and a warning says so.
 */
export const MAX_RETRY_ATTEMPTS = 5;

/**
 * pk extension: the back-off between retries. Without it pk waits exactly as Portkey does:
 * 1 s, 2 s, 4 s … (`initial_ms` 1000, `factor` 2, no cap, no jitter).
 */
export const retryBackoffSchema = z.object(
  {
    /** Wait before the first retry, in ms (default 1000). */
    initial_ms: integerSchema(0, 600_000).optional(),
    /** Multiplier applied per retry (default 2). */
    factor: numberSchema(1, 10).optional(),
    /** Upper bound of one wait, in ms (default: none). */
    max_ms: integerSchema(0, 600_000).optional(),
    /** `none` (default), `full` (uniform in [0, wait]) or `equal` (wait/2 + uniform in [0, wait/2]). */
    jitter: enumSchema(['none', 'full', 'equal']).optional(),
  },
  { error: 'expected an object { initial_ms?, factor?, max_ms?, jitter? }' },
);

/** Retry settings of a target (https://portkey.ai/docs/product/ai-gateway/automatic-retries). */
export const retrySchema = z.object(
  {
    /** Retries after the first try (total tries = attempts + 1); above 5 it is capped at 5, with a warning. */
    attempts: integerSchema(0),
    /** Statuses that are retried (default 429, 500, 502, 503, 504). */
    on_status_codes: statusCodeListSchema.optional(),
    /** Honour `Retry-After` / `retry-after-ms` on 429 and 503, within a 60 s budget. */
    use_retry_after_header: booleanSchema.optional(),
    /** pk extension: back-off shape. */
    backoff: retryBackoffSchema.optional(),
  },
  { error: 'expected an object { attempts, on_status_codes?, use_retry_after_header? }' },
);

/** Retry settings as written in a config. */
export type RetryConfig = z.infer<typeof retrySchema>;
/** Back-off settings as written in a config. */
export type RetryBackoffConfig = z.infer<typeof retryBackoffSchema>;

/** Retry settings after defaults: what the engine runs. */
export interface RetryPolicy {
  /** Retries after the first try, at most {@link MAX_RETRY_ATTEMPTS}. */
  readonly attempts: number;
  /** Statuses that are retried (empty when `attempts` is 0). */
  readonly on_status_codes: readonly number[];
  /** Honour `Retry-After` on 429 and 503. */
  readonly use_retry_after_header: boolean;
  /** Back-off with every default filled in. */
  readonly backoff: {
    readonly initial_ms: number;
    readonly factor: number;
    readonly max_ms: number;
    readonly jitter: 'none' | 'full' | 'equal';
  };
}

/** Fills Portkey's defaults into a config's retry settings (no retry when absent; at most 5 retries). */
export function normalizeRetry(retry: RetryConfig | undefined): RetryPolicy {
  const attempts = Math.min(retry?.attempts ?? 0, MAX_RETRY_ATTEMPTS);
  return {
    attempts,
    on_status_codes: attempts > 0 ? (retry?.on_status_codes ?? DEFAULT_RETRY_STATUS_CODES) : [],
    use_retry_after_header: retry?.use_retry_after_header ?? false,
    backoff: {
      initial_ms: retry?.backoff?.initial_ms ?? 1000,
      factor: retry?.backoff?.factor ?? 2,
      max_ms: retry?.backoff?.max_ms ?? Number.POSITIVE_INFINITY,
      jitter: retry?.backoff?.jitter ?? 'none',
    },
  };
}
