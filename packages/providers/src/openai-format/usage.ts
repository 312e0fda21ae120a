import { z } from 'zod';

/**
 * Token usage as OpenAI reports it, cached and reasoning tokens included
 * (https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage).
 */
export const openAIUsageSchema = z.looseObject({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().int().optional() }).nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().int().optional() }).nullish(),
});

/**
 * Anthropic's cache writes by lifetime (its `usage.cache_creation`): 1-hour writes cost 2× input,
 * 5-minute ones 1.25×. Put beside `cache_creation_input_tokens` on an OpenAI usage by the Anthropic
 * and Bedrock adapters, when the provider reported it.
 */
export interface CacheCreationSplit {
  readonly ephemeral_5m_input_tokens: number;
  readonly ephemeral_1h_input_tokens: number;
}

/**
 * Token usage in OpenAI's shape; Anthropic's and Bedrock's cache writes beside it (priced apart), as
 * Portkey and LiteLLM report them.
 */
export type OpenAIUsage = z.infer<typeof openAIUsageSchema> & { cache_creation?: CacheCreationSplit };

/** Answers whose `usage` the vendor did not report (see {@link withUsageUnreported}). */
const unreported = new WeakSet<object>();

/**
 * Marks a translated answer whose vendor reported no token counts (Gemini's embeddings): its
 * `usage` keeps OpenAI's shape for the client (zeros), and {@link reportedUsageOf} gives the caller
 * none, so a cost is never priced at $0 from counts nobody reported.
 */
export function withUsageUnreported<T extends object>(answer: T): T {
  unreported.add(answer);
  return answer;
}

/** The `usage` of a parsed answer, unless its vendor did not report one. */
export function reportedUsageOf(answer: unknown): OpenAIUsage | undefined {
  if (typeof answer !== 'object' || answer === null || unreported.has(answer)) return undefined;
  const usage = (answer as { usage?: unknown }).usage;
  return typeof usage === 'object' && usage !== null && !Array.isArray(usage)
    ? (usage as OpenAIUsage)
    : undefined;
}

/**
 * Completion tokens as OpenAI counts them, reasoning included. xAI reports its reasoning beside
 * `completion_tokens` instead (its `total_tokens` is prompt + completion + reasoning): the reasoning
 * is added then, so a dialect's output tokens (Anthropic's, the Responses API's) count it, as those
 * APIs do. `@pk/prices` reads the same total the same way.
 */
export function completionTokensOf(usage: OpenAIUsage | null | undefined): number {
  const completion = usage?.completion_tokens ?? 0;
  const reasoning = usage?.completion_tokens_details?.reasoning_tokens ?? 0;
  return reasoning > 0 && usage?.total_tokens === (usage?.prompt_tokens ?? 0) + completion + reasoning
    ? completion + reasoning
    : completion;
}
