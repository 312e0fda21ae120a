import { z } from 'zod';
import { enumSchema, integerSchema, numberSchema, statusCodeListSchema } from './expect.js';

/** Shortest `cooldown_interval`, ms: 30 s (hosted Portkey's minimum). */
export const MIN_BREAKER_COOLDOWN_MS = 30_000;
/** Longest `cooldown_interval`, ms: 1 h. */
export const MAX_BREAKER_COOLDOWN_MS = 3_600_000;

/**
 * Circuit breaker settings, as hosted Portkey documents them under `strategy.cb_config`
 * (https://portkey.ai/docs/product/ai-gateway/circuit-breaker), plus pk's `on_all_open`.
 */
export const circuitBreakerSchema = z.object(
  {
    /** Failures within the window that open the breaker. */
    failure_threshold: integerSchema(1).optional(),
    /** Failure share (0-100 %) that opens the breaker once `minimum_requests` is reached. */
    failure_threshold_percentage: numberSchema(0, 100).optional(),
    /**
     * How long an open breaker stays open, in ms: 30 s - 1 h (hosted Portkey's minimum is 30 s; a
     * longer bound keeps a config from parking a target for days). Outside, the config is refused.
     */
    cooldown_interval: integerSchema(MIN_BREAKER_COOLDOWN_MS, MAX_BREAKER_COOLDOWN_MS).optional(),
    /** Statuses counted as failures (default: 408, pk's `request_timeout` answer, and every status >= 500). */
    failure_status_codes: statusCodeListSchema.optional(),
    /** Requests needed in the window before `failure_threshold_percentage` applies. */
    minimum_requests: integerSchema(1).optional(),
    /** pk extension: when every target is open, `try` them anyway (hosted default) or `fail_fast` with 503. */
    on_all_open: enumSchema(['try', 'fail_fast']).optional(),
  },
  { error: 'expected an object { failure_threshold?, cooldown_interval?, failure_status_codes?, … }' },
);

/** Circuit breaker settings as written in a config. */
export type CircuitBreakerConfig = z.infer<typeof circuitBreakerSchema>;
