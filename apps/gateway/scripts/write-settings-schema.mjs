// Regenerates settings.schema.json from the zod schema (run after a build).
import { writeFileSync } from 'node:fs';
import { settingsJsonSchema } from '../dist/index.js';

writeFileSync(
  new URL('../settings.schema.json', import.meta.url),
  `${JSON.stringify(settingsJsonSchema(), null, 2)}\n`,
);
