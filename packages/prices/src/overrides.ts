import { z } from 'zod';
import { freezePrices } from './compiled-table.js';
import {
  MAX_PRICE_PER_AUDIO_HOUR,
  MAX_PRICE_PER_MTOK,
  MAX_PRICE_PER_REQUEST,
  MIN_PRICE_PER_AUDIO_HOUR,
  MIN_PRICE_PER_MTOK,
} from './price-bounds.js';
import type { ModelPriceData } from './price-data-format.js';

/** The key that stands for "any provider" or "any model" in {@link PriceOverrides}. */
export const ANY = '*';

// Native min/max so the settings' JSON Schema carries the bounds; the per-token guard is a refinement.
const perMillion = z
  .number('expected a price in USD per 1M tokens')
  .min(0, 'a price cannot be negative')
  .max(
    MAX_PRICE_PER_MTOK,
    `prices are in USD per 1M tokens: a price above ${MAX_PRICE_PER_MTOK} is above any published price (is it in cents, or per 1B tokens?)`,
  )
  .refine(
    (value) => value === 0 || value >= MIN_PRICE_PER_MTOK,
    `prices are in USD per 1M tokens: a price below ${MIN_PRICE_PER_MTOK} looks like a per-token price (multiply it by 1,000,000)`,
  )
  .meta({ description: 'USD per 1M tokens' });

/**
 * The prices of one model, in **USD per 1M tokens** (`per_request` in USD per request). `input` and
 * `output` are required (write 0 for a model that is free or has no output, such as an embedding
 * model); the other kinds default to their parent's price: `cached_input`, `cache_write` and
 * `input_audio` to `input`, `reasoning` and `output_audio` to `output`; `cache_write_1h` (Anthropic's
 * 1-hour cache writes) to twice `input`. `per_audio_hour` prices speech-to-text by the hour of input
 * audio (whisper-1: 0.36, OpenAI's $0.006 a minute); a model priced only that way still needs `input`
 * and `output` (write 0).
 */
export const modelPriceOverrideSchema = z.strictObject({
  input: perMillion,
  output: perMillion,
  cached_input: perMillion.optional(),
  cache_write: perMillion.optional(),
  cache_write_1h: perMillion.optional(),
  reasoning: perMillion.optional(),
  input_audio: perMillion.optional(),
  output_audio: perMillion.optional(),
  per_request: z
    .number('expected a fee in USD per request')
    .min(0, 'a fee cannot be negative')
    .max(MAX_PRICE_PER_REQUEST, `expected a fee in USD per request, at most ${MAX_PRICE_PER_REQUEST}`)
    .meta({ description: 'USD per request' })
    .optional(),
  per_audio_hour: z
    .number('expected a price in USD per hour of audio')
    .min(0, 'a price cannot be negative')
    .max(
      MAX_PRICE_PER_AUDIO_HOUR,
      `expected a price in USD per hour of audio, at most ${MAX_PRICE_PER_AUDIO_HOUR}`,
    )
    .refine(
      (value) => value === 0 || value >= MIN_PRICE_PER_AUDIO_HOUR,
      `prices of audio are in USD per hour: a price below ${MIN_PRICE_PER_AUDIO_HOUR} looks like a price per minute (multiply it by 60) or per second (by 3,600)`,
    )
    .meta({ description: 'USD per hour of input audio' })
    .optional(),
});

/** One model's override prices. */
export type ModelPriceOverride = z.infer<typeof modelPriceOverrideSchema>;

const nonEmptyKey = z.string().trim().min(1, 'expected a non-empty name');

/**
 * The operator's price overrides (the gateway settings' `prices:` section): provider id → model id →
 * prices. A provider key is a pk provider id (`openai`, `bedrock`, …) or `*` for any provider; a model
 * key is a model id as requests name it (matched case-insensitively, dated snapshots and provider
 * prefixes included) or `*` for every model of that provider. `*` under `*` is refused: it would
 * replace every price. Overrides win over the built-in table.
 *
 * ```yaml
 * prices:
 *   openai:
 *     gpt-4o: { input: 2.5, output: 10, cached_input: 1.25 }   # USD per 1M tokens
 *   ollama:
 *     '*': { input: 0, output: 0 }                               # self-hosted: free
 *   '*':
 *     my-finetune: { input: 3, output: 12 }
 * ```
 */
export const priceOverridesSchema = z
  .record(nonEmptyKey, z.record(nonEmptyKey, modelPriceOverrideSchema))
  .superRefine((overrides, context) => {
    const providers = new Map<string, string>();
    for (const [provider, models] of Object.entries(overrides)) {
      const providerKey = provider.trim().toLowerCase();
      const earlierProvider = providers.get(providerKey);
      if (earlierProvider !== undefined) {
        context.addIssue({
          code: 'custom',
          path: [provider],
          message: `the same provider as '${earlierProvider}' (provider ids are matched case-insensitively)`,
        });
      }
      providers.set(providerKey, provider);
      const seen = new Map<string, string>();
      for (const model of Object.keys(models)) {
        if (provider.trim() === ANY && model.trim() === ANY) {
          context.addIssue({
            code: 'custom',
            path: [provider, model],
            message: "'*' for every model of every provider would replace the whole price table",
          });
        }
        const key = model.trim().toLowerCase();
        const earlier = seen.get(key);
        if (earlier !== undefined) {
          context.addIssue({
            code: 'custom',
            path: [provider, model],
            message: `the same model as '${earlier}' (model ids are matched case-insensitively)`,
          });
        }
        seen.set(key, model);
      }
    }
  });

/** The operator's price overrides (see {@link priceOverridesSchema}). */
export type PriceOverrides = z.infer<typeof priceOverridesSchema>;

/** Overrides as the lookup uses them: trimmed, lower-cased provider → model → prices. */
export type OverrideIndex = ReadonlyMap<string, ReadonlyMap<string, ModelPriceData>>;

/** Validates overrides (throws a `ZodError` with paths) and indexes them for lookups. */
export function indexOverrides(overrides: PriceOverrides): OverrideIndex {
  const parsed = priceOverridesSchema.parse(overrides);
  const index = new Map<string, Map<string, ModelPriceData>>();
  for (const [provider, models] of Object.entries(parsed)) {
    const providerKey = provider.trim().toLowerCase();
    let byModel = index.get(providerKey);
    if (byModel === undefined) {
      byModel = new Map();
      index.set(providerKey, byModel);
    }
    for (const [model, prices] of Object.entries(models)) {
      byModel.set(model.trim().toLowerCase(), withoutUndefined(prices));
    }
  }
  return index;
}

/** An override as price data: keys present only when set (the data type has no `undefined` values). */
function withoutUndefined(prices: ModelPriceOverride): ModelPriceData {
  return freezePrices(
    Object.fromEntries(Object.entries(prices).filter(([, value]) => value !== undefined)) as ModelPriceData,
  );
}
