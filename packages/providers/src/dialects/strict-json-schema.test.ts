import { describe, expect, it } from 'vitest';
import { strictSchemaProblem } from './strict-json-schema.js';

const object = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
  ...extra,
});

describe('strictSchemaProblem', () => {
  it('accepts a schema OpenAI’s strict mode takes, nested objects, arrays, anyOf and $defs included', () => {
    const schema = object(
      {
        city: { type: 'string', pattern: '^[A-Z]' },
        days: {
          type: 'array',
          items: object({ date: { type: 'string' }, rain: { type: ['number', 'null'] } }),
        },
        unit: { anyOf: [{ type: 'string', enum: ['C', 'F'] }, { $ref: '#/$defs/unit' }] },
      },
      { $defs: { unit: object({ name: { type: 'string' } }) } },
    );
    expect(strictSchemaProblem(schema)).toBeUndefined();
  });

  it('names the first place that keeps a schema from being strict', () => {
    expect(strictSchemaProblem({ type: 'array', items: { type: 'string' } })).toBe(
      'its root is not an object schema',
    );
    expect(strictSchemaProblem(undefined)).toBe('its root is not an object schema');
    expect(
      strictSchemaProblem({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }),
    ).toBe('schema does not set additionalProperties: false');
    expect(
      strictSchemaProblem(object({ days: { type: 'array', items: { type: 'object', properties: {} } } })),
    ).toBe('schema.properties.days.items does not set additionalProperties: false');
    expect(strictSchemaProblem({ ...object({ a: { type: 'string' } }), required: [] })).toBe(
      'schema.properties.a is not listed in required',
    );
    expect(strictSchemaProblem(object({ a: { oneOf: [{ type: 'string' }, { type: 'number' }] } }))).toBe(
      'schema.properties.a uses oneOf',
    );
    expect(strictSchemaProblem(object({}, { $defs: { d: { allOf: [] } } }))).toBe(
      'schema.$defs.d uses allOf',
    );
  });
});
