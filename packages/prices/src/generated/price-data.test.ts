import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildPriceData,
  MAX_PRICE_PER_AUDIO_HOUR as GENERATOR_AUDIO_MAX,
  MIN_PRICE_PER_AUDIO_HOUR as GENERATOR_AUDIO_MIN,
  MAX_PRICE_PER_MTOK as GENERATOR_MAX,
  MIN_PRICE_PER_MTOK as GENERATOR_MIN,
  renderPriceDataModule,
} from '../../scripts/build-price-data.mjs';
import { loadSourceProviders, PINNED_SOURCE } from '../../scripts/load-source.mjs';
import {
  MAX_PRICE_PER_AUDIO_HOUR,
  MAX_PRICE_PER_MTOK,
  MAX_PRICE_PER_REQUEST,
  MIN_PRICE_PER_AUDIO_HOUR,
  MIN_PRICE_PER_MTOK,
} from '../price-bounds.js';
import type { ModelPriceData, PriceData, RateData } from '../price-data-format.js';
import { PRICE_DATA_JSON, PRICE_DATA_SOURCE } from './price-data.js';

const data = JSON.parse(PRICE_DATA_JSON) as PriceData;

describe('the committed price data', () => {
  it('is exactly what the generator writes from the pinned @pydantic/genai-prices', async () => {
    const expected = renderPriceDataModule(buildPriceData(await loadSourceProviders(), PINNED_SOURCE));
    const committed = readFileSync(new URL('./price-data.ts', import.meta.url), 'utf8');
    if (committed !== expected) {
      const committedLines = committed.split('\n');
      const expectedLines = expected.split('\n');
      const line = committedLines.findIndex((text, index) => text !== expectedLines[index]);
      expect.fail(
        `src/generated/price-data.ts is stale (first difference at line ${line + 1}): run \`pnpm --filter @pk/prices generate\``,
      );
    }
  });

  it('records its source, version and publication day, matching the pinned devDependency', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(manifest.devDependencies[PRICE_DATA_SOURCE.package]).toBe(PRICE_DATA_SOURCE.version);
    expect(PRICE_DATA_SOURCE).toEqual({
      package: '@pydantic/genai-prices',
      version: '0.1.8',
      published: '2026-09-23',
      licence: 'MIT',
      homepage: 'https://github.com/pydantic/genai-prices',
    });
    expect(data.source).toEqual(PRICE_DATA_SOURCE);
  });

  it('holds only prices of a plausible magnitude per 1M tokens (a per-token price would be < 0.001)', () => {
    const rates = (rate: RateData): number[] =>
      typeof rate === 'number' ? [rate] : [rate.base, ...rate.tiers.map(([, price]) => price)];
    const offenders: string[] = [];
    let checked = 0;
    for (const [tableId, table] of Object.entries(data.tables)) {
      for (const [modelId, entry] of table.models) {
        const priceSets: (ModelPriceData | null)[] = Array.isArray(entry)
          ? entry.map((variant) => variant.prices)
          : [entry as ModelPriceData | null];
        for (const prices of priceSets) {
          for (const [kind, rate] of Object.entries(prices ?? {})) {
            if (kind === 'min_audio_seconds') continue;
            if (kind === 'per_audio_hour') {
              if (!(rate >= MIN_PRICE_PER_AUDIO_HOUR && rate <= MAX_PRICE_PER_AUDIO_HOUR))
                offenders.push(`${tableId}/${modelId} ${kind}=${rate}`);
              continue;
            }
            if (kind === 'per_request') {
              if (!(rate >= 0 && rate <= MAX_PRICE_PER_REQUEST))
                offenders.push(`${tableId}/${modelId} ${kind}`);
              continue;
            }
            for (const value of rates(rate as RateData)) {
              checked += 1;
              if (value !== 0 && (value < MIN_PRICE_PER_MTOK || value > MAX_PRICE_PER_MTOK)) {
                offenders.push(`${tableId}/${modelId} ${kind}=${value}`);
              }
            }
          }
        }
      }
    }
    expect(offenders).toEqual([]);
    expect(checked).toBeGreaterThan(3000);
  });

  it('uses the same magnitude bounds in the generator and in the override schema', () => {
    expect([GENERATOR_MIN, GENERATOR_MAX]).toEqual([MIN_PRICE_PER_MTOK, MAX_PRICE_PER_MTOK]);
    expect([GENERATOR_AUDIO_MIN, GENERATOR_AUDIO_MAX]).toEqual([
      MIN_PRICE_PER_AUDIO_HOUR,
      MAX_PRICE_PER_AUDIO_HOUR,
    ]);
  });

  it('points every exact id and pattern at a model of its table', () => {
    for (const table of Object.values(data.tables)) {
      for (const index of Object.values(table.ids)) expect(table.models[index]).toBeDefined();
      for (const [index] of table.patterns) expect(table.models[index]).toBeDefined();
      for (const fallback of table.fallbacks ?? []) expect(data.tables[fallback]).toBeDefined();
    }
  });
});

describe('the generator', () => {
  const provider = (prices: Record<string, unknown>) => [
    { id: 'acme', name: 'Acme', models: [{ id: 'acme-1', match: { equals: 'acme-1' }, prices }] },
  ];
  const build = (prices: Record<string, unknown>) =>
    // biome-ignore lint/suspicious/noExplicitAny: deliberately malformed source data
    buildPriceData(provider(prices) as any, PINNED_SOURCE);

  it('refuses a per-token price where a per-1M price belongs (GPT-4o input, $2.50/1M, as 0.0000025)', () => {
    expect(() => build({ input_mtok: 0.0000025, output_mtok: 10 })).toThrow(/unit mistake/);
  });

  it('refuses the reverse mistake (a per-1M price multiplied by 1M again)', () => {
    expect(() => build({ input_mtok: 2_500_000, output_mtok: 10 })).toThrow(/unit mistake/);
  });

  it('refuses a tier price of the wrong magnitude too', () => {
    expect(() => build({ input_mtok: { base: 3, tiers: [{ start: 200_000, price: 0.000006 }] } })).toThrow(
      /unit mistake/,
    );
  });

  it('keeps a model priced only in units pk cannot count as known but unpriced, and {} as free', () => {
    expect(build({ input_document_kpages: 2 }).tables.acme?.models).toEqual([['acme-1', null]]);
    // Total audio hours (a voice model's, both ways) are not input audio: not counted either.
    expect(build({ audio_hours: 3 }).tables.acme?.models).toEqual([['acme-1', null]]);
    expect(build({}).tables.acme?.models).toEqual([['acme-1', {}]]);
  });

  it('keeps a price per hour of input audio (whisper-1: $0.36, i.e. $0.006 a minute)', () => {
    expect(build({ audio_hours: 0.36, input_audio_hours: 0.36 }).tables.acme?.models).toEqual([
      ['acme-1', { per_audio_hour: 0.36 }],
    ]);
  });

  it('refuses a per-minute or per-second audio price read as per hour', () => {
    expect(() => build({ input_audio_hours: 0.006 })).toThrow(/unit mistake/);
    expect(() => build({ input_audio_hours: 0.0001 })).toThrow(/unit mistake/);
    expect(() => build({ input_audio_hours: 5_000 })).toThrow(/unit mistake/);
  });

  it('converts a per-1,000-requests fee to USD per request', () => {
    expect(build({ input_mtok: 1, output_mtok: 1, requests_kcount: 12 }).tables.acme?.models).toEqual([
      ['acme-1', { input: 1, output: 1, per_request: 0.012 }],
    ]);
  });
});
