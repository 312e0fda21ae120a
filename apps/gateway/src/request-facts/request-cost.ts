import type { PriceTable } from '@pk/prices';
import type { RequestLogFields } from '../plugins/request-log.js';

/** A provider's usage as the adapters return it: OpenAI's shape, Anthropic's cache writes alongside. */
export interface AnswerUsage {
  readonly prompt_tokens?: number | null | undefined;
  readonly completion_tokens?: number | null | undefined;
  readonly total_tokens?: number | null | undefined;
  readonly prompt_tokens_details?:
    | {
        readonly cached_tokens?: number | null | undefined;
        /** OpenRouter's name for cache writes. */
        readonly cache_write_tokens?: number | null | undefined;
        /** Audio input tokens (gpt-4o-transcribe, the Realtime models), priced apart. */
        readonly audio_tokens?: number | null | undefined;
      }
    | null
    | undefined;
  readonly completion_tokens_details?:
    | { readonly reasoning_tokens?: number | null | undefined }
    | null
    | undefined;
  readonly [extra: string]: unknown;
}

/** The most tokens a count may be (the log's 32-bit columns); more is not a count anyone believes. */
const MAX_TOKENS = 2_147_483_647;

/** A token count: a whole number (a fractional one rounded), else none. */
function count(value: unknown): number | undefined {
  if (typeof value !== 'number' || !(value >= 0)) return undefined;
  const whole = Number.isInteger(value) ? value : Math.round(value);
  return whole <= MAX_TOKENS ? whole : undefined;
}

/**
 * The log's flat usage (prompt, completion, total, cached, cache-write and reasoning tokens). Cache
 * reads and writes are read under each name `@pk/prices` prices them by: OpenAI's
 * `prompt_tokens_details.cached_tokens`, else Anthropic's `cache_read_input_tokens`, else DeepSeek's
 * `prompt_cache_hit_tokens`; Anthropic's `cache_creation_input_tokens`, else OpenRouter's
 * `prompt_tokens_details.cache_write_tokens`.
 */
export function usageFieldsOf(usage: AnswerUsage): NonNullable<RequestLogFields['usage']> {
  const fields: { -readonly [K in keyof NonNullable<RequestLogFields['usage']>]?: number } = {};
  const prompt = count(usage.prompt_tokens);
  const completion = count(usage.completion_tokens);
  const total = count(usage.total_tokens) ?? (prompt ?? 0) + (completion ?? 0);
  if (prompt !== undefined) fields.prompt_tokens = prompt;
  if (completion !== undefined) fields.completion_tokens = completion;
  fields.total_tokens = total;
  const cached =
    count(usage.prompt_tokens_details?.cached_tokens) ??
    count(usage.cache_read_input_tokens) ??
    count(usage.prompt_cache_hit_tokens);
  if (cached !== undefined) fields.cached_tokens = cached;
  const cacheWrite =
    count(usage.cache_creation_input_tokens) ?? count(usage.prompt_tokens_details?.cache_write_tokens);
  if (cacheWrite !== undefined) fields.cache_write_tokens = cacheWrite;
  const reasoning = count(usage.completion_tokens_details?.reasoning_tokens);
  if (reasoning !== undefined) fields.reasoning_tokens = reasoning;
  return fields;
}

/** A USD amount a provider reported: a finite, non-negative number, else none. */
function amount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * What the provider says it charged for an answer, in USD, when it says so: OpenRouter's
 * `usage.cost` (its credits, one per USD; always in its usage now, and with `usage: {include: true}`
 * before), plus `cost_details.upstream_inference_cost` for a request on the caller's own provider key
 * (`is_byok: true`: `cost` is then only OpenRouter's fee, the provider bills the rest). Undefined for
 * any other provider (a `cost` field elsewhere is no promise of USD) or without a `cost`.
 */
export function providerChargedCostOf(provider: string, usage: AnswerUsage | undefined): number | undefined {
  if (provider !== 'openrouter' || usage === undefined) return undefined;
  const charged = amount(usage.cost);
  if (charged === undefined) return undefined;
  if (usage.is_byok !== true) return charged;
  const details = usage.cost_details;
  const upstream =
    typeof details === 'object' && details !== null
      ? amount((details as { upstream_inference_cost?: unknown }).upstream_inference_cost)
      : undefined;
  // Rounded as `@pk/prices` rounds a cost: no float noise in the log.
  return Math.round((charged + (upstream ?? 0)) * 1e12) / 1e12;
}

/**
 * Fills `usage`, `cost` and `costStatus` of a request's log fields from its answer's usage, priced
 * with the settings' price table (`@pk/prices` and the `prices:` overrides) by the provider and model
 * that answered, unless the provider reported what it charged ({@link providerChargedCostOf}: then
 * that, with `costSource: 'provider'`). An unknown model gives `cost: null`
 * and `unknown_price`, never 0; a priced model without usage `no_usage`. A cache hit costs nothing.
 */
export function recordUsageAndCost(
  log: RequestLogFields,
  usage: AnswerUsage | undefined,
  options: { readonly cacheHit: boolean; readonly prices: PriceTable },
): void {
  // A speech-to-text usage in seconds of audio has no token counts for the record's columns.
  if (usage && usage.type !== 'duration') log.usage = usageFieldsOf(usage);
  const provider = log.provider;
  const model = log.answeredModel ?? log.model;
  if (options.cacheHit) {
    log.cost = 0;
    log.costStatus = 'priced';
    return;
  }
  if (provider === undefined || model === undefined) {
    log.cost = null;
    log.costStatus = 'unknown_price';
    return;
  }
  // What the provider charged, when it says (OpenRouter), over pk's price of the usage.
  const charged = providerChargedCostOf(provider, usage);
  if (charged !== undefined) {
    log.cost = charged;
    log.costStatus = 'priced';
    log.costSource = 'provider';
    return;
  }
  let priced = options.prices.cost({ provider, model, usage });
  if (priced.cost_status === 'unknown_price' && log.model !== undefined && log.model !== model) {
    // A dated or routed answer id the table does not know: the requested model's price.
    priced = options.prices.cost({ provider, model: log.model, usage });
  }
  log.cost = priced.cost;
  log.costStatus = priced.cost_status;
}

/**
 * {@link recordUsageAndCost} for a stream that ended short (it broke, ended with an error, or the
 * client left) after its provider reported some usage: that usage and its cost are recorded, marked
 * `usagePartial` and, when priced, `costStatus: 'partial_usage'`. Nothing is estimated: output the
 * provider had not reported yet is not in it (the limits' settlement counts the text sent instead).
 */
export function recordPartialUsageAndCost(
  log: RequestLogFields,
  usage: AnswerUsage,
  options: { readonly prices: PriceTable },
): void {
  recordUsageAndCost(log, usage, { cacheHit: false, prices: options.prices });
  log.usagePartial = true;
  if (log.costStatus === 'priced') log.costStatus = 'partial_usage';
}
