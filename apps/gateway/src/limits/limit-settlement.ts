import type { RequestEnd } from '../plugins/request-log.js';
import { MICROS_PER_USD } from './limit-model.js';
import type { ActualUsage, Limiter } from './limiter.js';
import type { UsageBound } from './request-limits.js';
import { hadCallCutShort } from './unknown-outcome.js';

/** Prices a usage in USD (the settings' price table), or null when the model has no price. */
export type PriceUsage = (
  provider: string,
  model: string,
  usage: { prompt_tokens: number; completion_tokens: number },
) => number | null;

const CACHE_HITS = new Set(['HIT', 'SEMANTIC HIT']);

/**
 * What a finished request really used, from its log fields: the provider's usage when it reported
 * one; for a stream that ended short after its provider reported some (`usagePartial`), that usage
 * plus one token per byte of text sent beyond the output it reported; for a stream without any (an
 * aborted one), the prompt bound plus one token per byte of text sent; for an answer priced without
 * token counts (a transcription, by its seconds of audio), its cost; for a JSON answer without
 * usage, its reservation (nothing better is known); nothing for a cache hit (it counts only against
 * request rates) or a request no provider answered.
 */
export function actualUsageOf(end: RequestEnd, state: UsageBound, price: PriceUsage): ActualUsage {
  const { fields } = end;
  if (fields.cacheStatus !== undefined && CACHE_HITS.has(fields.cacheStatus))
    return { tokens: 0, costMicros: 0, counted: true };
  if (!fields.attempts) return { tokens: 0, costMicros: 0, counted: false };
  const usage = fields.usage;
  const model = fields.answeredModel ?? fields.model;
  const priced = (prompt: number, completion: number): number => {
    if (typeof fields.cost === 'number') return Math.ceil(fields.cost * MICROS_PER_USD);
    if (!fields.provider || !model) return 0;
    const usd = price(fields.provider, model, { prompt_tokens: prompt, completion_tokens: completion });
    return usd === null ? 0 : Math.ceil(usd * MICROS_PER_USD);
  };
  if (usage && (usage.total_tokens !== undefined || usage.prompt_tokens !== undefined)) {
    const prompt = usage.prompt_tokens ?? 0;
    const completion = usage.completion_tokens ?? 0;
    // Output streamed after the provider's last report (Anthropic's `message_start` says 1 token).
    const unreported = fields.usagePartial ? Math.max(0, state.streamedTextBytes - completion) : 0;
    const unreportedCost =
      unreported > 0 && fields.provider && model
        ? price(fields.provider, model, { prompt_tokens: 0, completion_tokens: unreported })
        : null;
    return {
      tokens: (usage.total_tokens ?? prompt + completion) + unreported,
      costMicros:
        priced(prompt, completion) +
        (unreportedCost === null ? 0 : Math.ceil(unreportedCost * MICROS_PER_USD)),
      counted: true,
    };
  }
  // Priced without token counts (speech-to-text by the seconds of its audio): that cost, no tokens.
  if (typeof fields.cost === 'number' && end.status >= 200 && end.status < 300)
    return { tokens: 0, costMicros: Math.ceil(fields.cost * MICROS_PER_USD), counted: true };
  if (fields.stream) {
    const completion = state.streamedTextBytes;
    return {
      tokens: state.promptTokens + completion,
      costMicros: priced(state.promptTokens, completion),
      counted: true,
    };
  }
  if (end.status >= 200 && end.status < 300)
    return {
      tokens: state.reservedTokens,
      costMicros: state.reservedCostMicros,
      counted: true,
    };
  // A call cut by a timeout or a hang-up was worked on, and may be billed up to its hold.
  if (hadCallCutShort(end))
    return { tokens: state.reservedTokens, costMicros: state.reservedCostMicros, counted: true };
  // The provider refused (4xx/5xx) and reported no usage: nothing was billed.
  return { tokens: 0, costMicros: 0, counted: true };
}

/**
 * The `onRequestEnd` listener that settles limited requests: the request's own holds (gateway key,
 * metadata values) and the holds of the attempt that answered, with its real usage (one store round
 * trip each). An earlier attempt that answered and was then not used (an output guardrail denied it,
 * and a fallback answered) keeps its hold: its provider billed it, for an amount not known here.
 */
export function createLimitSettlement(limiter: Limiter, price: PriceUsage) {
  return (end: RequestEnd): void => {
    const state = end.request.limitState;
    if (!state) return;
    end.request.limitState = null;
    if (state.reservation) void limiter.settle(state.reservation, actualUsageOf(end, state, price));
    const last = state.answered.length - 1;
    for (const [index, hold] of state.answered.entries()) {
      const answering = index === last && hold.path === end.fields.targetPath;
      void limiter.settle(
        hold.reservation,
        answering
          ? actualUsageOf(end, { ...hold, streamedTextBytes: state.streamedTextBytes }, price)
          : { tokens: hold.reservedTokens, costMicros: hold.reservedCostMicros, counted: true },
      );
    }
  };
}
