import { describe, expect, it } from 'vitest';
import { toOpenAIUsageFromBedrock } from '../../bedrock/usage.js';
import { responsesUsageOf } from '../openai-responses/response-object.js';
import { messagesUsageOf } from './usage.js';

describe('OpenAI usage as Anthropic’s', () => {
  it('counts neither cache reads nor cache writes in input_tokens, as Anthropic does', () => {
    // What the Bedrock adapter reports for Converse's inputTokens 40, cacheReadInputTokens 20,
    // cacheWriteInputTokens 10, outputTokens 11.
    const usage = toOpenAIUsageFromBedrock({
      inputTokens: 40,
      outputTokens: 11,
      totalTokens: 81,
      cacheReadInputTokens: 20,
      cacheWriteInputTokens: 10,
    });
    expect(messagesUsageOf(usage)).toEqual({
      input_tokens: 40,
      output_tokens: 11,
      cache_creation_input_tokens: 10,
      cache_read_input_tokens: 20,
    });
  });

  it('reports no cache writes where the usage names none, or names them oddly', () => {
    const usage = { prompt_tokens: 100, completion_tokens: 5, total_tokens: 105 };
    expect(messagesUsageOf(usage)).toEqual({
      input_tokens: 100,
      output_tokens: 5,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
    expect(messagesUsageOf({ ...usage, cache_creation_input_tokens: 'ten' })).toMatchObject({
      input_tokens: 100,
      cache_creation_input_tokens: 0,
    });
    expect(messagesUsageOf(undefined)).toEqual({
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
  });
});

describe('reasoning a provider counts beside its completion tokens (xAI)', () => {
  // xAI's usage: completion_tokens leave the reasoning out, total = prompt + completion + reasoning
  // (https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/grok/capabilities/reasoning).
  const grok = {
    prompt_tokens: 663,
    completion_tokens: 50,
    total_tokens: 837,
    completion_tokens_details: { reasoning_tokens: 124 },
  };

  it('is in output_tokens for an Anthropic client (Anthropic counts thinking as output)', () => {
    expect(messagesUsageOf(grok)).toMatchObject({ input_tokens: 663, output_tokens: 174 });
  });

  it('is in output_tokens for a Responses client (OpenAI counts reasoning as output)', () => {
    expect(responsesUsageOf(grok)).toMatchObject({
      input_tokens: 663,
      output_tokens: 174,
      output_tokens_details: { reasoning_tokens: 124 },
      total_tokens: 837,
    });
  });

  it('is left as it is where it is inside completion_tokens (OpenAI)', () => {
    const o3 = { ...grok, completion_tokens: 174, total_tokens: 837 };
    expect(messagesUsageOf(o3)).toMatchObject({ output_tokens: 174 });
    expect(responsesUsageOf(o3)).toMatchObject({ output_tokens: 174 });
  });
});
