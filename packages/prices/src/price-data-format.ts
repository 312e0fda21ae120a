/**
 * The shape of the generated price data (`src/generated/price-data.ts`, written by
 * `scripts/generate.mjs`). Every price is **USD per 1M tokens** except `per_request` (USD per request)
 * and `per_audio_hour` (USD per hour of input audio).
 */

/**
 * A price in USD per 1M tokens: flat, or tiered by the request's prompt tokens. Above a tier's
 * threshold **every** token of that kind in the request costs the tier's price (how Anthropic, Google
 * and OpenAI bill long context), not only the tokens past the threshold.
 */
export type RateData = number | TieredRateData;

/** `base` until the prompt exceeds `tiers[i][0]` tokens, then `tiers[i][1]` (tiers in ascending order). */
export interface TieredRateData {
  readonly base: number;
  readonly tiers: readonly (readonly [above: number, price: number])[];
}

/**
 * What a 1-hour cache write costs, as a multiple of the input price, where no price is given: twice
 * (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#pricing).
 */
export const HOUR_CACHE_WRITE_INPUT_MULTIPLE = 2;

/**
 * The prices of one model. A token kind without its own price is billed at its parent's: cached
 * input, cache writes and input audio at `input`; reasoning and output audio at `output`. A model
 * without `input` or `output` bills those tokens at 0 (an embedding model has no output price).
 */
export interface ModelPriceData {
  readonly input?: RateData;
  readonly output?: RateData;
  /** Prompt tokens read from the provider's prompt cache. */
  readonly cached_input?: RateData;
  /** Prompt tokens written to the provider's prompt cache (Anthropic's 5-minute rate). */
  readonly cache_write?: RateData;
  /**
   * Prompt tokens written to the cache for an hour (Anthropic's `ephemeral_1h_input_tokens`). The
   * source has no such price: pk bills them at {@link HOUR_CACHE_WRITE_INPUT_MULTIPLE} × `input`
   * (Anthropic's rule, on Bedrock and Vertex AI too) unless an override sets it.
   */
  readonly cache_write_1h?: RateData;
  /** Reasoning tokens, where priced apart from other output tokens. */
  readonly reasoning?: RateData;
  readonly input_audio?: RateData;
  readonly output_audio?: RateData;
  /** A fixed fee per request, in USD (not per 1M). */
  readonly per_request?: number;
  /**
   * USD per hour of input audio (not per 1M), for speech-to-text billed by duration (whisper-1:
   * $0.36, OpenAI's $0.006 per minute). Priced from a usage of `{ type: 'duration', seconds }`.
   */
  readonly per_audio_hour?: number;
  /** Seconds of audio a request is billed at least (Groq's Whisper models: 10), with `per_audio_hour`. */
  readonly min_audio_seconds?: number;
}

/** When a price variant applies: from a UTC date on (`YYYY-MM-DD`), or between two UTC times of day (seconds since midnight, `end` exclusive, may wrap past midnight). */
export type PriceConstraintData =
  | { readonly from: string }
  | { readonly utc_time: readonly [start: number, end: number] };

/** One price of a model that changes over time. `prices: null`: not priced per token or per audio hour at that time. */
export interface PriceVariantData {
  readonly when?: PriceConstraintData;
  readonly prices: ModelPriceData | null;
}

/**
 * A model: its id in the source table and its prices. `null`: the source prices it in units pk cannot
 * derive from usage (per page, per hour of audio both ways), so it is known but not priced.
 * An array: prices that change over time; the last variant whose `when` holds applies, else the first.
 */
export type ModelEntryData = readonly [
  id: string,
  prices: ModelPriceData | readonly PriceVariantData[] | null,
];

/** How a model id is matched (lower-cased on both sides, except `regex`, tested on the lower-cased id). */
export type MatchData =
  | { readonly starts_with: string }
  | { readonly ends_with: string }
  | { readonly contains: string }
  | { readonly regex: string }
  | { readonly equals: string }
  | { readonly or: readonly MatchData[] }
  | { readonly and: readonly MatchData[] };

/** One host's price list. */
export interface PriceTableData {
  /** The host's display name in the source. */
  readonly name: string;
  readonly models: readonly ModelEntryData[];
  /** Lower-cased model id → index in `models`: every exact spelling the source names, resolved as the source resolves it. */
  readonly ids: Readonly<Record<string, number>>;
  /** Tried in order when `ids` has no entry: the first pattern that matches names the model. */
  readonly patterns: readonly (readonly [model: number, match: MatchData])[];
  /** Tables consulted, in order, when this one has no match (Azure serves OpenAI's models at OpenAI's prices). */
  readonly fallbacks?: readonly string[];
}

/** Where the data came from. */
export interface PriceDataSource {
  /** The npm package the data was generated from. */
  readonly package: string;
  readonly version: string;
  /** The day that version was published on the npm registry (`YYYY-MM-DD`). */
  readonly published: string;
  readonly licence: string;
  readonly homepage: string;
}

/** The whole generated data set. */
export interface PriceData {
  readonly source: PriceDataSource;
  /** Source table id (`openai`, `aws`, `together`, …) → its prices. */
  readonly tables: Readonly<Record<string, PriceTableData>>;
}
