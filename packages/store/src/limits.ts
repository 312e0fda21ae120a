import { z } from 'zod';

/**
 * Portkey's `usage_limits` of a virtual key or API key (admin API schema `UsageLimits`): a budget in
 * USD (`type: "cost"`) or tokens, optionally reset every week (Monday 00:00 UTC), month (the 1st,
 * 00:00 UTC) or `periodic_reset_days` days. Stored exactly as sent (fields pk does not know are
 * kept); enforced by the limits issue. https://portkey.ai/docs/product/ai-gateway/virtual-keys/budget-limits
 */
export const usageLimitsSchema = z
  .looseObject({
    /** The budget: USD for `cost`, tokens for `tokens`. Portkey's minimum is $1 or 100 tokens. */
    credit_limit: z.number().positive(),
    /** What the budget counts (default `cost`). */
    type: z.enum(['cost', 'tokens']).optional(),
    /** Usage at which an alert is raised (same unit as `credit_limit`); the key keeps working. */
    alert_threshold: z.number().nonnegative().optional(),
    /** Calendar reset, in UTC. Exclusive with `periodic_reset_days`. */
    periodic_reset: z.enum(['weekly', 'monthly']).nullable().optional(),
    /** Reset every N days (1-365). Exclusive with `periodic_reset`. */
    periodic_reset_days: z.number().int().min(1).max(365).nullable().optional(),
    /** When usage next resets (ISO 8601), as Portkey reports it. */
    next_usage_reset_at: z.string().nullable().optional(),
    /** pk: while the limits store (Redis) is down, refuse (`closed`, the default for budgets) or serve within this replica's share (`open`). */
    on_store_failure: z.enum(['open', 'closed']).optional(),
  })
  .superRefine((limits, context) => {
    const minimum = limits.type === 'tokens' ? 100 : 1;
    if (limits.credit_limit < minimum) {
      context.addIssue({
        code: 'custom',
        path: ['credit_limit'],
        message: `expected at least ${minimum} (${limits.type === 'tokens' ? 'tokens' : 'USD'}), got ${limits.credit_limit}`,
      });
    }
    if (limits.periodic_reset != null && limits.periodic_reset_days != null) {
      context.addIssue({
        code: 'custom',
        path: ['periodic_reset_days'],
        message: 'expected either periodic_reset or periodic_reset_days, not both',
      });
    }
  });

/** A budget as Portkey shapes it. */
export type UsageLimits = z.infer<typeof usageLimitsSchema>;

/**
 * One of Portkey's `rate_limits`: at most `value` requests or tokens per second, minute, hour, day
 * or week (`rps`, `rpm`, `rph`, `rpd`, `rpw`). A value of 0 refuses every request.
 * https://portkey.ai/docs/product/ai-gateway/virtual-keys/rate-limits
 */
export const rateLimitSchema = z.looseObject({
  type: z.enum(['requests', 'tokens']),
  unit: z.enum(['rps', 'rpm', 'rph', 'rpd', 'rpw']),
  value: z.number().int().nonnegative(),
  /** pk: while the limits store (Redis) is down, serve within this replica's share (`open`, the default for rates) or refuse (`closed`). */
  on_store_failure: z.enum(['open', 'closed']).optional(),
});

/** A rate limit as Portkey shapes it. */
export type RateLimit = z.infer<typeof rateLimitSchema>;

/** Portkey's `rate_limits`: a list of limits that all apply. */
export const rateLimitsSchema = z.array(rateLimitSchema).max(20);
