import { createRequire } from 'node:module';
import type { RE2JS as RE2JSClass } from 're2js';
import { toRe2Escapes } from './js-escapes.js';

let loaded: typeof RE2JSClass | undefined;

/**
 * RE2JS (its CommonJS build), loaded synchronously by the first pattern compiled: a gateway whose
 * configs have no `$regex`, regex guardrail or JSON Schema `pattern` never holds it.
 */
export function re2(): typeof RE2JSClass {
  loaded ??= (createRequire(import.meta.url)('re2js') as typeof import('re2js')).RE2JS;
  return loaded;
}

/**
 * Compiles a pattern written for JavaScript's `RegExp` on RE2JS: JavaScript's `\uXXXX` escapes are
 * rewritten into RE2's `\x{XXXX}` first ({@link toRe2Escapes}). Throws RE2JS's error when the
 * pattern cannot run there (backreferences, lookaround, broken syntax).
 */
export function compileRe2(source: string, flags = 0): RE2JSClass {
  return re2().compile(toRe2Escapes(source), flags);
}
