// @ts-check
// Loads the price list bundled in the pinned @pydantic/genai-prices (a dev dependency: the gateway
// never loads it). Shared by the generator and the test that keeps the committed data up to date.
import { readFileSync } from 'node:fs';

/**
 * The pinned source. To move to a newer version: change the devDependency and these fields (the day
 * comes from `npm view @pydantic/genai-prices time`), then run `pnpm --filter @pk/prices generate`.
 * @type {import('../src/price-data-format.js').PriceDataSource}
 */
export const PINNED_SOURCE = {
  package: '@pydantic/genai-prices',
  version: '0.1.8',
  published: '2026-09-23',
  licence: 'MIT',
  homepage: 'https://github.com/pydantic/genai-prices',
};

/**
 * The installed package's provider list, after checking it is the pinned version. `waitForUpdate()`
 * resolves to the data bundled in the package (no network: nothing here calls `updatePrices`).
 * @returns {Promise<import('./build-price-data.mjs').SourceProvider[]>}
 */
export async function loadSourceProviders() {
  const entry = import.meta.resolve(PINNED_SOURCE.package);
  const manifest = JSON.parse(readFileSync(new URL('../package.json', entry), 'utf8'));
  if (manifest.version !== PINNED_SOURCE.version || manifest.license !== PINNED_SOURCE.licence) {
    throw new Error(
      `installed ${PINNED_SOURCE.package} is ${manifest.version} (${manifest.license}), pinned ${PINNED_SOURCE.version} (${PINNED_SOURCE.licence}): update scripts/load-source.mjs`,
    );
  }
  const { waitForUpdate } = await import(PINNED_SOURCE.package);
  const providers = await waitForUpdate();
  if (!Array.isArray(providers)) throw new Error(`${PINNED_SOURCE.package} returned no provider list`);
  // A deep copy, so nothing the package keeps can change under the generator.
  return JSON.parse(JSON.stringify(providers));
}
