import { createRequire } from 'node:module';
import { compileLinearRegex } from '@pk/config';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';

/**
 * JSON Schema (draft 2020-12, as Portkey's `@cfworker/json-schema` setup) compiled with Ajv, a
 * well-kept validator that also checks the schema itself against the meta-schema, so a schema that
 * is not one is refused when the config is parsed. Schemas arrive in request configs, so their
 * `pattern`s run on the linear-time engine (RE2) instead of V8's backtracking one.
 */

type FormatsPlugin = (ajv: Ajv2020, options: { mode: 'fast' }) => Ajv2020;
// Ajv (CommonJS) is loaded, synchronously, by the first schema compiled: not at import.
const requireModule = createRequire(import.meta.url);
function addFormats(ajv: Ajv2020, options: { mode: 'fast' }): Ajv2020 {
  const formatsModule = requireModule('ajv-formats') as { default?: FormatsPlugin } | FormatsPlugin;
  const plugin = typeof formatsModule === 'function' ? formatsModule : formatsModule.default;
  if (plugin === undefined) throw new Error('ajv-formats has no plugin export');
  return plugin(ajv, options);
}

function linearRegExp(pattern: string, flags: string): { test(text: string): boolean; toString(): string } {
  const compiled = compileLinearRegex(pattern);
  if (!compiled.ok) throw new Error(`pattern "${pattern}" cannot run on RE2: ${compiled.reason}`);
  const { regex } = compiled;
  // Ajv keys compiled patterns by `toString()`: it must name the pattern.
  return { test: (text) => regex.test(text), toString: () => `/${pattern}/${flags}` };
}
linearRegExp.code = 'linearRegExp';

let shared: Ajv2020 | undefined;

function ajv(): Ajv2020 {
  if (shared !== undefined) return shared;
  const { Ajv2020: Validator } = requireModule('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  shared = addFormats(
    new Validator({
      allErrors: true,
      strict: false,
      logger: false,
      code: { regExp: linearRegExp },
    }),
    { mode: 'fast' },
  );
  return shared;
}

/** A compiled schema, or why it is not one. */
export type CompiledSchema =
  | { readonly ok: true; readonly validate: ValidateFunction }
  | { readonly ok: false; readonly reason: string };

/** Compiles a JSON Schema; the shared validator keeps nothing of it afterwards. */
export function compileJsonSchema(schema: Record<string, unknown>): CompiledSchema {
  const validator = ajv();
  try {
    // `$id`s would make a second config with the same id collide in the shared instance.
    const { $id: _ignored, ...withoutId } = schema;
    const validate = validator.compile(withoutId);
    validator.removeSchema(withoutId);
    return { ok: true, validate };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : 'not a JSON Schema' };
  }
}

/** An Ajv error as Portkey shows validation errors: `{ path, message }`. */
export function describeSchemaError(error: ErrorObject): { path: string; message: string } {
  return { path: error.instancePath || '/', message: error.message ?? 'is invalid' };
}
