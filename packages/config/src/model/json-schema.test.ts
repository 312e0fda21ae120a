import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { INVALID_CONFIGS, VALID_CONFIGS } from './__fixtures__/fixtures.js';
import { createConfigJsonSchema } from './json-schema.js';

const schema = createConfigJsonSchema();
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

describe('the exported JSON Schema', () => {
  it('is draft-07 with an $id', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toBe('https://pk.dev/schemas/config.schema.json');
  });

  it.each(VALID_CONFIGS.map((fixture) => [fixture.name, fixture] as const))(
    'accepts valid %s',
    (_, fixture) => {
      expect(validate(fixture.config), JSON.stringify(validate.errors)).toBe(true);
    },
  );

  const rejected = INVALID_CONFIGS.filter((fixture) => fixture.jsonSchema);
  it('rejects at least 10 of the invalid fixtures', () => {
    expect(rejected.length).toBeGreaterThanOrEqual(10);
  });

  it.each(rejected.map((fixture) => [fixture.name, fixture] as const))('rejects invalid %s', (_, fixture) => {
    expect(validate(fixture.config)).toBe(false);
  });

  it.each(
    INVALID_CONFIGS.filter((fixture) => !fixture.jsonSchema).map(
      (fixture) => [fixture.name, fixture] as const,
    ),
  )('leaves cross-field rule %s to parseConfig', (_, fixture) => {
    expect(validate(fixture.config), JSON.stringify(validate.errors)).toBe(true);
  });

  it('allows unknown keys (parseConfig drops them with a warning)', () => {
    expect(validate({ virtual_key: 'vk', some_future_key: true })).toBe(true);
  });
});
