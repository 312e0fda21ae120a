import { HOUR_CACHE_WRITE_INPUT_MULTIPLE, type ModelPriceData, type RateData } from './price-data-format.js';
import type { TokenParts } from './usage.js';

/** What a request cost, in USD, rounded to 12 decimal places (a picodollar) to drop float noise. */
export interface CostParts {
  /** Prompt tokens: text, cache reads, cache writes and audio. */
  readonly input_cost: number;
  /** Completion tokens: text, reasoning and audio. */
  readonly output_cost: number;
  /** `input_cost + output_cost` plus any per-request fee. */
  readonly cost: number;
}

const PER_MILLION = 1_000_000;

/** The price per 1M tokens for a request of `promptTokens`: above a tier's threshold, the tier's price. */
export function rateFor(rate: RateData | undefined, promptTokens: number): number | undefined {
  if (rate === undefined || typeof rate === 'number') return rate;
  let price = rate.base;
  for (const [above, tierPrice] of rate.tiers) if (promptTokens > above) price = tierPrice;
  return price;
}

// Below this, `value * 1e12` is an exact-enough safe integer to round; above it (over $9,000 for one
// request) a double has no picodollar digits left to clean.
const ROUNDABLE_BELOW = Number.MAX_SAFE_INTEGER / 1e12;

/** Rounds USD to 12 decimal places (a picodollar), so `0.1 + 0.2` reads `0.3`. */
export function roundUsd(value: number): number {
  return Math.abs(value) < ROUNDABLE_BELOW ? Math.round(value * 1e12) / 1e12 : value;
}

/**
 * Prices token parts. A kind without its own price is billed at its parent's (cache reads, cache
 * writes and input audio at the input price; reasoning and output audio at the output price), so a
 * token is billed exactly once; a 1-hour cache write without its own price at twice the input price.
 */
export function costOf(prices: ModelPriceData, parts: TokenParts): CostParts {
  const input = rateFor(prices.input, parts.prompt) ?? 0;
  const output = rateFor(prices.output, parts.prompt) ?? 0;
  const inputPerMillion =
    parts.textInput * input +
    parts.cachedInput * (rateFor(prices.cached_input, parts.prompt) ?? input) +
    parts.cacheWrite * (rateFor(prices.cache_write, parts.prompt) ?? input) +
    parts.cacheWrite1h *
      (rateFor(prices.cache_write_1h, parts.prompt) ?? HOUR_CACHE_WRITE_INPUT_MULTIPLE * input) +
    parts.audioInput * (rateFor(prices.input_audio, parts.prompt) ?? input);
  const outputPerMillion =
    parts.textOutput * output +
    parts.reasoning * (rateFor(prices.reasoning, parts.prompt) ?? output) +
    parts.audioOutput * (rateFor(prices.output_audio, parts.prompt) ?? output);
  const inputCost = inputPerMillion / PER_MILLION;
  const outputCost = outputPerMillion / PER_MILLION;
  return {
    input_cost: roundUsd(inputCost),
    output_cost: roundUsd(outputCost),
    cost: roundUsd(inputCost + outputCost + (prices.per_request ?? 0)),
  };
}

const SECONDS_PER_HOUR = 3600;

/**
 * Prices seconds of input audio at `perAudioHour` (USD per hour), at least the model's
 * `min_audio_seconds` when there is audio, plus any per-request fee: all of it input.
 */
export function costOfAudio(prices: ModelPriceData, perAudioHour: number, seconds: number): CostParts {
  const billed = seconds > 0 ? Math.max(seconds, prices.min_audio_seconds ?? 0) : 0;
  const inputCost = (billed * perAudioHour) / SECONDS_PER_HOUR;
  return {
    input_cost: roundUsd(inputCost),
    output_cost: 0,
    cost: roundUsd(inputCost + (prices.per_request ?? 0)),
  };
}

/** True when a model is priced by the hour of audio only (no per-token price). */
export function isPricedByAudioOnly(prices: ModelPriceData): boolean {
  return prices.per_audio_hour !== undefined && prices.input === undefined && prices.output === undefined;
}

/** The highest price per 1M tokens any prompt of at most `promptTokens` can be charged. */
function highestRateUpTo(rate: RateData | undefined, promptTokens: number): number {
  if (rate === undefined || typeof rate === 'number') return rate ?? 0;
  let price = rate.base;
  for (const [above, tierPrice] of rate.tiers) if (promptTokens > above) price = Math.max(price, tierPrice);
  return price;
}

/**
 * The most a request of at most `promptTokens` and `completionTokens` can cost: every prompt token at
 * the dearest input rate (a cache write costs more than plain input; for a model with cache writes,
 * a 1-hour one more still), every completion token at the dearest output rate, at the dearest tier a
 * prompt of that size can reach.
 */
export function costUpperBoundOf(
  prices: ModelPriceData,
  promptTokens: number,
  completionTokens: number,
): number {
  const highest = (...rates: (RateData | undefined)[]): number =>
    Math.max(0, ...rates.map((rate) => highestRateUpTo(rate, promptTokens)));
  const writesCache = prices.cache_write !== undefined || prices.cache_write_1h !== undefined;
  const hourWriteRate = !writesCache
    ? 0
    : prices.cache_write_1h !== undefined
      ? highest(prices.cache_write_1h)
      : HOUR_CACHE_WRITE_INPUT_MULTIPLE * highest(prices.input);
  const inputRate = Math.max(
    hourWriteRate,
    highest(prices.input, prices.cached_input, prices.cache_write, prices.input_audio),
  );
  const outputRate = highest(prices.output, prices.reasoning, prices.output_audio);
  return roundUsd(
    (promptTokens * inputRate + completionTokens * outputRate) / PER_MILLION + (prices.per_request ?? 0),
  );
}
