export {
  builtInPriceTable,
  cost,
  costUpperBound,
  isPricedModel,
  lookupPrice,
} from './built-in-price-table.js';
export type { CostParts } from './compute-cost.js';
export { PRICE_DATA_SOURCE } from './generated/price-data.js';
export { MAX_MODEL_ID_LENGTH, normaliseModelId } from './model-id.js';
export {
  ANY,
  type ModelPriceOverride,
  modelPriceOverrideSchema,
  type PriceOverrides,
  priceOverridesSchema,
} from './overrides.js';
export {
  MAX_PRICE_PER_AUDIO_HOUR,
  MAX_PRICE_PER_MTOK,
  MAX_PRICE_PER_REQUEST,
  MIN_PRICE_PER_AUDIO_HOUR,
  MIN_PRICE_PER_MTOK,
} from './price-bounds.js';
export type {
  ModelPriceData as ModelPrices,
  PriceDataSource,
  RateData as Rate,
  TieredRateData as TieredRate,
} from './price-data-format.js';
export { HOUR_CACHE_WRITE_INPUT_MULTIPLE } from './price-data-format.js';
export {
  type CostBoundRequest,
  type CostRequest,
  type CostResult,
  createPriceTable,
  type ModelRef,
  type PricedCost,
  type PriceLookup,
  type PriceMatch,
  type PriceTable,
  type PriceTableOptions,
  type PriceTime,
  type UnpricedCost,
} from './price-table.js';
export { LIST_PRICE_FAMILIES, PROVIDER_PRICE_TABLES } from './provider-tables.js';
export type { TokenUsage } from './usage.js';
export { VERSION } from './version.js';
