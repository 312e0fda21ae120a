import { describe, expect, it } from 'vitest';
import { cost } from './built-in-price-table.js';

// Known published list prices, written here by hand from the providers' pricing pages (USD per 1M
// tokens), not read from the data: a per-token price read as per-1M (or the reverse) is off by a
// factor of 1,000,000 and fails every row. `at` pins the time for prices that change.
const AT = Date.parse('2026-10-01T12:00:00Z');
/** The expected figure as a clean decimal (the test's own arithmetic has float noise too). */
const usd = (value: number): number => Number(value.toFixed(12));

describe('cost() against published prices', () => {
  it.each([
    // provider, model, input $/1M, output $/1M (https://openai.com/api/pricing, https://www.anthropic.com/pricing,
    // https://ai.google.dev/gemini-api/docs/pricing, https://console.groq.com/docs/models)
    ['openai', 'gpt-4o', 2.5, 10],
    ['openai', 'gpt-4o-2024-08-06', 2.5, 10],
    ['openai', 'gpt-4o-2024-05-13', 5, 15],
    ['openai', 'gpt-4o-mini', 0.15, 0.6],
    ['openai', 'o1', 15, 60],
    ['openai', 'gpt-4.1', 2, 8],
    ['anthropic', 'claude-3-5-sonnet-20241022', 3, 15],
    ['anthropic', 'claude-3-haiku-20240307', 0.25, 1.25],
    ['anthropic', 'claude-3-opus-20240229', 15, 75],
    ['google', 'gemini-2.5-pro', 1.25, 10],
    ['groq', 'llama-3.3-70b-versatile', 0.59, 0.79],
  ] as const)('%s %s: $%s in, $%s out per 1M tokens', (provider, model, input, output) => {
    // 100,000 tokens each way (below every long-context tier) cost a tenth of the two list prices.
    expect(
      cost({ provider, model, at: AT, usage: { prompt_tokens: 100_000, completion_tokens: 100_000 } }),
    ).toMatchObject({
      cost_status: 'priced',
      input_cost: usd(input / 10),
      output_cost: usd(output / 10),
      cost: usd((input + output) / 10),
    });
  });

  it('prices an ordinary chat request of GPT-4o to the exact cent fraction', () => {
    // 1,000 prompt tokens at $2.50/1M = $0.0025; 500 completion tokens at $10/1M = $0.005.
    expect(
      cost({
        provider: 'openai',
        model: 'gpt-4o',
        at: AT,
        usage: { prompt_tokens: 1000, completion_tokens: 500 },
      }),
    ).toEqual({
      cost: 0.0075,
      cost_status: 'priced',
      input_cost: 0.0025,
      output_cost: 0.005,
      priced_as: { table: 'openai', model_id: 'gpt-4o', matched_by: 'exact' },
    });
  });

  it('prices an embedding request (text-embedding-3-small, $0.02/1M)', () => {
    expect(
      cost({
        provider: 'openai',
        model: 'text-embedding-3-small',
        usage: { prompt_tokens: 8_000, completion_tokens: 0 },
      }),
    ).toMatchObject({ cost: 0.00016, cost_status: 'priced' });
  });

  it('bills cached prompt tokens at the cache price, once (GPT-4o: $1.25/1M cached)', () => {
    // 10,000 prompt tokens of which 8,000 cached: 2,000 × 2.5 + 8,000 × 1.25 = 15,000 per 1M = $0.015.
    const result = cost({
      provider: 'openai',
      model: 'gpt-4o',
      at: AT,
      usage: { prompt_tokens: 10_000, completion_tokens: 0, prompt_tokens_details: { cached_tokens: 8_000 } },
    });
    expect(result).toMatchObject({ cost: 0.015, input_cost: 0.015, output_cost: 0 });
  });

  it('bills Anthropic cache reads and writes at their own prices, each token once', () => {
    // Claude 3.5 Sonnet: input $3, cache write $3.75, cache read $0.30, output $15 per 1M.
    // prompt 10,000 = 1,000 plain + 4,000 written + 5,000 read (as pk's adapters report it).
    // 1,000 × 3 + 4,000 × 3.75 + 5,000 × 0.3 = 19,500 per 1M; output 200 × 15 = 3,000 per 1M.
    const result = cost({
      provider: 'anthropic',
      model: 'claude-3-5-sonnet-20241022',
      at: AT,
      usage: {
        prompt_tokens: 10_000,
        completion_tokens: 200,
        prompt_tokens_details: { cached_tokens: 5_000 },
        cache_creation_input_tokens: 4_000,
      },
    });
    expect(result).toMatchObject({ input_cost: 0.0195, output_cost: 0.003, cost: 0.0225 });
  });

  it('bills Anthropic’s 1-hour cache writes at twice the input price, 5-minute ones at 1.25×', () => {
    // Claude Sonnet 4.5 (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#pricing):
    // input $3, 5-minute write $3.75, 1-hour write $6 (2× input), read $0.30, output $15 per 1M.
    // prompt 26,000 = 1,000 plain + 20,000 read + 5,000 written (3,000 for 5 minutes, 2,000 for an
    // hour): 3,000 + 6,000 + 11,250 + 12,000 = 32,250 per 1M; output 500 × 15 = 7,500 per 1M.
    const result = cost({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
      at: AT,
      usage: {
        prompt_tokens: 26_000,
        completion_tokens: 500,
        prompt_tokens_details: { cached_tokens: 20_000 },
        cache_creation_input_tokens: 5_000,
        cache_creation: { ephemeral_5m_input_tokens: 3_000, ephemeral_1h_input_tokens: 2_000 },
      },
    });
    expect(result).toMatchObject({ input_cost: 0.03225, output_cost: 0.0075, cost: 0.03975 });
  });

  it('bills 1-hour cache writes at twice the long-context input price above 200k prompt tokens', () => {
    // Claude Sonnet 4.5 above 200k: input $6, so a 1-hour write is $12 per 1M. 210,000 prompt tokens,
    // 10,000 of them written for an hour: 200,000 × 6 + 10,000 × 12 = 1,320,000 per 1M = $1.32.
    const result = cost({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      at: AT,
      usage: {
        prompt_tokens: 210_000,
        completion_tokens: 0,
        cache_creation_input_tokens: 10_000,
        cache_creation: { ephemeral_1h_input_tokens: 10_000 },
      },
    });
    expect(result).toMatchObject({ input_cost: 1.32 });
  });

  it('bills OpenRouter’s cache writes (prompt_tokens_details.cache_write_tokens) at the write price', () => {
    // OpenRouter's usage (https://openrouter.ai/docs/use-cases/usage-accounting) names Anthropic's
    // cache writes `prompt_tokens_details.cache_write_tokens`. Claude Sonnet 4.5 through it: 1,000
    // plain × 3 + 20,000 read × 0.3 + 5,000 written × 3.75 = 27,750 per 1M; 500 out × 15.
    const result = cost({
      provider: 'openrouter',
      model: 'anthropic/claude-sonnet-4.5',
      at: AT,
      usage: {
        prompt_tokens: 26_000,
        completion_tokens: 500,
        total_tokens: 26_500,
        prompt_tokens_details: { cached_tokens: 20_000, cache_write_tokens: 5_000, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
    expect(result).toMatchObject({ input_cost: 0.02775, output_cost: 0.0075, cost: 0.03525 });
  });

  it('bills reasoning tokens as output, once, at the output price when not priced apart (o1: $60/1M)', () => {
    // completion 3,000 of which 2,500 reasoning: all 3,000 at $60/1M = $0.18, not 5,500 tokens.
    const result = cost({
      provider: 'openai',
      model: 'o1',
      at: AT,
      usage: {
        prompt_tokens: 0,
        completion_tokens: 3_000,
        completion_tokens_details: { reasoning_tokens: 2_500 },
      },
    });
    expect(result).toMatchObject({ cost: 0.18, output_cost: 0.18 });
  });

  it('bills xAI’s reasoning tokens, which its completion_tokens leave out (its total_tokens count them)', () => {
    // Grok 4 ($3 in, $0.75 cached, $15 out; https://docs.x.ai/docs/models): xAI reports reasoning
    // apart from completion_tokens, prompt + completion + reasoning = total_tokens
    // (https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/grok/capabilities/reasoning).
    // 6,000 × 3 + 4,000 × 0.75 + (1,000 + 9,000) × 15 = 171,000 per 1M = $0.171, not $0.036.
    const result = cost({
      provider: 'x-ai',
      model: 'grok-4',
      at: AT,
      usage: {
        prompt_tokens: 10_000,
        completion_tokens: 1_000,
        total_tokens: 20_000,
        prompt_tokens_details: { cached_tokens: 4_000 },
        completion_tokens_details: { reasoning_tokens: 9_000 },
      },
    });
    expect(result).toMatchObject({ input_cost: 0.021, output_cost: 0.15, cost: 0.171 });
    // OpenAI's rule (reasoning inside completion_tokens, total = prompt + completion) is unchanged.
    expect(
      cost({
        provider: 'openai',
        model: 'o1',
        at: AT,
        usage: {
          prompt_tokens: 0,
          completion_tokens: 3_000,
          total_tokens: 3_000,
          completion_tokens_details: { reasoning_tokens: 2_500 },
        },
      }),
    ).toMatchObject({ output_cost: 0.18 });
  });

  it('bills reasoning tokens at their own price where the source prices them apart', () => {
    // Perplexity sonar-deep-research: output $8, reasoning $3 per 1M: 1,000 text + 9,000 reasoning
    // = 8,000 + 27,000 per 1M = $0.035.
    const result = cost({
      provider: 'perplexity-ai',
      model: 'sonar-deep-research',
      at: AT,
      usage: {
        prompt_tokens: 0,
        completion_tokens: 10_000,
        completion_tokens_details: { reasoning_tokens: 9_000 },
      },
    });
    expect(result).toMatchObject({ output_cost: 0.035 });
  });

  it('switches every token to the long-context price above 200k prompt tokens (Gemini 2.5 Pro)', () => {
    // ≤ 200k: $1.25 in / $10 out; > 200k: $2.50 in / $15 out, for the whole request.
    const at200k = cost({
      provider: 'google',
      model: 'gemini-2.5-pro',
      at: AT,
      usage: { prompt_tokens: 200_000, completion_tokens: 1_000 },
    });
    const above = cost({
      provider: 'google',
      model: 'gemini-2.5-pro',
      at: AT,
      usage: { prompt_tokens: 200_001, completion_tokens: 1_000 },
    });
    expect(at200k).toMatchObject({ input_cost: 0.25, output_cost: 0.01 });
    expect(above).toMatchObject({ input_cost: 0.5000025, output_cost: 0.015 });
  });

  it('uses the price in force when the request ran (o3 dropped from $10/$40 to $2/$8 on 2025-06-10)', () => {
    const usage = { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 };
    expect(
      cost({ provider: 'openai', model: 'o3', usage, at: Date.parse('2025-06-09T23:59:59Z') }),
    ).toMatchObject({
      cost: 50,
    });
    expect(
      cost({ provider: 'openai', model: 'o3', usage, at: new Date('2025-06-10T00:00:00Z') }),
    ).toMatchObject({
      cost: 10,
    });
  });

  it("applies DeepSeek's off-peak discount by UTC time of day (16:30-00:30 UTC)", () => {
    const usage = { prompt_tokens: 1_000_000, completion_tokens: 0 };
    expect(
      cost({ provider: 'deepseek', model: 'deepseek-chat', usage, at: Date.parse('2026-10-01T12:00:00Z') }),
    ).toMatchObject({ cost: 0.27 });
    expect(
      cost({ provider: 'deepseek', model: 'deepseek-chat', usage, at: Date.parse('2026-10-01T20:00:00Z') }),
    ).toMatchObject({ cost: 0.135 });
  });

  it('adds a per-request fee where the source has one (Perplexity sonar: $12 per 1,000 requests)', () => {
    expect(
      cost({
        provider: 'perplexity-ai',
        model: 'sonar',
        at: AT,
        usage: { prompt_tokens: 0, completion_tokens: 0 },
      }),
    ).toMatchObject({ cost: 0.012, input_cost: 0, output_cost: 0 });
  });

  it('never answers 0 for a model it cannot price', () => {
    const usage = { prompt_tokens: 1_000, completion_tokens: 1_000 };
    expect(cost({ provider: 'openai', model: 'gpt-nonexistent-model', usage })).toEqual({
      cost: null,
      cost_status: 'unknown_price',
    });
    expect(cost({ provider: 'ollama', model: 'llama3.2', usage })).toEqual({
      cost: null,
      cost_status: 'unknown_price',
    });
    expect(cost({ provider: 'not-a-provider', model: 'some-model', usage })).toEqual({
      cost: null,
      cost_status: 'unknown_price',
    });
    // Known, but priced per hour of audio, which token usage cannot give.
    expect(cost({ provider: 'openai', model: 'whisper-1', usage })).toEqual({
      cost: null,
      cost_status: 'unknown_price',
    });
  });

  it('prices whisper-1 by the seconds of audio its usage reports: $0.006 a minute', () => {
    // OpenAI's transcription `usage` (https://platform.openai.com/docs/api-reference/audio/json-object):
    // 90 s at $0.36 per hour (https://openai.com/api/pricing: $0.006 per minute) = 90 × 0.0001 = $0.009.
    expect(
      cost({ provider: 'openai', model: 'whisper-1', usage: { type: 'duration', seconds: 90 } }),
    ).toEqual({
      cost: 0.009,
      cost_status: 'priced',
      input_cost: 0.009,
      output_cost: 0,
      priced_as: { table: 'openai', model_id: 'whisper-1', matched_by: 'exact' },
    });
    // Azure OpenAI falls back to OpenAI's table: 1 s = $0.0001.
    expect(
      cost({ provider: 'azure-openai', model: 'whisper-1', usage: { type: 'duration', seconds: 1 } }),
    ).toMatchObject({ cost: 0.0001, cost_status: 'priced' });
    // Groq's whisper-large-v3-turbo at $0.04 per hour (https://groq.com/pricing): 3,600 s = $0.04.
    expect(
      cost({
        provider: 'groq',
        model: 'whisper-large-v3-turbo',
        usage: { type: 'duration', seconds: 3_600 },
      }),
    ).toMatchObject({ cost: 0.04, cost_status: 'priced' });
    // Groq bills at least 10 s (https://console.groq.com/docs/speech-to-text): 2 s cost 10 s, $0.000111111111.
    expect(
      cost({ provider: 'groq', model: 'whisper-large-v3-turbo', usage: { type: 'duration', seconds: 2 } }),
    ).toMatchObject({ cost: 0.000111111111, cost_status: 'priced' });
  });

  it('says no_usage for whisper-1 without a duration, never $0', () => {
    expect(cost({ provider: 'openai', model: 'whisper-1', usage: undefined })).toEqual({
      cost: null,
      cost_status: 'no_usage',
    });
    expect(cost({ provider: 'openai', model: 'whisper-1', usage: { type: 'duration' } })).toEqual({
      cost: null,
      cost_status: 'no_usage',
    });
  });

  it('does not price seconds of audio for a model priced per token only', () => {
    expect(cost({ provider: 'openai', model: 'gpt-4o', usage: { type: 'duration', seconds: 60 } })).toEqual({
      cost: null,
      cost_status: 'unknown_price',
    });
  });

  it('says no_usage for a priced model whose response carried no token counts', () => {
    expect(cost({ provider: 'openai', model: 'gpt-4o', usage: undefined })).toEqual({
      cost: null,
      cost_status: 'no_usage',
    });
    expect(cost({ provider: 'openai', model: 'gpt-4o', usage: {} })).toEqual({
      cost: null,
      cost_status: 'no_usage',
    });
  });

  it('rounds to 12 decimal places so float noise does not reach the logs', () => {
    // Unrounded, 3 × 0.1 + 7 × 0.4 is 3.1000000000000005 in floating point.
    const result = cost({
      provider: 'openai',
      model: 'gpt-4.1-nano',
      at: AT,
      usage: { prompt_tokens: 3, completion_tokens: 7 },
    });
    // 3 × 0.1 + 7 × 0.4 = 3.1 per 1M = $0.0000031
    expect(result).toMatchObject({ cost: 0.0000031 });
  });
});
