import { isJsonObject } from '../shared/json.js';

/** Keywords OpenAI's strict mode does not take (composition and conditional schemas). */
const UNSUPPORTED_KEYWORDS = [
  'allOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
  'patternProperties',
  'dependentRequired',
  'dependentSchemas',
] as const;

/** Keywords whose value is one subschema. */
const SUBSCHEMA_KEYWORDS = ['items', 'additionalItems', 'contains'] as const;
/** Keywords whose value is a list of subschemas. */
const SUBSCHEMA_LIST_KEYWORDS = ['anyOf', 'prefixItems'] as const;
/** Keywords whose value maps names to subschemas. */
const SUBSCHEMA_MAP_KEYWORDS = ['properties', '$defs', 'definitions'] as const;

function objectProblem(schema: Readonly<Record<string, unknown>>, path: string): string | undefined {
  const properties = isJsonObject(schema.properties) ? Object.keys(schema.properties) : [];
  if (schema.additionalProperties !== false) return `${path} does not set additionalProperties: false`;
  const required = Array.isArray(schema.required) ? schema.required : [];
  const optional = properties.find((name) => !required.includes(name));
  if (optional !== undefined) return `${path}.properties.${optional} is not listed in required`;
  return undefined;
}

function problemAt(schema: unknown, path: string): string | undefined {
  if (!isJsonObject(schema)) return undefined;
  const keyword = UNSUPPORTED_KEYWORDS.find((name) => schema[name] !== undefined);
  if (keyword !== undefined) return `${path} uses ${keyword}`;
  const isObject = schema.type === 'object' || (Array.isArray(schema.type) && schema.type.includes('object'));
  if (isObject || isJsonObject(schema.properties)) {
    const problem = objectProblem(schema, path);
    if (problem !== undefined) return problem;
  }
  for (const name of SUBSCHEMA_KEYWORDS) {
    const problem = problemAt(schema[name], `${path}.${name}`);
    if (problem !== undefined) return problem;
  }
  for (const name of SUBSCHEMA_LIST_KEYWORDS) {
    const list = schema[name];
    if (!Array.isArray(list)) continue;
    for (const [index, entry] of list.entries()) {
      const problem = problemAt(entry, `${path}.${name}.${index}`);
      if (problem !== undefined) return problem;
    }
  }
  for (const name of SUBSCHEMA_MAP_KEYWORDS) {
    const map = schema[name];
    if (!isJsonObject(map)) continue;
    for (const [key, entry] of Object.entries(map)) {
      const problem = problemAt(entry, `${path}.${name}.${key}`);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

/**
 * Why a JSON schema cannot be used in OpenAI's strict mode (`strict: true`, where the answer is
 * guaranteed to match), or `undefined` when it can: the root is an object; every object sets
 * `additionalProperties: false` and lists all its properties in `required`; no `allOf`, `oneOf`, `not`,
 * conditional or pattern keywords. The reason names the place in the schema (`schema.properties.city`).
 * @see https://platform.openai.com/docs/guides/structured-outputs#supported-schemas
 */
export function strictSchemaProblem(schema: unknown): string | undefined {
  if (!isJsonObject(schema) || schema.type !== 'object') return 'its root is not an object schema';
  return problemAt(schema, 'schema');
}
