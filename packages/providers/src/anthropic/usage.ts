import type { CacheCreationSplit, OpenAIUsage } from '../openai-format/usage.js';
import type { AnthropicUsage } from './api.js';

/**
 * Anthropic usage → OpenAI usage. OpenAI's `prompt_tokens` include cached tokens, Anthropic's
 * `input_tokens` do not: cache reads and writes are added back, and cache reads are reported as
 * `prompt_tokens_details.cached_tokens`, cache writes as `cache_creation_input_tokens` (priced apart)
 * with their split by lifetime, `cache_creation`, when Anthropic gave it (a 1-hour write costs 2×
 * input, a 5-minute one 1.25×).
 */
export function toOpenAIUsageFromAnthropic(usage: AnthropicUsage | null | undefined): OpenAIUsage {
  const cacheRead = usage?.cache_read_input_tokens ?? 0;
  const cacheCreation = usage?.cache_creation_input_tokens ?? 0;
  const promptTokens = (usage?.input_tokens ?? 0) + cacheRead + cacheCreation;
  const completionTokens = usage?.output_tokens ?? 0;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cacheRead },
    // Cache writes are priced apart (1.25× input): reported as Portkey and LiteLLM do, when any.
    ...(cacheCreation > 0 ? { cache_creation_input_tokens: cacheCreation } : {}),
    ...(cacheCreation > 0 && usage?.cache_creation
      ? {
          cache_creation: cacheCreationSplit(
            usage.cache_creation.ephemeral_5m_input_tokens,
            usage.cache_creation.ephemeral_1h_input_tokens,
          ),
        }
      : {}),
  };
}

/** Cache writes by lifetime, each a count (0 when not reported). */
export function cacheCreationSplit(
  fiveMinutes: number | null | undefined,
  oneHour: number | null | undefined,
): CacheCreationSplit {
  return { ephemeral_5m_input_tokens: fiveMinutes ?? 0, ephemeral_1h_input_tokens: oneHour ?? 0 };
}

/**
 * The usage of an Anthropic stream that stopped before `message_stop`, as reported so far (the input
 * tokens of `message_start`, the output of the last `message_delta`), or `undefined` before any count.
 */
export function anthropicUsageSoFar(usage: AnthropicUsage): OpenAIUsage | undefined {
  const counted = typeof usage.input_tokens === 'number' || typeof usage.output_tokens === 'number';
  return counted ? toOpenAIUsageFromAnthropic(usage) : undefined;
}
