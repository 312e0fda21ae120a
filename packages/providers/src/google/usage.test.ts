import { describe, expect, it } from 'vitest';
import { toOpenAIUsageFromGoogle } from './usage.js';

describe('toOpenAIUsageFromGoogle', () => {
  it('thinking counts as completion (reasoning), cached content as cached prompt tokens', () => {
    expect(
      toOpenAIUsageFromGoogle({
        promptTokenCount: 10_000,
        cachedContentTokenCount: 6_000,
        candidatesTokenCount: 500,
        thoughtsTokenCount: 1_500,
        totalTokenCount: 12_000,
      }),
    ).toEqual({
      prompt_tokens: 10_000,
      completion_tokens: 2_000,
      total_tokens: 12_000,
      prompt_tokens_details: { cached_tokens: 6_000 },
      completion_tokens_details: { reasoning_tokens: 1_500 },
    });
  });

  it('audio by modality (promptTokensDetails, less the cached audio; candidatesTokensDetails) is audio_tokens, priced at Gemini’s audio rates', () => {
    // https://ai.google.dev/api/generate-content#UsageMetadata: the prompt's and the answer's tokens by
    // modality; Gemini 2.5 Flash bills audio input at $1 per 1M against $0.30 for text.
    const usage = toOpenAIUsageFromGoogle({
      promptTokenCount: 1_000,
      cachedContentTokenCount: 300,
      candidatesTokenCount: 400,
      totalTokenCount: 1_400,
      promptTokensDetails: [
        { modality: 'TEXT', tokenCount: 200 },
        { modality: 'AUDIO', tokenCount: 800 },
      ],
      cacheTokensDetails: [{ modality: 'AUDIO', tokenCount: 300 }],
      candidatesTokensDetails: [
        { modality: 'TEXT', tokenCount: 100 },
        { modality: 'AUDIO', tokenCount: 300 },
      ],
    });
    expect(usage).toEqual({
      prompt_tokens: 1_000,
      completion_tokens: 400,
      total_tokens: 1_400,
      prompt_tokens_details: { cached_tokens: 300, audio_tokens: 500 },
      completion_tokens_details: { audio_tokens: 300 },
    });
  });
});
