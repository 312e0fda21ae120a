// Writes dist/config.schema.json (exported as `@pk/config/config.schema.json`) from the built
// package, after tsup: the JSON Schema is generated from the zod schema, never edited by hand.
import { writeFileSync } from 'node:fs';

const { createConfigJsonSchema } = await import(new URL('../dist/index.js', import.meta.url).href);
const target = new URL('../dist/config.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(createConfigJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
