import { describe, expect, it } from 'vitest';
import { isPricedModel, lookupPrice } from './built-in-price-table.js';
import { builtInTables } from './built-in-tables.js';
import {
  LIST_PRICE_FAMILIES,
  listPriceTableOf,
  PROVIDER_PRICE_TABLES,
  priceTablesOf,
} from './provider-tables.js';

/**
 * The providers pk has adapters for (`SUPPORTED_PROVIDER_IDS` in @pk/providers, copied here because
 * @pk/prices depends on no workspace package), each with one model its host serves. A provider
 * added there gets a row here: with a model its table prices, or in `WITHOUT_TABLE` with the reason.
 */
const SUPPORTED: readonly (readonly [provider: string, model: string])[] = [
  ['openai', 'gpt-4o'],
  ['azure-openai', 'gpt-4o'],
  ['anthropic', 'claude-3-5-haiku-20241022'],
  ['cohere', 'command-r'],
  ['google', 'gemini-2.5-flash'],
  ['vertex-ai', 'gemini-2.5-flash'],
  ['bedrock', 'anthropic.claude-3-haiku-20240307-v1:0'],
  ['groq', 'llama-3.3-70b-versatile'],
  ['mistral-ai', 'mistral-small-latest'],
  ['together-ai', 'meta-llama/Llama-3.3-70B-Instruct-Turbo'],
  ['deepseek', 'deepseek-chat'],
  ['fireworks-ai', 'accounts/fireworks/models/deepseek-v3p2'],
  ['perplexity-ai', 'sonar'],
  ['openrouter', 'anthropic/claude-3.5-sonnet'],
  ['x-ai', 'grok-3-mini'],
  ['cerebras', 'llama-3.3-70b'],
  ['novita-ai', 'deepseek/deepseek-r1'],
  ['moonshot', 'kimi-k2-0905-preview'],
];

/** Supported providers the source has no table for: only overrides (and closed-weight list prices) price them. */
const WITHOUT_TABLE: Readonly<Record<string, string>> = {
  deepinfra: 'not in @pydantic/genai-prices 0.1.8',
  ollama: 'self-hosted: the operator sets a price (usually 0) with an override',
  sambanova: 'not in @pydantic/genai-prices 0.1.8 (only its Hugging Face router prices)',
  nebius: 'not in @pydantic/genai-prices 0.1.8 (only its Hugging Face router prices)',
  dashscope: 'not in @pydantic/genai-prices 0.1.8',
};

describe('provider tables', () => {
  const tables = builtInTables();

  it('maps only to tables the data has', () => {
    for (const [provider, ids] of Object.entries(PROVIDER_PRICE_TABLES)) {
      for (const id of ids) expect(tables.ids.has(id), `${provider} → ${id}`).toBe(true);
    }
    for (const family of LIST_PRICE_FAMILIES) expect(tables.ids.has(family.table)).toBe(true);
  });

  it.each(SUPPORTED)('%s has a table that prices %s', (provider, model) => {
    expect(priceTablesOf(provider, tables.ids).length).toBeGreaterThan(0);
    expect(isPricedModel({ provider, model })).toBe(true);
    expect(lookupPrice({ provider, model })?.matched_by).not.toBe('list_price');
  });

  it.each(Object.entries(WITHOUT_TABLE))('%s has no table (%s)', (provider) => {
    expect(priceTablesOf(provider, tables.ids)).toEqual([]);
  });

  it('uses a table named like the provider without a mapping row', () => {
    expect(priceTablesOf('minimax', tables.ids)).toEqual(['minimax']);
    expect(priceTablesOf('not-a-table', tables.ids)).toEqual([]);
    expect(priceTablesOf('__proto__', tables.ids)).toEqual([]);
    expect(priceTablesOf('constructor', tables.ids)).toEqual([]);
  });

  it('sends only closed-weight families to their maker', () => {
    expect(listPriceTableOf('gpt-4o')).toBe('openai');
    expect(listPriceTableOf('o3-mini')).toBe('openai');
    expect(listPriceTableOf('claude-3-haiku')).toBe('anthropic');
    expect(listPriceTableOf('gemini-2.5-pro')).toBe('google');
    expect(listPriceTableOf('grok-4')).toBe('x-ai');
    for (const open of [
      'gpt-oss-120b',
      'gemma-3-27b-it',
      'llama-3.3-70b',
      'deepseek-r1',
      'mistral-7b',
      'o1x',
      'qwen3-32b',
    ]) {
      expect(listPriceTableOf(open), open).toBeUndefined();
    }
  });
});
