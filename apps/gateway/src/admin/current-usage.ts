import type { RateLimit, UsageLimits } from '@pk/store';

/**
 * What a key has used in its current budget period, as retrieve answers it (`current_usage`): spend
 * in USD, tokens and requests since `period_start`. `tracked: false` means pk does not measure it
 * (the key has no `usage_limits` or `rate_limits`, or the limits store cannot be read): every figure
 * is then `null`, never a made-up 0.
 */
export interface CurrentUsage {
  readonly tracked: boolean;
  /** ISO 8601 start of the period the figures cover (the last reset), or null. */
  readonly period_start: string | null;
  /** ISO 8601 time of the next reset (`usage_limits.periodic_reset`), or null for none. */
  readonly period_end: string | null;
  /** Spend in USD. */
  readonly cost_usd: number | null;
  readonly tokens: number | null;
  readonly requests: number | null;
}

/** Whose usage is asked for. */
export interface UsageSubject {
  readonly kind: 'virtual_key' | 'api_key';
  readonly id: string;
  readonly usageLimits: UsageLimits | null;
  readonly rateLimits: readonly RateLimit[] | null;
}

/** Where current usage comes from: the limits store's counters (`setUpLimits`), or a test's own. */
export type UsageReader = (subject: UsageSubject) => CurrentUsage | Promise<CurrentUsage>;
