import { z } from 'zod';
import { opaqueObjectSchema } from './expect.js';

/**
 * Hooks and guardrails (behaviour reference §7.1). pk keeps their contents exactly as written: only
 * the outer shape is checked, so plugin parameters are never renamed or validated here.
 */

/** A raw hook object (`{ type, id, checks: [{ id, parameters }], deny?, async?, … }`), kept as written. */
export const hookObjectSchema = opaqueObjectSchema;

/** `before_request_hooks` / `after_request_hooks`: raw hook objects. */
export const hookListSchema = z.array(hookObjectSchema, { error: 'expected an array of hook objects' });

/**
 * `input_guardrails` / `output_guardrails` / `default_*_guardrails`: the shorthand form
 * (`{ "default.contains": { … }, "deny": true }`) or a saved guardrail's id (a string).
 */
export const guardrailListSchema = z.array(
  z.union([z.string(), opaqueObjectSchema], {
    error: 'expected a guardrail id (string) or a guardrail object',
  }),
  { error: 'expected an array of guardrail objects or guardrail ids' },
);

/** `input_mutators` / `output_mutators`: the shorthand form, like guardrails. */
export const mutatorListSchema = z.array(opaqueObjectSchema, {
  error: 'expected an array of mutator objects',
});

/** A hook object as written in a config. */
export type HookObject = z.infer<typeof hookObjectSchema>;
/** One guardrail entry as written: shorthand object or saved guardrail id. */
export type GuardrailEntry = z.infer<typeof guardrailListSchema>[number];
