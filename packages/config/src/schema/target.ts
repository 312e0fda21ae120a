import { z } from 'zod';
import { PROVIDER_IDS } from '../provider-id.js';
import { cacheSchema } from './cache.js';
import { circuitBreakerSchema } from './circuit-breaker.js';
import { customHostSchema } from './custom-host.js';
import {
  booleanSchema,
  nonEmptyStringSchema,
  numberSchema,
  opaqueObjectSchema,
  statusCodeListSchema,
} from './expect.js';
import { guardrailListSchema, hookListSchema, mutatorListSchema } from './hooks.js';
import { providerOptionsShape } from './provider-options.js';
import { retrySchema } from './retry.js';
import { strategySchema } from './strategy.js';
import { timerMsSchema } from './timer.js';

/** Deepest nesting of `targets` accepted: `config.targets[0]` is level 1. */
export const MAX_TARGET_DEPTH = 10;

const providerMessage =
  'expected a Portkey provider id such as "openai" or "anthropic", or "@" and a virtual key id';

/** `provider`: one of Portkey's provider ids, or `@slug` naming a virtual key (hosted's Model Catalog form). */
export const configProviderSchema = z.union(
  [
    z.enum(PROVIDER_IDS, { error: providerMessage }),
    z.string({ error: providerMessage }).regex(/^@[a-z0-9][a-z0-9_-]{0,63}$/, { error: providerMessage }),
  ],
  { error: providerMessage },
);

/** Case-insensitive regex source for one literal word (JSON Schema patterns take no flags). */
function caseInsensitive(word: string): string {
  return [...word]
    .map((char) => {
      if (/[a-z]/i.test(char)) return `[${char.toLowerCase()}${char.toUpperCase()}]`;
      return /[.*+?^${}()|[\]\\/]/.test(char) ? `\\${char}` : char;
    })
    .join('');
}

/** One header name in `forward_headers`: an HTTP token, never `x-portkey-forward-headers` itself. */
export const forwardHeaderNameSchema = z
  .string({ error: 'expected an HTTP header name' })
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: 'expected an HTTP header name' })
  .regex(new RegExp(`^(?!${caseInsensitive('x-portkey-forward-headers')}$)`), {
    error: 'expected a header other than x-portkey-forward-headers itself',
  });

/** Settings every node of a config may carry: a provider target, or a group with `strategy` + `targets`. */
const targetFields = {
  /** Label used by conditional routing (`then`, `default`). */
  name: nonEmptyStringSchema('a non-empty target name').optional(),
  /** Load-balancing weight, >= 0 (default 1; 0 is never picked). */
  weight: numberSchema(0).optional(),
  /** How this node's `targets` are used. */
  strategy: strategySchema.optional(),
  /** A Portkey provider id, or `@slug` naming a virtual key. */
  provider: configProviderSchema.optional(),
  /** Provider API key. */
  api_key: nonEmptyStringSchema('a non-empty API key').optional(),
  /** A stored provider + credential (alternative to `provider` + `api_key`). */
  virtual_key: nonEmptyStringSchema('a non-empty virtual key id').optional(),
  /** Base URL of the provider (self-hosted or private endpoint); checked as Portkey's `isValidCustomHost`. */
  custom_host: customHostSchema.optional(),
  /** Request-body fields forced for this target (shallow, the config wins); kept exactly as written. */
  override_params: opaqueObjectSchema.optional(),
  /** Retries of this target. */
  retry: retrySchema.optional(),
  /** Response cache of this target. */
  cache: cacheSchema.optional(),
  /** Per-attempt timeout, ms (1 to 24 h). */
  request_timeout: timerMsSchema.optional(),
  /** Client headers forwarded to the provider untouched. */
  forward_headers: z
    .array(forwardHeaderNameSchema, { error: 'expected an array of HTTP header names' })
    .optional(),
  /** Strip provider-native extras from responses (default true). */
  strict_open_ai_compliance: booleanSchema.optional(),
  /** Circuit breaker settings of this node (hosted's JSON Schema allows it beside `strategy.cb_config`). */
  cb_config: circuitBreakerSchema.optional(),
  /** Portkey validates this top-level key but never uses it; `strategy.on_status_codes` is the one read. */
  on_status_codes: statusCodeListSchema.optional(),
  /** Raw hooks run before the provider call (the child's replace the parent's). */
  before_request_hooks: hookListSchema.optional(),
  /** Raw hooks run after the provider call. */
  after_request_hooks: hookListSchema.optional(),
  /** Guardrail shorthand appended to `before_request_hooks`. */
  input_guardrails: guardrailListSchema.optional(),
  /** Guardrail shorthand appended to `after_request_hooks`. */
  output_guardrails: guardrailListSchema.optional(),
  /** Mutator shorthand appended to `before_request_hooks`. */
  input_mutators: mutatorListSchema.optional(),
  /** Mutator shorthand appended to `after_request_hooks`. */
  output_mutators: mutatorListSchema.optional(),
  ...providerOptionsShape,
};

const targetBaseSchema = z.object(targetFields, { error: 'expected a target object' });

/** One node of a config below the root: a provider target, or a group of targets with a strategy. */
export const targetSchema = targetBaseSchema.extend({
  /** The children of a group (requires `strategy`), at most 10 levels deep. */
  get targets(): z.ZodOptional<z.ZodArray<typeof targetSchema>> {
    return z
      .array(targetSchema, { error: 'expected an array of targets' })
      .min(1, { error: 'expected at least one target' })
      .optional();
  },
});

/** Keys read only at the root of a config. */
export const rootOnlyFields = {
  /** The config's id (a saved config); keys circuit breakers. Default: a hash of the config. */
  id: nonEmptyStringSchema('a non-empty config id').optional(),
  /** pk extension: deadline of the whole request (every retry and fallback), ms (1 to 24 h). */
  request_deadline: timerMsSchema.optional(),
  /** Guardrails appended to every leaf's `before_request_hooks`. */
  default_input_guardrails: guardrailListSchema.optional(),
  /** Guardrails appended to every leaf's `after_request_hooks`. */
  default_output_guardrails: guardrailListSchema.optional(),
};

/**
 * A Portkey config (https://portkey.ai/docs/api-reference/inference-api/config-object), snake_case.
 * Unknown keys are dropped (with warnings, by `parseConfig`); cross-field rules are checked by
 * `parseConfig`, not by this schema alone.
 */
export const configSchema = targetSchema.extend(rootOnlyFields);

/** A config, snake_case, as `parseConfig` returns it. A misspelt key in a literal is a compile error. */
export type Config = z.infer<typeof configSchema>;
/** What a config may look like before parsing (same keys; parsing fills nothing in). */
export type ConfigInput = z.input<typeof configSchema>;
/** One node of a config below the root. */
export type ConfigTarget = z.infer<typeof targetSchema>;
