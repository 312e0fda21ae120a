import { describe, expect, it } from 'vitest';
import { tokenPartsOf } from './usage.js';

describe('tokenPartsOf', () => {
  it('splits an OpenAI usage into disjoint parts: cached and reasoning tokens are not counted twice', () => {
    const parts = tokenPartsOf({
      prompt_tokens: 1_000,
      completion_tokens: 400,
      prompt_tokens_details: { cached_tokens: 600 },
      completion_tokens_details: { reasoning_tokens: 300 },
    });
    expect(parts).toEqual({
      prompt: 1_000,
      textInput: 400,
      cachedInput: 600,
      cacheWrite: 0,
      cacheWrite1h: 0,
      audioInput: 0,
      textOutput: 100,
      reasoning: 300,
      audioOutput: 0,
    });
    const sumIn = parts!.textInput + parts!.cachedInput + parts!.cacheWrite + parts!.audioInput;
    expect(sumIn).toBe(1_000);
  });

  it('reads Anthropic-style cache writes and, lacking cached_tokens, cache reads', () => {
    expect(
      tokenPartsOf({
        prompt_tokens: 10_000,
        completion_tokens: 10,
        cache_creation_input_tokens: 4_000,
        cache_read_input_tokens: 5_000,
      }),
    ).toMatchObject({ textInput: 1_000, cachedInput: 5_000, cacheWrite: 4_000 });
  });

  it('splits Anthropic’s cache writes by lifetime, never past the writes reported', () => {
    const split = { ephemeral_5m_input_tokens: 1_000, ephemeral_1h_input_tokens: 3_000 };
    expect(
      tokenPartsOf({
        prompt_tokens: 10_000,
        completion_tokens: 10,
        cache_creation_input_tokens: 4_000,
        cache_creation: split,
      }),
    ).toMatchObject({ textInput: 6_000, cacheWrite: 1_000, cacheWrite1h: 3_000 });
    // Without the total, the split's sum; an hour's writes beyond the total are cut to it.
    expect(
      tokenPartsOf({ prompt_tokens: 10_000, completion_tokens: 10, cache_creation: split }),
    ).toMatchObject({ textInput: 6_000, cacheWrite: 1_000, cacheWrite1h: 3_000 });
    expect(
      tokenPartsOf({
        prompt_tokens: 10_000,
        completion_tokens: 10,
        cache_creation_input_tokens: 2_000,
        cache_creation: split,
      }),
    ).toMatchObject({ textInput: 8_000, cacheWrite: 0, cacheWrite1h: 2_000 });
  });

  it('reads DeepSeek’s cache hits (prompt_cache_hit_tokens) when neither of the others is there', () => {
    // DeepSeek's documented usage (https://api-docs.deepseek.com/api/create-chat-completion):
    // prompt_tokens = prompt_cache_hit_tokens + prompt_cache_miss_tokens.
    const deepSeek = {
      prompt_tokens: 1_000,
      completion_tokens: 10,
      prompt_cache_hit_tokens: 800,
      prompt_cache_miss_tokens: 200,
    };
    expect(tokenPartsOf(deepSeek)).toMatchObject({ cachedInput: 800, textInput: 200 });
    expect(
      tokenPartsOf({
        prompt_tokens: 1_000,
        completion_tokens: 10,
        prompt_tokens_details: { cached_tokens: 700 },
        prompt_cache_hit_tokens: 800,
      }),
    ).toMatchObject({ cachedInput: 700 });
  });

  it('prefers prompt_tokens_details.cached_tokens over cache_read_input_tokens', () => {
    expect(
      tokenPartsOf({
        prompt_tokens: 100,
        completion_tokens: 0,
        prompt_tokens_details: { cached_tokens: 10 },
        cache_read_input_tokens: 90,
      }),
    ).toMatchObject({ cachedInput: 10, textInput: 90 });
  });

  it('counts audio tokens apart from text and cache', () => {
    expect(
      tokenPartsOf({
        prompt_tokens: 1_000,
        completion_tokens: 500,
        prompt_tokens_details: { cached_tokens: 100, audio_tokens: 700 },
        completion_tokens_details: { audio_tokens: 450 },
      }),
    ).toMatchObject({ textInput: 200, cachedInput: 100, audioInput: 700, textOutput: 50, audioOutput: 450 });
  });

  it('never lets a part exceed its total (a provider reporting more cached than prompt tokens)', () => {
    expect(
      tokenPartsOf({
        prompt_tokens: 100,
        completion_tokens: 50,
        prompt_tokens_details: { cached_tokens: 500 },
        cache_creation_input_tokens: 50,
        completion_tokens_details: { reasoning_tokens: 80 },
      }),
    ).toEqual({
      prompt: 100,
      textInput: 0,
      cachedInput: 100,
      cacheWrite: 0,
      cacheWrite1h: 0,
      audioInput: 0,
      textOutput: 0,
      reasoning: 50,
      audioOutput: 0,
    });
  });

  it('treats missing, null, negative, NaN and non-number counts as 0', () => {
    expect(
      tokenPartsOf({
        prompt_tokens: 100,
        completion_tokens: null,
        prompt_tokens_details: { cached_tokens: -5 },
        completion_tokens_details: null,
        cache_creation_input_tokens: Number.NaN,
        // biome-ignore lint/suspicious/noExplicitAny: a provider sending a string
        cache_read_input_tokens: '7' as any,
      }),
    ).toMatchObject({ prompt: 100, textInput: 100, cachedInput: 0, cacheWrite: 0, textOutput: 0 });
  });

  it('has nothing to price without a prompt or completion count', () => {
    expect(tokenPartsOf(undefined)).toBeUndefined();
    expect(tokenPartsOf(null)).toBeUndefined();
    expect(tokenPartsOf({})).toBeUndefined();
    expect(tokenPartsOf({ prompt_tokens_details: { cached_tokens: 5 } })).toBeUndefined();
    // biome-ignore lint/suspicious/noExplicitAny: not an object at all
    expect(tokenPartsOf('usage' as any)).toBeUndefined();
    expect(tokenPartsOf({ prompt_tokens: 0, completion_tokens: 0 })).toMatchObject({ prompt: 0 });
  });
});
