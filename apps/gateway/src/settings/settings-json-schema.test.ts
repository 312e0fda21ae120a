import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { settingsJsonSchema } from './settings-json-schema.js';

const published = new URL('../../settings.schema.json', import.meta.url);

describe('settings JSON Schema', () => {
  it('the published settings.schema.json is up to date (regenerate: pnpm --filter @pk/gateway gen:schema)', () => {
    expect(JSON.parse(readFileSync(published, 'utf8'))).toEqual(settingsJsonSchema());
  });

  it('describes every section and refuses unknown ones', () => {
    const schema = settingsJsonSchema() as {
      properties: Record<string, unknown>;
      additionalProperties: unknown;
    };
    expect(Object.keys(schema.properties).sort()).toEqual(
      [
        'allowed_origins',
        'configs',
        'gateway_keys',
        'guardrails',
        'limits',
        'metadata_limits',
        'prices',
        'semantic_cache',
        'trusted_custom_hosts',
        'virtual_keys',
      ].sort(),
    );
    expect(schema.additionalProperties).toBe(false);
  });
});
