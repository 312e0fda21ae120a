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
