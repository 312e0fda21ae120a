import { compileMatch, type ModelIdPredicate } from './match.js';
import type {
  ModelEntryData,
  ModelPriceData,
  PriceConstraintData,
  PriceTableData,
  PriceVariantData,
} from './price-data-format.js';

const DAY_SECONDS = 86_400;

/** A variant with its constraint turned into a test on epoch milliseconds. */
interface CompiledVariant {
  readonly appliesAt: ((atMs: number) => boolean) | undefined;
  readonly prices: ModelPriceData | null;
}

/** A model's prices, ready to be selected for a point in time. */
export type CompiledPrices =
  | { readonly kind: 'flat'; readonly prices: ModelPriceData }
  | { readonly kind: 'variants'; readonly variants: readonly CompiledVariant[] }
  | { readonly kind: 'unpriced' };

/** A model of a table. */
export interface CompiledModel {
  readonly id: string;
  readonly prices: CompiledPrices;
}

/** A table ready for lookups: exact ids in a `Map`, patterns compiled. */
export interface CompiledTable {
  readonly id: string;
  readonly fallbacks: readonly string[];
  /** The model an id names exactly, else the first whose pattern matches, else undefined. */
  find(id: string): { readonly model: CompiledModel; readonly exact: boolean } | undefined;
}

function compileConstraint(when: PriceConstraintData): (atMs: number) => boolean {
  if ('from' in when) {
    const fromMs = Date.parse(`${when.from}T00:00:00Z`);
    return (atMs) => atMs >= fromMs;
  }
  const [start, end] = when.utc_time;
  return (atMs) => {
    const seconds = (((atMs / 1000) % DAY_SECONDS) + DAY_SECONDS) % DAY_SECONDS;
    return end < start ? seconds >= start || seconds < end : seconds >= start && seconds < end;
  };
}

/** Freezes a price set (tiers included): lookups hand it out, and a caller must not change the table. */
export function freezePrices(prices: ModelPriceData): ModelPriceData {
  for (const rate of Object.values(prices)) {
    if (typeof rate === 'object' && rate !== null) {
      for (const tier of rate.tiers) Object.freeze(tier);
      Object.freeze(rate.tiers);
      Object.freeze(rate);
    }
  }
  return Object.freeze(prices);
}

function isVariantList(prices: ModelEntryData[1]): prices is readonly PriceVariantData[] {
  return Array.isArray(prices);
}

/** Compiles a model entry's prices (see {@link ModelEntryData}). */
export function compilePrices(prices: ModelEntryData[1]): CompiledPrices {
  if (prices === null) return { kind: 'unpriced' };
  if (!isVariantList(prices)) return { kind: 'flat', prices: freezePrices(prices) };
  const variants = prices.map((variant) => ({
    appliesAt: variant.when === undefined ? undefined : compileConstraint(variant.when),
    prices: variant.prices === null ? null : freezePrices(variant.prices),
  }));
  return { kind: 'variants', variants };
}

/**
 * The prices in force at `atMs`, as the source selects them: the last variant whose constraint holds
 * (an unconstrained variant always holds), else the first. `null`: not priced per token.
 */
export function pricesAt(prices: CompiledPrices, atMs: number): ModelPriceData | null {
  if (prices.kind === 'flat') return prices.prices;
  if (prices.kind === 'unpriced') return null;
  const { variants } = prices;
  for (let index = variants.length - 1; index >= 0; index--) {
    const variant = variants[index]!;
    if (variant.appliesAt === undefined || variant.appliesAt(atMs)) return variant.prices;
  }
  return variants[0]?.prices ?? null;
}

/** True when some variant of the model has a per-token price. */
export function hasTokenPrices(prices: CompiledPrices): boolean {
  if (prices.kind === 'flat') return true;
  if (prices.kind === 'unpriced') return false;
  return prices.variants.some((variant) => variant.prices !== null);
}

/** Compiles one generated table. */
export function compileTable(id: string, data: PriceTableData): CompiledTable {
  const models: CompiledModel[] = data.models.map(([modelId, prices]) => ({
    id: modelId,
    prices: compilePrices(prices),
  }));
  const ids = new Map<string, CompiledModel>();
  for (const [key, index] of Object.entries(data.ids)) {
    const model = models[index];
    if (model !== undefined) ids.set(key, model);
  }
  const patterns: (readonly [CompiledModel, ModelIdPredicate])[] = [];
  for (const [index, match] of data.patterns) {
    const model = models[index];
    if (model !== undefined) patterns.push([model, compileMatch(match)]);
  }
  return {
    id,
    fallbacks: data.fallbacks ?? [],
    find(modelId) {
      const exact = ids.get(modelId);
      if (exact !== undefined) return { model: exact, exact: true };
      for (const [model, matches] of patterns) if (matches(modelId)) return { model, exact: false };
      return undefined;
    },
  };
}
