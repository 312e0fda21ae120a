import { describe, expect, it } from 'vitest';
import { toOpenAIUsageFromBedrock } from '../bedrock/usage.js';
import { toOpenAIUsageFromAnthropic } from './usage.js';

describe('cache writes in the OpenAI usage (priced apart from input)', () => {
  it('Anthropic: cache reads as cached_tokens, cache writes as cache_creation_input_tokens', () => {
    const usage = toOpenAIUsageFromAnthropic({
      input_tokens: 10,
      output_tokens: 5,
      cache_read_input_tokens: 100,
      cache_creation_input_tokens: 1000,
    });
    expect(usage).toMatchObject({
      prompt_tokens: 1110,
      completion_tokens: 5,
      total_tokens: 1115,
      prompt_tokens_details: { cached_tokens: 100 },
      cache_creation_input_tokens: 1000,
    });
  });

  it('Anthropic: no cache write, no field', () => {
    const usage = toOpenAIUsageFromAnthropic({ input_tokens: 10, output_tokens: 5 });
    expect(usage).not.toHaveProperty('cache_creation_input_tokens');
  });

  it('Bedrock Converse: cacheWriteInputTokens becomes cache_creation_input_tokens', () => {
    const usage = toOpenAIUsageFromBedrock({
      inputTokens: 10,
      outputTokens: 5,
      totalTokens: 15,
      cacheReadInputTokens: 100,
      cacheWriteInputTokens: 1000,
    });
    expect(usage).toMatchObject({
      prompt_tokens: 1110,
      prompt_tokens_details: { cached_tokens: 100 },
      cache_creation_input_tokens: 1000,
    });
  });
});
