import { z } from 'zod';

/**
 * Small schema builders whose error messages state the expectation (`expected an integer from 0 to
 * 5`). `parseConfig` prefixes the JSON path and appends what was given (`, got 9`), so every schema a
 * user can get wrong says what it wants in the same words.
 */

function rangeText(
  kind: 'an integer' | 'a number',
  min: number | undefined,
  max: number | undefined,
): string {
  if (min !== undefined && max !== undefined) return `expected ${kind} from ${min} to ${max}`;
  if (min !== undefined) return `expected ${kind} of at least ${min}`;
  if (max !== undefined) return `expected ${kind} of at most ${max}`;
  return `expected ${kind}`;
}

/** An integer, optionally bounded (inclusive), with one expectation message for every failure. */
export function integerSchema(min?: number, max?: number) {
  const error = rangeText('an integer', min, max);
  let schema = z.number({ error }).int({ error });
  if (min !== undefined) schema = schema.min(min, { error });
  if (max !== undefined) schema = schema.max(max, { error });
  return schema;
}

/** A finite number, optionally bounded (inclusive), with one expectation message for every failure. */
export function numberSchema(min?: number, max?: number) {
  const error = rangeText('a number', min, max);
  let schema = z.number({ error });
  if (min !== undefined) schema = schema.min(min, { error });
  if (max !== undefined) schema = schema.max(max, { error });
  return schema;
}

/** An HTTP status code, 100–599. */
export const statusCodeSchema = integerSchema(100, 599).describe('HTTP status code');

/** A list of HTTP status codes. */
export const statusCodeListSchema = z.array(statusCodeSchema, {
  error: 'expected an array of HTTP status codes (integers from 100 to 599)',
});

/** A non-empty string. */
export function nonEmptyStringSchema(what = 'a non-empty string') {
  return z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });
}

/** A string (possibly empty), for provider options passed through to adapters. */
export const plainStringSchema = z.string({ error: 'expected a string' });

/** A boolean. */
export const booleanSchema = z.boolean({ error: 'expected true or false' });

/** One of a fixed set of strings. */
export function enumSchema<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}` });
}

/** A JSON object whose contents are kept exactly as written (never renamed or validated inside). */
export const opaqueObjectSchema = z.record(z.string(), z.unknown(), { error: 'expected an object' });
