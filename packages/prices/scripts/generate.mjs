// @ts-check
// `pnpm --filter @pk/prices generate`: writes src/generated/price-data.ts from the pinned
// @pydantic/genai-prices. Deterministic: the same pinned version always writes the same bytes.
import { writeFileSync } from 'node:fs';
import { buildPriceData, renderPriceDataModule } from './build-price-data.mjs';
import { loadSourceProviders, PINNED_SOURCE } from './load-source.mjs';

const data = buildPriceData(await loadSourceProviders(), PINNED_SOURCE);
const text = renderPriceDataModule(data);
const target = new URL('../src/generated/price-data.ts', import.meta.url);
writeFileSync(target, text);

const tables = Object.values(data.tables);
const models = tables.reduce((sum, table) => sum + table.models.length, 0);
const priced = tables.reduce(
  (sum, table) => sum + table.models.filter(([, prices]) => prices !== null).length,
  0,
);
console.log(
  `wrote ${target.pathname}: ${PINNED_SOURCE.package} ${PINNED_SOURCE.version}, ${tables.length} tables, ` +
    `${models} models (${priced} priced per token or per audio hour), ${(Buffer.byteLength(text) / 1024).toFixed(1)} KiB`,
);
