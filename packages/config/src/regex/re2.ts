import { createRequire } from 'node:module';
import type { RE2JS as RE2JSClass } from 're2js';

let loaded: typeof RE2JSClass | undefined;

/**
 * RE2JS (its CommonJS build), loaded synchronously by the first pattern compiled: a gateway whose
 * configs have no `$regex`, regex guardrail or JSON Schema `pattern` never holds it.
 */
export function re2(): typeof RE2JSClass {
  loaded ??= (createRequire(import.meta.url)('re2js') as typeof import('re2js')).RE2JS;
  return loaded;
}
