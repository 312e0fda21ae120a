import { PkError } from '@pk/config';
import { isJsonObject } from '../shared/json.js';

type JsonObject = Record<string, unknown>;

/**
 * The fields of Gemini's `Schema` object (a subset of OpenAPI 3.0), which `responseSchema` and
 * `functionDeclarations[].parameters` take; anything else is refused with a 400.
 * @see https://ai.google.dev/api/caching#Schema
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/reference/rest/v1/Schema
 */
const SCHEMA_FIELDS = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'maxItems',
  'minItems',
  'properties',
  'required',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'anyOf',
  'propertyOrdering',
  'default',
  'items',
  'minimum',
  'maximum',
]);

/**
 * The `format`s the Gemini API accepts for each type: any other is a 400 for the whole request
 * ("only 'enum' and 'date-time' are supported for STRING type", which Pydantic's `email` or an MCP
 * tool's `uri` meet). Vertex AI takes other string formats (`email`, `byte` …), so there they stay.
 * @see https://ai.google.dev/api/caching#Schema
 */
const GEMINI_API_FORMATS: Readonly<Record<string, readonly string[]>> = {
  string: ['enum', 'date-time'],
  number: ['float', 'double'],
  integer: ['int32', 'int64'],
};

/** Removed without a warning, as always: OpenAI strict-mode markers that constrain nothing Gemini checks. */
const SILENTLY_REMOVED = new Set(['$schema', 'additionalProperties', 'strict', '$defs', 'definitions']);

/** Where a schema is converted: warnings, the provider they name, the request field it came from. */
export interface GoogleSchemaOptions {
  /** Receives one warning listing the keywords dropped, if any. */
  readonly warnings: string[];
  /** `google` or `vertex-ai`. */
  readonly provider: string;
  /** The request field (`response_format.json_schema.schema`, `tools.0.function.parameters`). */
  readonly param: string;
}

interface State extends GoogleSchemaOptions {
  readonly definitions: JsonObject;
  readonly dropped: Set<string>;
  /** The `$ref`s being inlined around this node, to refuse recursion. */
  readonly resolving: readonly string[];
}

/**
 * A JSON Schema (as OpenAI clients and Pydantic write it) → Gemini's OpenAPI `Schema` subset: local
 * `$ref`s into `$defs`/`definitions` inlined (a recursive or non-local one is refused with a 400: the
 * subset cannot express it), `type: [T, "null"]` → `type: T, nullable: true`, an `anyOf`/`oneOf` with a
 * `{"type": "null"}` member → the other member (or an `anyOf` of the others) + `nullable`, `oneOf` →
 * `anyOf`, a one-member `allOf` inlined, a string `const` → `enum: [value]`, `null` in an `enum` →
 * `nullable`. Keywords the subset lacks (`exclusiveMinimum`, `prefixItems`, `not` …), and for the Gemini
 * API a `format` it does not accept for the type (`email`, `uri` …), are dropped and listed in one warning; `$schema`, `additionalProperties` and `strict` are dropped silently. A schema
 * already in the subset comes out unchanged.
 */
export function toGoogleSchema(schema: unknown, options: GoogleSchemaOptions): unknown {
  if (!isJsonObject(schema)) return schema;
  const definitions = {
    ...(isJsonObject(schema.definitions) ? schema.definitions : {}),
    ...(isJsonObject(schema.$defs) ? schema.$defs : {}),
  };
  const state: State = { ...options, definitions, dropped: new Set(), resolving: [] };
  const converted = convert(schema, state);
  if (state.dropped.size > 0) {
    options.warnings.push(
      `schema keywords not supported by ${options.provider} were dropped from ${options.param}: ${[...state.dropped].sort().join(', ')}`,
    );
  }
  return converted;
}

function refused(state: State, message: string): PkError {
  return new PkError('PK_ERR_INVALID_REQUEST', `${state.param}: ${message}`, { param: state.param });
}

function inlineReference(schema: JsonObject, ref: string, state: State): unknown {
  const name = /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(ref)?.[1];
  const target = name === undefined ? undefined : state.definitions[decodeURIComponent(name)];
  if (!isJsonObject(target)) {
    throw refused(state, `$ref '${ref}' is not a local definition ($defs or definitions) to inline`);
  }
  if (state.resolving.includes(ref)) {
    throw refused(state, `recursive $ref '${ref}' cannot be expressed in ${state.provider}'s schema`);
  }
  const { $ref: _ref, ...siblings } = schema;
  return convert({ ...target, ...siblings }, { ...state, resolving: [...state.resolving, ref] });
}

function isNullSchema(member: unknown): boolean {
  return isJsonObject(member) && member.type === 'null';
}

function convert(schema: unknown, state: State): unknown {
  if (!isJsonObject(schema)) return schema;
  if (typeof schema.$ref === 'string') return inlineReference(schema, schema.$ref, state);
  const out: JsonObject = {};
  // A union narrowed to one member: its fields come first, the node's own win.
  let inlined: JsonObject | undefined;
  let nullable = false;
  for (const [key, value] of Object.entries(schema)) {
    if (SILENTLY_REMOVED.has(key)) continue;
    if (key === 'type' && Array.isArray(value)) {
      const types = value.filter((type) => type !== 'null');
      nullable ||= types.length < value.length;
      if (types.length === 1) out.type = types[0];
      else if (types.length > 1) out.anyOf = types.map((type) => ({ type }));
    } else if (key === 'const') {
      if (typeof value === 'string') out.enum = [value];
      else if (value === null) nullable = true;
      else state.dropped.add(key);
    } else if (key === 'enum' && Array.isArray(value)) {
      nullable ||= value.includes(null);
      out.enum = value.filter((member) => member !== null);
    } else if ((key === 'anyOf' || key === 'oneOf' || key === 'allOf') && Array.isArray(value)) {
      const members = key === 'allOf' ? value : value.filter((member) => !isNullSchema(member));
      nullable ||= members.length < value.length;
      if (members.length === 1) inlined = convert(members[0], state) as JsonObject;
      else if (key === 'allOf') state.dropped.add(key);
      else if (members.length > 1) out.anyOf = members.map((member) => convert(member, state));
    } else if (key === 'properties' && isJsonObject(value)) {
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, inner]) => [name, convert(inner, state)]),
      );
    } else if (key === 'items' && !Array.isArray(value)) {
      out.items = convert(value, state);
    } else if (SCHEMA_FIELDS.has(key) && key !== 'items') {
      out[key] = value;
    } else {
      state.dropped.add(key);
    }
  }
  const merged = inlined === undefined ? out : { ...inlined, ...out };
  if (merged.enum !== undefined && merged.type === undefined && typeof schema.const === 'string') {
    merged.type = 'string';
  }
  if (nullable) merged.nullable = true;
  if (state.provider === 'google' && typeof merged.format === 'string') {
    const allowed = GEMINI_API_FORMATS[String(merged.type).toLowerCase()] ?? [];
    if (!allowed.includes(merged.format)) {
      state.dropped.add(`format '${merged.format}'`);
      delete merged.format;
    }
  }
  return merged;
}
