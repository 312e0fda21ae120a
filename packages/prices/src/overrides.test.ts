import { describe, expect, it } from 'vitest';
import { priceOverridesSchema } from './overrides.js';
import { createPriceTable } from './price-table.js';

const usage = { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 };
const AT = Date.parse('2026-10-01T12:00:00Z');

describe('priceOverridesSchema', () => {
  it('accepts prices in USD per 1M tokens, 0 included', () => {
    const overrides = {
      openai: { 'gpt-4o': { input: 2, output: 8, cached_input: 1 } },
      ollama: { '*': { input: 0, output: 0 } },
      '*': { 'my-finetune': { input: 3, output: 12, per_request: 0.01 } },
    };
    expect(priceOverridesSchema.parse(overrides)).toEqual(overrides);
  });

  it('refuses a per-token price written where a per-1M price belongs, and says how to fix it', () => {
    const result = priceOverridesSchema.safeParse({ openai: { 'gpt-4o': { input: 0.0000025, output: 10 } } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: ['openai', 'gpt-4o', 'input'],
      message: expect.stringMatching(/per-token price \(multiply it by 1,000,000\)/),
    });
  });

  it('refuses implausibly large prices (cents, or per 1B tokens)', () => {
    const result = priceOverridesSchema.safeParse({
      openai: { 'gpt-4o': { input: 250, output: 1_000_000 } },
    });
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([['openai', 'gpt-4o', 'output']]);
  });

  it.each([
    ['a negative price', { openai: { m: { input: -1, output: 1 } } }],
    ['a missing output price', { openai: { m: { input: 1 } } }],
    ['an unknown key (a typo)', { openai: { m: { input: 1, output: 1, cache_read: 1 } } }],
    ['a price as a string', { openai: { m: { input: '1', output: 1 } } }],
    ['Infinity', { openai: { m: { input: Number.POSITIVE_INFINITY, output: 1 } } }],
    ['an empty model key', { openai: { '': { input: 1, output: 1 } } }],
    ['* under *', { '*': { '*': { input: 1, output: 1 } } }],
    [
      'the same model twice in different case',
      { openai: { 'GPT-4o': { input: 1, output: 1 }, 'gpt-4o': { input: 1, output: 1 } } },
    ],
    [
      'the same provider twice in different case',
      { OpenAI: { a: { input: 1, output: 1 } }, openai: { b: { input: 1, output: 1 } } },
    ],
    ['a per-request fee above $10', { openai: { m: { input: 1, output: 1, per_request: 50 } } }],
    ['an audio price above $100 an hour', { openai: { m: { input: 0, output: 0, per_audio_hour: 500 } } }],
  ])('refuses %s', (_name, overrides) => {
    expect(priceOverridesSchema.safeParse(overrides).success).toBe(false);
  });
});

describe('per_audio_hour overrides', () => {
  it('refuses a per-minute audio price written where a per-hour price belongs, and says how to fix it', () => {
    const result = priceOverridesSchema.safeParse({
      openai: { 'whisper-1': { input: 0, output: 0, per_audio_hour: 0.006 } },
    });
    expect(result.error?.issues[0]).toMatchObject({
      path: ['openai', 'whisper-1', 'per_audio_hour'],
      message: expect.stringMatching(/per minute \(multiply it by 60\)/),
    });
  });

  it('prices seconds of audio at the operator’s hourly price', () => {
    const table = createPriceTable({
      overrides: { openai: { 'whisper-1': { input: 0, output: 0, per_audio_hour: 0.72 } } },
    });
    // 60 s at $0.72 per hour = $0.012.
    expect(
      table.cost({ provider: 'openai', model: 'whisper-1', usage: { type: 'duration', seconds: 60 } }),
    ).toMatchObject({ cost: 0.012, cost_status: 'priced', priced_as: { table: 'override' } });
  });
});

describe('createPriceTable({ overrides })', () => {
  it('overrides a built-in price, for every spelling of the model', () => {
    const table = createPriceTable({ overrides: { openai: { 'gpt-4o': { input: 2, output: 8 } } } });
    for (const model of ['gpt-4o', 'GPT-4o', 'gpt-4o-2024-08-06', 'openai/gpt-4o']) {
      expect(table.cost({ provider: 'openai', model, usage, at: AT }), model).toMatchObject({
        cost: 10,
        cost_status: 'priced',
        priced_as: { table: 'override', model_id: 'gpt-4o' },
      });
    }
    // Other models keep their built-in prices.
    expect(table.cost({ provider: 'openai', model: 'gpt-4o-mini', usage, at: AT })).toMatchObject({
      cost: 0.75,
    });
  });

  it('prices a model the built-in table does not know', () => {
    const table = createPriceTable({ overrides: { '*': { 'acme-finetune-v2': { input: 3, output: 12 } } } });
    expect(table.cost({ provider: 'together-ai', model: 'acme-finetune-v2', usage, at: AT })).toMatchObject({
      cost: 15,
    });
    expect(table.isPriced({ provider: 'groq', model: 'ACME-finetune-v2' })).toBe(true);
  });

  it('prices every model of a provider with "*", zero included (a self-hosted Ollama is free)', () => {
    const table = createPriceTable({ overrides: { ollama: { '*': { input: 0, output: 0 } } } });
    expect(table.cost({ provider: 'ollama', model: 'llama3.2', usage, at: AT })).toEqual({
      cost: 0,
      cost_status: 'priced',
      input_cost: 0,
      output_cost: 0,
      priced_as: { table: 'override', model_id: '*', matched_by: 'provider_wide' },
    });
    expect(table.cost({ provider: 'openai', model: 'llama3.2', usage, at: AT }).cost_status).toBe(
      'unknown_price',
    );
  });

  it('prefers provider + model over * + model over provider + *', () => {
    const table = createPriceTable({
      overrides: {
        openai: { 'gpt-4o': { input: 1, output: 1 }, '*': { input: 9, output: 9 } },
        '*': { 'gpt-4o': { input: 2, output: 2 }, 'gpt-4o-mini': { input: 3, output: 3 } },
      },
    });
    const costOf = (provider: string, model: string) => table.cost({ provider, model, usage, at: AT }).cost;
    expect(costOf('openai', 'gpt-4o')).toBe(2);
    expect(costOf('azure-openai', 'gpt-4o')).toBe(4);
    expect(costOf('openai', 'gpt-4o-mini')).toBe(6);
    expect(costOf('openai', 'o1')).toBe(18);
  });

  it('bills the optional kinds at their parent price unless set', () => {
    const table = createPriceTable({
      overrides: { anthropic: { 'claude-x': { input: 3, output: 15, cache_write: 3.75 } } },
    });
    const result = table.cost({
      provider: 'anthropic',
      model: 'claude-x',
      at: AT,
      usage: {
        prompt_tokens: 3_000_000,
        completion_tokens: 1_000_000,
        prompt_tokens_details: { cached_tokens: 1_000_000 },
        cache_creation_input_tokens: 1_000_000,
        completion_tokens_details: { reasoning_tokens: 500_000 },
      },
    });
    // 1M plain × 3 + 1M cached × 3 (no cached price) + 1M written × 3.75; 1M output × 15.
    expect(result).toMatchObject({ input_cost: 9.75, output_cost: 15, cost: 24.75 });
  });

  it('bills 1-hour cache writes at their own override price, else at twice the input price', () => {
    const usage = {
      prompt_tokens: 2_000_000,
      completion_tokens: 0,
      cache_creation_input_tokens: 2_000_000,
      cache_creation: { ephemeral_5m_input_tokens: 1_000_000, ephemeral_1h_input_tokens: 1_000_000 },
    };
    const priced = (prices: {
      input: number;
      output: number;
      cache_write?: number;
      cache_write_1h?: number;
    }) =>
      createPriceTable({ overrides: { anthropic: { 'claude-x': prices } } }).cost({
        provider: 'anthropic',
        model: 'claude-x',
        at: AT,
        usage,
      }).cost;
    // 1M written for 5 minutes × 3.75 + 1M for an hour × 5 (its own price) or × 6 (2 × 3).
    expect(priced({ input: 3, output: 15, cache_write: 3.75, cache_write_1h: 5 })).toBe(8.75);
    expect(priced({ input: 3, output: 15, cache_write: 3.75 })).toBe(9.75);
  });

  it('throws a ZodError with the path when handed invalid overrides', () => {
    expect(() =>
      createPriceTable({ overrides: { openai: { 'gpt-4o': { input: 0.000002, output: 1 } } } }),
    ).toThrow(/openai.*gpt-4o.*input|per-token/s);
  });
});
