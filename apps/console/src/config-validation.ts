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

/** One error of the validator: the keyword that failed, where in the schema and in the config. */
export interface SchemaError {
  readonly keyword: string;
  readonly keywordLocation: string;
  readonly instanceLocation: string;
  readonly error: string;
}

/** Keywords whose error only says that something inside failed (the inner errors say what). */
const WRAPPERS = new Set(['properties', 'items', 'allOf', '$ref', 'anyOf', 'oneOf', 'additionalProperties']);
/** An enum longer than this is named by its first values (the provider ids are 80). */
const ENUM_SHOWN = 8;

const quoted = (values: readonly unknown[]) => values.map((value) => JSON.stringify(value));
/** `a`, `b` or `c`. */
const either = (words: readonly string[]) =>
  words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
const withArticle = (type: string) =>
  type === 'null' ? 'null' : `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;

/** The schema node a keyword location names (`#/properties/targets/$ref/items/...`), `$ref`s followed. */
function schemaAt(root: unknown, keywordLocation: string): unknown {
  let node: unknown = root;
  for (const raw of keywordLocation.replace(/^#\/?/, '').split('/')) {
    if (raw === '' || node === null || typeof node !== 'object') continue;
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const next = (node as Record<string, unknown>)[part];
    node = part === '$ref' && typeof next === 'string' ? schemaAt(root, next) : next;
  }
  return node;
}

/** The types a `type` error expected and the one it got; undefined for another wording. */
function typeMismatch(error: SchemaError): { expected: string[]; got: string } | undefined {
  const match = /^Instance type "(\w+)" is invalid\. Expected (.+)\.$/.exec(error.error);
  if (!match?.[1] || !match[2]) return undefined;
  return { expected: [...match[2].matchAll(/"(\w+)"/g)].map((each) => each[1] as string), got: match[1] };
}

/**
 * What the config must be, in plain words, for one of the validator's errors (its own wording names
 * its internals: "Instance type … is invalid", "String does not match pattern.", a list of 80 ids).
 */
export function plainMessage(error: SchemaError, schema: unknown = configSchema): string {
  const text = error.error;
  const type = typeMismatch(error);
  if (type) return `must be ${either(type.expected.map(withArticle))}, not ${withArticle(type.got)}`;
  if (error.keyword === 'enum') {
    const values = schemaAt(schema, error.keywordLocation);
    if (Array.isArray(values)) {
      return values.length <= ENUM_SHOWN
        ? `must be ${either(quoted(values))}`
        : `must be a known value such as ${either(quoted(values.slice(0, 3)))} (one of ${values.length})`;
    }
  }
  if (error.keyword === 'pattern') {
    const pattern = schemaAt(schema, error.keywordLocation);
    if (typeof pattern === 'string') return `must match ${pattern}`;
  }
  const items = /^Array has too (few|many) items \((\d+) [<>] (\d+)\)\.$/.exec(text);
  if (items) {
    const limit = Number(items[3]);
    return `needs ${items[1] === 'few' ? 'at least' : 'at most'} ${limit} item${limit === 1 ? '' : 's'}, has ${items[2]}`;
  }
  const bound = /^(.+) is (less|greater) than (or equal to )?\s*(.+)\.$/.exec(text);
  if (bound) {
    const least = bound[2] === 'less';
    const word = bound[3] ? (least ? 'more than' : 'less than') : least ? 'at least' : 'at most';
    return `must be ${word} ${bound[4]}, is ${bound[1]}`;
  }
  const length = /too (short|long) \((\d+) [<>] (\d+)\)\.$/.exec(text);
  if (length) {
    return `needs ${length[1] === 'short' ? 'at least' : 'at most'} ${length[3]} character${length[3] === '1' ? '' : 's'}, has ${length[2]}`;
  }
  const required = /^Instance does not have required property "(.+)"\.$/.exec(text);
  if (required) return `needs the field "${required[1]}"`;
  return text.replace(/\.$/, '');
}

/**
 * The validator's errors as the editor's issues: the wrappers left out (their inner errors say what
 * failed), each in plain words, and the alternatives of an `anyOf` one issue (`must be a string or
 * an object, not a number`; `must be a known value such as … or must match ^@…`).
 */
export function schemaIssues(errors: readonly SchemaError[], schema: unknown = configSchema): ConfigIssue[] {
  const alternatives = errors.filter((error) => error.keyword === 'anyOf' || error.keyword === 'oneOf');
  const groups = new Map<string, SchemaError[]>();
  const order: string[] = [];
  for (const error of errors) {
    if (WRAPPERS.has(error.keyword)) continue;
    // An error of an alternative at the alternatives' own place joins them; deeper ones stand alone.
    const owner = alternatives.find(
      (each) =>
        each.instanceLocation === error.instanceLocation &&
        error.keywordLocation.startsWith(`${each.keywordLocation}/`),
    );
    const key = owner
      ? `any ${owner.keywordLocation}`
      : `one ${error.keywordLocation} ${error.instanceLocation}`;
    if (!groups.has(key)) {
      groups.set(key, []);
      order.push(key);
    }
    groups.get(key)?.push(error);
  }
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const key of order) {
    const group = groups.get(key) ?? [];
    const first = group[0];
    if (!first) continue;
    const mismatches = group.map(typeMismatch);
    let message: string;
    if (group.length > 1 && mismatches.every((each) => each !== undefined)) {
      // Every alternative wants another type: one sentence naming them all.
      const expected = [...new Set(mismatches.flatMap((each) => each?.expected ?? []))];
      message = `must be ${either(expected.map(withArticle))}, not ${withArticle(mismatches[0]?.got ?? '')}`;
    } else {
      // A wrong type said once; the alternatives' other requirements after it.
      const wrongType = group.find((error) => typeMismatch(error) !== undefined);
      const said = wrongType ? [wrongType] : group;
      message = either([...new Set(said.map((error) => plainMessage(error, schema)))]);
    }
    const path = pointerToPath(first.instanceLocation);
    if (seen.has(`${path} ${message}`)) continue;
    seen.add(`${path} ${message}`);
    issues.push({ path, message });
  }
  return issues;
}

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
  const issues = schemaIssues(result.errors);
  return issues.length > 0 ? issues : [{ path: 'config', message: 'does not match the config schema' }];
}
