/**
 * The plausible magnitudes of a price in USD per 1M tokens. The cheapest price in the built-in data
 * is $0.002 and the dearest $600 (o1-pro output): a non-zero price below 0.001 is almost certainly a
 * per-token price written where a per-1M price belongs, one above 10,000 the reverse. Generation
 * (scripts/build-price-data.mjs) and the override schema both refuse them.
 */
export const MIN_PRICE_PER_MTOK = 0.001;
export const MAX_PRICE_PER_MTOK = 10_000;
/** The highest plausible fee per request, in USD. */
export const MAX_PRICE_PER_REQUEST = 10;
/**
 * The plausible magnitudes of a price in USD per hour of input audio (speech-to-text billed by
 * duration). The built-in data's range is $0.04 (Groq's whisper-large-v3-turbo) to $0.36 (OpenAI's
 * whisper-1, published as $0.006 per minute): a non-zero price below 0.01 is almost certainly a
 * per-minute or per-second price written where a per-hour price belongs.
 */
export const MIN_PRICE_PER_AUDIO_HOUR = 0.01;
export const MAX_PRICE_PER_AUDIO_HOUR = 100;
