import { describe, expect, it } from 'vitest';
import { builtInPriceTable, costUpperBound, isPricedModel, lookupPrice } from './built-in-price-table.js';
import { createTableSet } from './built-in-tables.js';
import { MAX_MODEL_ID_LENGTH } from './model-id.js';
import type { PriceData } from './price-data-format.js';
import { createPriceTable, createPriceTableOver } from './price-table.js';

const AT = Date.parse('2026-10-01T12:00:00Z');
const usage = { prompt_tokens: 1_000, completion_tokens: 1_000 };
const pricedAs = (provider: string, model: string) => lookupPrice({ provider, model, at: AT });

describe('provider and model resolution', () => {
  it.each([
    // pk provider id, model as sent, table, model id in the table, how it matched
    ['openai', 'gpt-4o', 'openai', 'gpt-4o', 'exact'],
    ['openai', 'GPT-4o', 'openai', 'gpt-4o', 'exact'],
    ['anthropic', 'claude-3-5-sonnet-20241022', 'anthropic', 'claude-3-5-sonnet', 'pattern'],
    ['azure-openai', 'gpt-4o', 'openai', 'gpt-4o', 'exact'],
    ['azure-openai', 'o1-mini', 'azure', 'o1-mini', 'exact'],
    ['azure-ai', 'gpt-4o-mini', 'openai', 'gpt-4o-mini', 'exact'],
    [
      'bedrock',
      'us.anthropic.claude-3-5-sonnet-20241022-v2:0',
      'aws',
      'regional.anthropic.claude-3-5-sonnet-20241022-v2:0',
      'pattern',
    ],
    ['bedrock', 'amazon.nova-pro-v1:0', 'aws', 'amazon.nova-pro-v1:0', 'pattern'],
    ['vertex-ai', 'gemini-2.5-pro', 'google', 'gemini-2.5-pro', 'pattern'],
    ['vertex-ai', 'claude-3-5-sonnet-v2@20241022', 'google', 'claude-3-5-sonnet', 'pattern'],
    ['google', 'gemini-2.0-flash', 'google', 'gemini-2.0-flash', 'pattern'],
    ['openrouter', 'openai/gpt-4o', 'openrouter', 'openai/gpt-4o', 'exact'],
    [
      'together-ai',
      'meta-llama/Llama-3.3-70B-Instruct-Turbo',
      'together',
      'meta-llama/Llama-3.3-70B-Instruct-Turbo',
      'exact',
    ],
    ['fireworks-ai', 'accounts/fireworks/models/deepseek-v3p2', 'fireworks', 'deepseek-v3p2', 'exact'],
    ['mistral-ai', 'mistral-large-latest', 'mistral', 'mistral-large', 'exact'],
    ['groq', 'llama-3.1-8b-instant', 'groq', 'llama-3.1-8b-instant', 'exact'],
    ['deepseek', 'deepseek-reasoner', 'deepseek', 'deepseek-reasoner', 'exact'],
    ['x-ai', 'grok-3', 'x-ai', 'grok-3', 'exact'],
    ['cohere', 'command-r-plus', 'cohere', 'command-r-plus', 'exact'],
    ['perplexity-ai', 'sonar-pro', 'perplexity', 'sonar-pro', 'exact'],
    ['cerebras', 'llama-3.3-70b', 'cerebras', 'llama-3.3-70b', 'exact'],
    ['novita-ai', 'deepseek/deepseek-r1', 'novita', 'deepseek/deepseek-r1', 'exact'],
    ['moonshot', 'kimi-k2-0905-preview', 'moonshotai', 'kimi-k2-0905-preview', 'exact'],
    ['workers-ai', '@cf/baai/bge-m3', 'cloudflare', '@cf/baai/bge-m3', 'exact'],
    ['voyage', 'voyage-3', 'voyageai', 'voyage-3', 'exact'],
    // a provider id equal to a table id needs no mapping row
    ['baseten', 'moonshotai/Kimi-K3', 'baseten', 'moonshotai/Kimi-K3', 'exact'],
  ])('%s %s → %s/%s (%s)', (provider, model, table, modelId, matchedBy) => {
    expect(pricedAs(provider, model)).toMatchObject({ table, model_id: modelId, matched_by: matchedBy });
  });

  it('prices a dated snapshot the table does not list at its undated model, marked normalised', () => {
    expect(pricedAs('openai', 'gpt-4o-mini-2031-01-01')).toMatchObject({
      table: 'openai',
      model_id: 'gpt-4o-mini',
      matched_by: 'normalised',
    });
  });

  it('keeps a dated snapshot that has its own price (gpt-4o-2024-05-13: $5, not $2.50)', () => {
    expect(pricedAs('openai', 'gpt-4o-2024-05-13')).toMatchObject({ model_id: 'gpt-4o-2024-05-13' });
    expect(pricedAs('openai', 'gpt-4o-2024-05-13')?.prices.input).toBe(5);
  });

  it('strips a provider prefix the host does not use', () => {
    expect(pricedAs('openai', 'openai/gpt-4o')).toMatchObject({
      model_id: 'gpt-4o',
      matched_by: 'normalised',
    });
    expect(pricedAs('vertex-ai', 'publishers/google/models/gemini-2.0-flash')).toMatchObject({
      table: 'google',
      model_id: 'gemini-2.0-flash',
    });
  });

  it("prices a closed-weight model on a host without a table at its maker's list price", () => {
    expect(pricedAs('portkey', 'gpt-4o')).toMatchObject({
      table: 'openai',
      model_id: 'gpt-4o',
      matched_by: 'list_price',
    });
    expect(pricedAs('github', 'claude-3-5-sonnet-20241022')).toMatchObject({
      table: 'anthropic',
      matched_by: 'list_price',
    });
    expect(pricedAs('some-new-gateway', 'gemini-2.0-flash')).toMatchObject({ table: 'google' });
    expect(pricedAs('302ai', 'grok-3')).toMatchObject({ table: 'x-ai' });
  });

  it("never prices an open-weight model at another host's price", () => {
    for (const [provider, model] of [
      ['nscale', 'deepseek-r1'],
      ['hyperbolic', 'meta-llama/Llama-3.3-70B-Instruct'],
      ['lambda', 'gpt-oss-120b'],
      ['ollama', 'gemma-3-27b-it'],
      ['deepinfra', 'mistral-7b-instruct'],
    ]) {
      expect(pricedAs(provider!, model!), `${provider} ${model}`).toBeUndefined();
    }
  });

  it('does not look up absurd model ids and never throws on bad input', () => {
    const table = builtInPriceTable();
    expect(
      table.cost({ provider: 'openai', model: `gpt-4o${'x'.repeat(MAX_MODEL_ID_LENGTH)}`, usage }),
    ).toEqual({
      cost: null,
      cost_status: 'unknown_price',
    });
    for (const [provider, model] of [
      ['', ''],
      ['openai', ''],
      ['openai', '   '],
      [undefined, 'gpt-4o'],
      ['openai', 42],
      ['__proto__', 'constructor'],
      ['openai', '__proto__'],
      ['openai', 'toString'],
    ]) {
      // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong types, as JSON could carry them
      const ref = { provider, model } as any;
      expect(table.cost({ ...ref, usage }), JSON.stringify(ref)).toEqual({
        cost: null,
        cost_status: 'unknown_price',
      });
      expect(table.isPriced(ref)).toBe(false);
      expect(table.lookup(ref)).toBeUndefined();
    }
  });
});

describe('isPriced (metrics label cardinality)', () => {
  it('is true for a priced model and false for an unknown or unpriced one', () => {
    expect(isPricedModel({ provider: 'openai', model: 'gpt-4o' })).toBe(true);
    expect(
      isPricedModel({ provider: 'bedrock', model: 'us.anthropic.claude-3-5-sonnet-20241022-v2:0' }),
    ).toBe(true);
    // Priced by the hour of audio.
    expect(isPricedModel({ provider: 'openai', model: 'whisper-1' })).toBe(true);
    expect(isPricedModel({ provider: 'mistral-ai', model: 'mistral-ocr-latest' })).toBe(false);
    expect(isPricedModel({ provider: 'ollama', model: 'llama3' })).toBe(false);
  });

  it('gives a bounded label: endless spellings fold into the table model id', () => {
    const modelIds = new Set<string>();
    for (let index = 0; index < 1_000; index++) {
      const found = lookupPrice({ provider: 'anthropic', model: `claude-3-5-sonnet-${index}`, at: AT });
      if (found) modelIds.add(found.model_id);
    }
    expect([...modelIds]).toEqual(['claude-3-5-sonnet']);
  });
});

describe('memory bounds', () => {
  const tiny: PriceData = {
    source: {
      package: 'test',
      version: '0',
      published: '2026-01-01',
      licence: 'MIT',
      homepage: 'https://example.com',
    },
    tables: {
      acme: {
        name: 'Acme',
        models: [['acme-1', { input: 1, output: 2 }]],
        ids: { 'acme-1': 0 },
        patterns: [[0, { starts_with: 'acme-1-' }]],
      },
    },
  };

  it('forgets resolved ids past its capacity, and still answers correctly', () => {
    const table = createPriceTableOver(createTableSet(tiny), undefined);
    for (let index = 0; index < 25_000; index++)
      table.isPriced({ provider: 'acme', model: `made-up-${index}` });
    expect(table.cost({ provider: 'acme', model: 'acme-1', usage })).toMatchObject({ cost: 0.003 });
    expect(table.cost({ provider: 'acme', model: 'acme-1-2099', usage })).toMatchObject({ cost: 0.003 });
  });
});

describe('costUpperBound (budget reservations)', () => {
  it('bills every prompt token at the dearest input rate and every completion token at the dearest output rate', () => {
    // Claude 3.5 Sonnet: a 1-hour cache write $6 (2 × input) > a 5-minute one $3.75 > input $3;
    // output $15. 10,000 × 6 + 1,000 × 15 = 75,000 per 1M = $0.075.
    expect(
      costUpperBound({
        provider: 'anthropic',
        model: 'claude-3-5-sonnet-20241022',
        prompt_tokens: 10_000,
        completion_tokens: 1_000,
        at: AT,
      }),
    ).toBe(0.075);
  });

  it('is never below the real cost of any usage within the bounds', () => {
    const table = createPriceTable();
    const bound = table.costUpperBound({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      prompt_tokens: 250_000,
      completion_tokens: 8_000,
      at: AT,
    })!;
    for (const [prompt, completion, cached, written, writtenForAnHour] of [
      [250_000, 8_000, 0, 250_000, 0],
      [250_000, 8_000, 0, 250_000, 250_000],
      [250_000, 8_000, 100_000, 0, 0],
      [100_000, 8_000, 0, 0, 0],
      [1_000, 1, 0, 1_000, 1_000],
    ]) {
      const actual = table.cost({
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        at: AT,
        usage: {
          prompt_tokens: prompt,
          completion_tokens: completion,
          prompt_tokens_details: { cached_tokens: cached },
          cache_creation_input_tokens: written,
          cache_creation: { ephemeral_1h_input_tokens: writtenForAnHour },
        },
      });
      expect(actual.cost).not.toBeNull();
      expect(actual.cost!).toBeLessThanOrEqual(bound);
    }
    // 250k prompt tokens select the > 200k tier, where a 1-hour cache write is the dearest input
    // (2 × $6): 250,000 × 12 + 8,000 × 22.5 = 3,180,000 per 1M.
    expect(bound).toBe(3.18);
  });

  it('is null for a model without a price', () => {
    expect(
      costUpperBound({ provider: 'ollama', model: 'llama3', prompt_tokens: 10, completion_tokens: 10 }),
    ).toBeNull();
  });

  it('is null for a model priced by the hour of audio, never $0: tokens say nothing of its length', () => {
    expect(
      costUpperBound({ provider: 'openai', model: 'whisper-1', prompt_tokens: 10, completion_tokens: 10 }),
    ).toBeNull();
  });
});

describe('immutability', () => {
  it('hands out frozen prices and matches, so a caller cannot change the table', () => {
    const found = lookupPrice({ provider: 'anthropic', model: 'claude-sonnet-4-5', at: AT })!;
    expect(Object.isFrozen(found.prices)).toBe(true);
    expect(Object.isFrozen(found.prices.input)).toBe(true);
    const result = builtInPriceTable().cost({ provider: 'openai', model: 'gpt-4o', usage, at: AT });
    expect(result.cost_status === 'priced' && Object.isFrozen(result.priced_as)).toBe(true);
    const overridden = createPriceTable({ overrides: { acme: { m: { input: 1, output: 1 } } } });
    expect(Object.isFrozen(overridden.lookup({ provider: 'acme', model: 'm' })?.prices)).toBe(true);
  });
});
