import { Validator } from '@cfworker/json-schema';
import configSchema from '@pk/config/config.schema.json';

/** A problem in the config being edited, at its path in `parseConfig`'s form (`config.targets[0].provider`). */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** `#/targets/0/retry` (JSON Pointer) as `config.targets[0].retry`. */
export function pointerToPath(pointer: string): string {
  const parts = pointer
    .replace(/^#\/?/, '')
    .split('/')
    .filter((part) => part !== '');
  let path = 'config';
  for (const raw of parts) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(part) ? `[${part}]` : `.${part}`;
  }
  return path;
}

// @cfworker/json-schema validates without generating code (no eval: the console's CSP forbids it).
const validator = new Validator(configSchema as object, '7', false);

/**
 * Checks the editor's text as you type: JSON syntax first, then the config JSON Schema (the
 * schema @pk/config generates from the same model as `parseConfig`). The gateway's own check
 * (`parseConfig` and the guardrail references) runs after, on a pause in typing.
 */
export function validateConfigText(text: string): ConfigIssue[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return [{ path: 'config', message: `not JSON: ${(error as Error).message}` }];
  }
  const result = validator.validate(value);
  if (result.valid) return [];
  // The innermost errors say what is wrong; the outer ones repeat "a property failed".
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const error of result.errors) {
    if (error.keyword === 'properties' || error.keyword === 'items' || error.keyword === 'allOf') continue;
    const path = pointerToPath(error.instanceLocation);
    const key = `${path} ${error.error}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ path, message: error.error });
  }
  return issues.length > 0 ? issues : [{ path: 'config', message: 'does not match the config schema' }];
}
