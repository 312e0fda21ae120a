import { describe, expect, it } from 'vitest';
import { toOpenAIUsageFromBedrock } from '../bedrock/usage.js';
import { toOpenAIUsageFromCohere } from '../cohere/usage.js';
import { messagesUsageOf } from '../dialects/anthropic-messages/usage.js';
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

  it('Anthropic: the split of the writes by lifetime (`cache_creation`) goes along, so 1-hour writes are priced at theirs', () => {
    const cacheCreation = { ephemeral_5m_input_tokens: 3_000, ephemeral_1h_input_tokens: 2_000 };
    const usage = toOpenAIUsageFromAnthropic({
      input_tokens: 1_000,
      output_tokens: 500,
      cache_read_input_tokens: 20_000,
      cache_creation_input_tokens: 5_000,
      cache_creation: cacheCreation,
    });
    expect(usage).toMatchObject({
      prompt_tokens: 26_000,
      cache_creation_input_tokens: 5_000,
      cache_creation: cacheCreation,
    });
    // And back to an Anthropic client on /v1/messages, as Anthropic reports it.
    expect(messagesUsageOf(usage)).toEqual({
      input_tokens: 1_000,
      output_tokens: 500,
      cache_creation_input_tokens: 5_000,
      cache_read_input_tokens: 20_000,
      cache_creation: cacheCreation,
    });
  });

  it('Bedrock Converse: cacheDetails (writes by TTL) becomes the same split', () => {
    const usage = toOpenAIUsageFromBedrock({
      inputTokens: 10,
      outputTokens: 5,
      totalTokens: 5_015,
      cacheWriteInputTokens: 5_000,
      cacheDetails: [
        { ttl: '1h', inputTokens: 2_000 },
        { ttl: '5m', inputTokens: 3_000 },
      ],
    });
    expect(usage).toMatchObject({
      prompt_tokens: 5_010,
      cache_creation_input_tokens: 5_000,
      cache_creation: { ephemeral_5m_input_tokens: 3_000, ephemeral_1h_input_tokens: 2_000 },
    });
  });
});

describe('Cohere usage: what Cohere bills', () => {
  it('reads billed_units before tokens (which count Cohere’s own prompt template, not billed)', () => {
    expect(
      toOpenAIUsageFromCohere({
        billed_units: { input_tokens: 100, output_tokens: 400 },
        tokens: { input_tokens: 1_500, output_tokens: 402 },
      }),
    ).toEqual({ prompt_tokens: 100, completion_tokens: 400, total_tokens: 500 });
    // Without billed units, the tokens processed.
    expect(toOpenAIUsageFromCohere({ tokens: { input_tokens: 15, output_tokens: 4 } })).toEqual({
      prompt_tokens: 15,
      completion_tokens: 4,
      total_tokens: 19,
    });
  });
});
