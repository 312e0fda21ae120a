import { z } from 'zod';
import { settingsFileSchema } from './settings-schema.js';

/** The JSON Schema of the settings file, generated from its zod schema (the single source of truth). */
export function settingsJsonSchema(): Record<string, unknown> {
  return {
    $id: 'urn:pk:gateway:settings',
    title: 'pk gateway settings',
    ...z.toJSONSchema(settingsFileSchema, { target: 'draft-7' }),
  };
}
