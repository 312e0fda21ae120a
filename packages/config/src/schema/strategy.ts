import { z } from 'zod';
import { circuitBreakerSchema } from './circuit-breaker.js';
import { conditionQuerySchema } from './condition-query.js';
import { enumSchema, nonEmptyStringSchema, statusCodeListSchema } from './expect.js';

/** How a group of targets is used. */
export const strategyModeSchema = enumSchema(['single', 'fallback', 'loadbalance', 'conditional']);
/** One of `single`, `fallback`, `loadbalance`, `conditional`. */
export type StrategyMode = z.infer<typeof strategyModeSchema>;

/** One conditional route: when `query` matches, use the target whose `name` is `then`. */
export const conditionSchema = z.object(
  {
    /** A query over `metadata.*`, `params.*` and `url.pathname` with `$eq $ne $gt $gte $lt $lte $in $nin $regex $and $or`. */
    query: conditionQuerySchema,
    /** The `name` of the target to use. */
    then: nonEmptyStringSchema('the name of a target of this group'),
  },
  { error: 'expected an object { query, then }' },
);
/** One conditional route. */
export type Condition = z.infer<typeof conditionSchema>;

/** `strategy` of a group of targets (https://portkey.ai/docs/api-reference/inference-api/config-object). */
export const strategySchema = z.object(
  {
    mode: strategyModeSchema,
    /** Fallback only: move on only after these statuses (default: after any non-2xx). */
    on_status_codes: statusCodeListSchema.optional(),
    /** Conditional only: the routes, first match wins. */
    conditions: z.array(conditionSchema, { error: 'expected an array of { query, then }' }).optional(),
    /** Conditional only: the target `name` used when no condition matches. */
    default: nonEmptyStringSchema('the name of a target of this group').optional(),
    /** Circuit breaking for this group's targets (inherited by nested groups, not used by conditional). */
    cb_config: circuitBreakerSchema.optional(),
  },
  { error: 'expected an object { mode, on_status_codes?, conditions?, default?, cb_config? }' },
);
/** `strategy` as written in a config. */
export type StrategyConfig = z.infer<typeof strategySchema>;
