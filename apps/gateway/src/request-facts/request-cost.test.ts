import { createPriceTable } from '@pk/prices';
import { describe, expect, it } from 'vitest';
import type { RequestLogFields } from '../plugins/request-log.js';
import { providerChargedCostOf, recordUsageAndCost } from './request-cost.js';

const TOKENS = { prompt_tokens: 10_000, completion_tokens: 2_000, total_tokens: 12_000 };

describe('providerChargedCostOf', () => {
  it('takes OpenRouter’s usage.cost, and adds the provider’s own bill on a request with the caller’s key', () => {
    expect(providerChargedCostOf('openrouter', { ...TOKENS, cost: 0.0421 })).toBe(0.0421);
    // Not BYOK: upstream_inference_cost repeats the cost, never added.
    expect(
      providerChargedCostOf('openrouter', {
        ...TOKENS,
        cost: 0.0421,
        is_byok: false,
        cost_details: { upstream_inference_cost: 0.0421 },
      }),
    ).toBe(0.0421);
    // BYOK: `cost` is OpenRouter's fee, the provider bills the inference.
    expect(
      providerChargedCostOf('openrouter', {
        ...TOKENS,
        cost: 0.002,
        is_byok: true,
        cost_details: { upstream_inference_cost: 0.04 },
      }),
    ).toBe(0.042);
  });

  it('trusts no cost of another provider, nor one that is not an amount', () => {
    expect(providerChargedCostOf('openai', { ...TOKENS, cost: 0.0421 })).toBeUndefined();
    expect(providerChargedCostOf('openrouter', TOKENS)).toBeUndefined();
    for (const cost of [-1, Number.NaN, '0.04', null])
      expect(providerChargedCostOf('openrouter', { ...TOKENS, cost })).toBeUndefined();
  });
});

describe('recordUsageAndCost', () => {
  const prices = createPriceTable({});

  it('records OpenRouter’s charge as the cost, marked as the provider’s, and the price table’s otherwise', () => {
    const charged: RequestLogFields = { provider: 'openrouter', model: 'openai/gpt-4o' };
    recordUsageAndCost(charged, { ...TOKENS, cost: 0.0421 }, { cacheHit: false, prices });
    expect(charged).toMatchObject({ cost: 0.0421, costStatus: 'priced', costSource: 'provider' });
    const priced: RequestLogFields = { provider: 'openrouter', model: 'openai/gpt-4o' };
    recordUsageAndCost(priced, TOKENS, { cacheHit: false, prices });
    expect(priced.costStatus).toBe('priced');
    expect(priced.costSource).toBeUndefined();
    // A hit of pk's cache costs nothing, whatever the stored answer's usage says.
    const hit: RequestLogFields = { provider: 'openrouter', model: 'openai/gpt-4o' };
    recordUsageAndCost(hit, { ...TOKENS, cost: 0.0421 }, { cacheHit: true, prices });
    expect(hit).toMatchObject({ cost: 0, costStatus: 'priced' });
    expect(hit.costSource).toBeUndefined();
  });
});
