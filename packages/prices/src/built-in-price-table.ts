import {
  type CostBoundRequest,
  type CostRequest,
  type CostResult,
  createPriceTable,
  type ModelRef,
  type PriceLookup,
  type PriceTable,
  type PriceTime,
} from './price-table.js';

let builtIn: PriceTable | undefined;

/** The built-in table without overrides, created on first use and shared. */
export function builtInPriceTable(): PriceTable {
  builtIn ??= createPriceTable();
  return builtIn;
}

/**
 * Prices a request with the built-in table: `{ cost, cost_status: 'priced', … }` in USD, or
 * `{ cost: null, cost_status: 'unknown_price' | 'no_usage' }`, never 0 for a missing price.
 * With operator overrides, use `createPriceTable({ overrides }).cost(request)`.
 */
export function cost(request: CostRequest): CostResult {
  return builtInPriceTable().cost(request);
}

/** The built-in prices of a model at `at` (default now), or undefined. */
export function lookupPrice(
  model: ModelRef & { readonly at?: PriceTime | undefined },
): PriceLookup | undefined {
  return builtInPriceTable().lookup(model);
}

/** True when the built-in table prices the model per token. */
export function isPricedModel(model: ModelRef): boolean {
  return builtInPriceTable().isPriced(model);
}

/** The most a request can cost with the built-in table, or null (see {@link PriceTable.costUpperBound}). */
export function costUpperBound(request: CostBoundRequest): number | null {
  return builtInPriceTable().costUpperBound(request);
}
