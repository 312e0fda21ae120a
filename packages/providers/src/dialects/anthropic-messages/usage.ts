import type { OpenAIUsage } from '../../openai-format/usage.js';

/** Anthropic's usage object as pk returns it (https://docs.anthropic.com/en/api/messages#response-usage). */
export interface MessagesUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/**
 * OpenAI usage → Anthropic usage. OpenAI's `prompt_tokens` include cached tokens, Anthropic's
 * `input_tokens` do not: cached tokens are moved to `cache_read_input_tokens`.
 */
export function messagesUsageOf(usage: OpenAIUsage | null | undefined): MessagesUsage {
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage?.prompt_tokens ?? 0) - cached),
    output_tokens: usage?.completion_tokens ?? 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}
