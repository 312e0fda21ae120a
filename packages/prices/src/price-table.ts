import { builtInTables, type TableSet } from './built-in-tables.js';
import { type CompiledPrices, hasTokenPrices, pricesAt } from './compiled-table.js';
import {
  type CostParts,
  costOf,
  costOfAudio,
  costUpperBoundOf,
  isPricedByAudioOnly,
} from './compute-cost.js';
import {
  MAX_MODEL_ID_LENGTH,
  type ModelIdCandidate,
  modelIdCandidates,
  normaliseModelId,
} from './model-id.js';
import { ANY, indexOverrides, type OverrideIndex, type PriceOverrides } from './overrides.js';
import type { ModelPriceData } from './price-data-format.js';
import { listPriceTableOf, priceTablesOf } from './provider-tables.js';
import { audioSecondsOf, type TokenUsage, tokenPartsOf } from './usage.js';

/** A model as a request names it. */
export interface ModelRef {
  /** The pk (Portkey) provider id that served the request: `openai`, `bedrock`, `together-ai`, … */
  readonly provider: string;
  /** The model id as sent upstream or answered by it (`gpt-4o-2024-08-06`, `openai/gpt-4o`, …). */
  readonly model: string;
}

/** A point in time for prices that change (epoch milliseconds or a `Date`); defaults to now. */
export type PriceTime = Date | number;

/** How a model id found its price. */
export interface PriceMatch {
  /** The table that priced it: a built-in table id (`openai`, `aws`, `openrouter`, …) or `override`. */
  readonly table: string;
  /**
   * The model's id in that table (for an override, its key, `*` for a provider-wide one). The set of
   * these is bounded by the table, so it is safe as a metrics label.
   */
  readonly model_id: string;
  /**
   * `exact`: a spelling the table lists; `pattern`: a rule of the source (`claude-3-5-sonnet…`);
   * `normalised`: after pk removed a date or a provider prefix; `list_price`: the model's maker's
   * table, for a closed-weight model its host does not list; `provider_wide`: a `*` override.
   */
  readonly matched_by: 'exact' | 'pattern' | 'normalised' | 'list_price' | 'provider_wide';
}

/** The prices a model is charged at a point in time, and how they were found. */
export interface PriceLookup extends PriceMatch {
  /** USD per 1M tokens (see {@link ModelPriceData}). */
  readonly prices: ModelPriceData;
}

/** A request to price. */
export interface CostRequest extends ModelRef {
  /** The usage the provider reported, OpenAI-shaped (see {@link TokenUsage}). */
  readonly usage: TokenUsage | null | undefined;
  /** When the request ran (prices can change by date or time of day). Default: now. */
  readonly at?: PriceTime | undefined;
}

/** A priced request: USD, never rounded to 0 for lack of a price. */
export interface PricedCost extends CostParts {
  readonly cost_status: 'priced';
  /** How the model was priced (see {@link PriceMatch}). */
  readonly priced_as: PriceMatch;
}

/** A request that could not be priced: `cost` is null, never 0. */
export interface UnpricedCost {
  readonly cost: null;
  /**
   * `unknown_price`: no table or override prices this provider and model, or not in the usage's unit
   * (tokens for a model priced by the hour of audio, or the reverse);
   * `no_usage`: the model is priced but the response carried no token counts (a stream without
   * `stream_options.include_usage`) nor, for a model priced by the hour of audio, a duration.
   */
  readonly cost_status: 'unknown_price' | 'no_usage';
}

/** What {@link PriceTable.cost} answers. */
export type CostResult = PricedCost | UnpricedCost;

/** A request's largest possible cost, for reserving a budget before it runs. */
export interface CostBoundRequest extends ModelRef {
  /** An upper bound of the prompt tokens. */
  readonly prompt_tokens: number;
  /** An upper bound of the completion tokens (the request's `max_tokens`). */
  readonly completion_tokens: number;
  readonly at?: PriceTime | undefined;
}

/** The built-in prices with the operator's overrides on top. Every method is pure and never throws. */
export interface PriceTable {
  /** Prices a request's usage (see {@link CostResult}). */
  cost(request: CostRequest): CostResult;
  /** The prices a model is charged at `at` (default now), or undefined when it has none. */
  lookup(model: ModelRef & { readonly at?: PriceTime | undefined }): PriceLookup | undefined;
  /** True when the model has a price, per token or per hour of audio (metrics fold the others into `other`). */
  isPriced(model: ModelRef): boolean;
  /**
   * The most a request can cost (every prompt token at the dearest input rate, every completion
   * token at the dearest output rate), in USD, or null when the model has no price per token (none,
   * or only per hour of audio: a request's tokens say nothing of its audio's length).
   */
  costUpperBound(request: CostBoundRequest): number | null;
}

/** Options of {@link createPriceTable}. */
export interface PriceTableOptions {
  /** The operator's overrides, validated here (a `ZodError` with paths when invalid). */
  readonly overrides?: PriceOverrides | undefined;
}

/** A resolved model: how it matched and its prices over time. */
interface Resolution {
  readonly match: PriceMatch;
  readonly prices: CompiledPrices;
}

/**
 * Distinct provider/model pairs remembered per table. Past it the memo starts over, so a client
 * sending endless made-up model ids costs lookups, never memory.
 */
const MEMO_CAPACITY = 10_000;

const nowMs = (at: PriceTime | undefined): number =>
  at === undefined ? Date.now() : typeof at === 'number' ? at : at.getTime();

/**
 * Merges the operator's overrides over the built-in table. Build it once (at start-up or when the
 * settings change) and keep it: it remembers each provider/model pair it has resolved, so a lookup
 * is two `Map` reads after the first.
 */
export function createPriceTable(options: PriceTableOptions = {}): PriceTable {
  const overrides = options.overrides === undefined ? undefined : indexOverrides(options.overrides);
  return createPriceTableOver(builtInTables(), overrides);
}

/** A price table over any table set (tests pass small ones). */
export function createPriceTableOver(tables: TableSet, overrides: OverrideIndex | undefined): PriceTable {
  const memo = new Map<string, Map<string, Resolution | null>>();
  let memoSize = 0;

  const resolve = (provider: unknown, model: unknown): Resolution | null => {
    if (typeof provider !== 'string' || typeof model !== 'string') return null;
    const known = memo.get(provider)?.get(model);
    if (known !== undefined) return known;
    const resolution =
      model.length > MAX_MODEL_ID_LENGTH ? null : resolveUncached(tables, overrides, provider, model);
    if (memoSize >= MEMO_CAPACITY) {
      memo.clear();
      memoSize = 0;
    }
    let byModel = memo.get(provider);
    if (byModel === undefined) {
      byModel = new Map();
      memo.set(provider, byModel);
    }
    byModel.set(model, resolution);
    memoSize += 1;
    return resolution;
  };

  const lookupAt = (ref: ModelRef, at: PriceTime | undefined): PriceLookup | undefined => {
    const resolution = resolve(ref.provider, ref.model);
    if (resolution === null) return undefined;
    const prices = pricesAt(resolution.prices, nowMs(at));
    if (prices === null) return undefined;
    const { table, model_id, matched_by } = resolution.match;
    return { table, model_id, matched_by, prices };
  };

  return {
    cost(request) {
      const resolution = resolve(request.provider, request.model);
      const prices = resolution === null ? null : pricesAt(resolution.prices, nowMs(request.at));
      if (resolution === null || prices === null) return { cost: null, cost_status: 'unknown_price' };
      const seconds = audioSecondsOf(request.usage);
      if (seconds !== undefined) {
        // Speech-to-text by duration (whisper-1): priced only where the model has a per-hour price.
        if (prices.per_audio_hour === undefined) return { cost: null, cost_status: 'unknown_price' };
        const { input_cost, output_cost, cost } = costOfAudio(prices, prices.per_audio_hour, seconds);
        return { cost, cost_status: 'priced', input_cost, output_cost, priced_as: resolution.match };
      }
      const parts = tokenPartsOf(request.usage);
      if (parts === undefined) return { cost: null, cost_status: 'no_usage' };
      // Tokens of a model priced by the hour of audio only: not its unit, never $0.
      if (isPricedByAudioOnly(prices)) return { cost: null, cost_status: 'unknown_price' };
      const { input_cost, output_cost, cost } = costOf(prices, parts);
      return { cost, cost_status: 'priced', input_cost, output_cost, priced_as: resolution.match };
    },
    lookup: (ref) => lookupAt(ref, ref.at),
    isPriced(ref) {
      const resolution = resolve(ref.provider, ref.model);
      return resolution !== null && hasTokenPrices(resolution.prices);
    },
    costUpperBound(request) {
      const found = lookupAt(request, request.at);
      if (found === undefined || isPricedByAudioOnly(found.prices)) return null;
      const prompt = Math.max(0, Number.isFinite(request.prompt_tokens) ? request.prompt_tokens : 0);
      const completion = Math.max(
        0,
        Number.isFinite(request.completion_tokens) ? request.completion_tokens : 0,
      );
      return costUpperBoundOf(found.prices, prompt, completion);
    },
  };
}

function resolveUncached(
  tables: TableSet,
  overrides: OverrideIndex | undefined,
  rawProvider: string,
  rawModel: string,
): Resolution | null {
  const provider = rawProvider.trim().toLowerCase();
  const candidates = modelIdCandidates(normaliseModelId(rawModel));
  if (candidates.length === 0) return null;
  if (overrides !== undefined) {
    const overridden = resolveOverride(overrides, provider, candidates);
    if (overridden !== null) return overridden;
  }
  return resolveBuiltIn(tables, provider, candidates);
}

function resolveOverride(
  overrides: OverrideIndex,
  provider: string,
  candidates: readonly ModelIdCandidate[],
): Resolution | null {
  const matchedBy = (candidate: ModelIdCandidate): PriceMatch['matched_by'] =>
    candidate === candidates[0] ? 'exact' : 'normalised';
  for (const providerKey of [provider, ANY]) {
    const byModel = overrides.get(providerKey);
    if (byModel === undefined) continue;
    for (const candidate of candidates) {
      const prices = byModel.get(candidate.id);
      if (prices !== undefined) {
        return {
          match: Object.freeze({
            table: 'override',
            model_id: candidate.id,
            matched_by: matchedBy(candidate),
          }),
          prices: { kind: 'flat', prices },
        };
      }
    }
  }
  const providerWide = overrides.get(provider)?.get(ANY);
  if (providerWide === undefined) return null;
  return {
    match: Object.freeze({ table: 'override', model_id: ANY, matched_by: 'provider_wide' }),
    prices: { kind: 'flat', prices: providerWide },
  };
}

function resolveBuiltIn(
  tables: TableSet,
  provider: string,
  candidates: readonly ModelIdCandidate[],
): Resolution | null {
  // The provider's own tables, then the tables the source says they fall back to (Azure → OpenAI…).
  const chain: string[] = [];
  for (const id of priceTablesOf(provider, tables.ids)) {
    if (!chain.includes(id)) chain.push(id);
    for (const fallback of tables.get(id)?.fallbacks ?? [])
      if (!chain.includes(fallback)) chain.push(fallback);
  }
  for (const candidate of candidates) {
    for (const tableId of chain) {
      const found = tables.get(tableId)?.find(candidate.id);
      if (found === undefined) continue;
      const matchedBy = !candidate.asSourceSpellsIt ? 'normalised' : found.exact ? 'exact' : 'pattern';
      return {
        match: Object.freeze({ table: tableId, model_id: found.model.id, matched_by: matchedBy }),
        prices: found.model.prices,
      };
    }
  }
  for (const candidate of candidates) {
    const makerTable = listPriceTableOf(candidate.id);
    if (makerTable === undefined || chain.includes(makerTable)) continue;
    const found = tables.get(makerTable)?.find(candidate.id);
    if (found !== undefined) {
      return {
        match: Object.freeze({
          table: makerTable,
          model_id: found.model.id,
          matched_by: 'list_price' as const,
        }),
        prices: found.model.prices,
      };
    }
  }
  return null;
}
