import { type CacheCreationSplit, completionTokensOf, type OpenAIUsage } from '../../openai-format/usage.js';

/** Anthropic's usage object as pk returns it (https://docs.anthropic.com/en/api/messages#response-usage). */
export interface MessagesUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  /** The cache writes by lifetime, when the provider reported them. */
  cache_creation?: CacheCreationSplit;
}

/**
 * OpenAI usage → Anthropic usage. OpenAI's `prompt_tokens` include cache reads and writes,
 * Anthropic's `input_tokens` include neither: reads (`prompt_tokens_details.cached_tokens`) are moved
 * to `cache_read_input_tokens`, writes (`cache_creation_input_tokens`, as the Anthropic and Bedrock
 * adapters report them beside OpenAI's fields) to `cache_creation_input_tokens`.
 */
export function messagesUsageOf(usage: OpenAIUsage | null | undefined): MessagesUsage {
  const cacheRead = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  const cacheWrite = countOf(usage?.cache_creation_input_tokens);
  return {
    input_tokens: Math.max(0, (usage?.prompt_tokens ?? 0) - cacheRead - cacheWrite),
    output_tokens: completionTokensOf(usage),
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
    ...(cacheWrite > 0 && usage?.cache_creation ? { cache_creation: usage.cache_creation } : {}),
  };
}

function countOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
