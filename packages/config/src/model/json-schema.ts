import { z } from 'zod';
import { configSchema } from '../schema/target.js';

/** `$id` of the published schema (`@pk/config/config.schema.json`). */
export const CONFIG_JSON_SCHEMA_ID = 'https://pk.dev/schemas/config.schema.json';

/** Rewrites `type: ["a", "b"]` as `anyOf`, which ajv accepts in strict mode without `allowUnionTypes`. */
function withoutTypeArrays(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutTypeArrays);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = withoutTypeArrays(value);
  const { type } = out;
  if (Array.isArray(type)) {
    delete out.type;
    out.anyOf = type.map((single: unknown) => ({ type: single }));
  }
  return out;
}

/**
 * The JSON Schema (draft-07, which `ajv` validates by default) of a snake_case config, generated from
 * the zod schema: types, enums, ranges, required keys and `minItems` are enforced; unknown keys are
 * allowed (pk drops them with a warning); cross-field rules, regex safety and custom-host checks
 * are `parseConfig`'s alone. The build writes it to `dist/config.schema.json`.
 */
export function createConfigJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(configSchema, { target: 'draft-7', io: 'input', unrepresentable: 'any' });
  return {
    ...(withoutTypeArrays(generated) as Record<string, unknown>),
    $id: CONFIG_JSON_SCHEMA_ID,
    title: 'pk / Portkey gateway config',
    description:
      'A Portkey-compatible routing config (https://portkey.ai/docs/api-reference/inference-api/config-object), snake_case.',
  };
}
