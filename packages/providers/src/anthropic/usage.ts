import type { OpenAIUsage } from '../openai-format/usage.js';
import type { AnthropicUsage } from './api.js';

/**
 * Anthropic usage → OpenAI usage. OpenAI's `prompt_tokens` include cached tokens, Anthropic's
 * `input_tokens` do not: cache reads and writes are added back, and cache reads are reported as
 * `prompt_tokens_details.cached_tokens`, cache writes as `cache_creation_input_tokens` (priced apart).
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
  };
}

/**
 * The usage of an Anthropic stream that stopped before `message_stop`, as reported so far (the input
 * tokens of `message_start`, the output of the last `message_delta`), or `undefined` before any count.
 */
export function anthropicUsageSoFar(usage: AnthropicUsage): OpenAIUsage | undefined {
  const counted = typeof usage.input_tokens === 'number' || typeof usage.output_tokens === 'number';
  return counted ? toOpenAIUsageFromAnthropic(usage) : undefined;
}
