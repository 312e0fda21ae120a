import { describe, expect, it } from 'vitest';
import { durationText, modelText, recordCostText } from './log-record.js';

describe('durationText', () => {
  it('shows milliseconds, and a dash alone (not “— ms”) when there is none, as for a request a guardrail denied', () => {
    expect(durationText(4.23)).toBe('4.23 ms');
    expect(durationText(0)).toBe('0 ms');
    expect(durationText(null)).toBe('—');
    expect(durationText(undefined)).toBe('—');
  });
});

describe('modelText', () => {
  it('shows the model called, and the one that answered when it differs', () => {
    expect(modelText({ id: 'a', model: 'gpt-4o-mini', answered_model: 'gpt-4o-mini' })).toBe('gpt-4o-mini');
    expect(modelText({ id: 'b', model: 'gpt-4o-mini', answered_model: 'gpt-4o-2024-08-06' })).toBe(
      'gpt-4o-mini → gpt-4o-2024-08-06',
    );
    // A provider's dated snapshot of the model called is the same model.
    expect(modelText({ id: 'f', model: 'gpt-4o-mini', answered_model: 'gpt-4o-mini-2024-07-18' })).toBe(
      'gpt-4o-mini',
    );
    expect(modelText({ id: 'g', model: 'gpt-4o', answered_model: 'gpt-4o-mini' })).toBe(
      'gpt-4o → gpt-4o-mini',
    );
    expect(modelText({ id: 'c', model: 'gpt-4o-mini', answered_model: null })).toBe('gpt-4o-mini');
    expect(modelText({ id: 'd', model: null, answered_model: 'gpt-4o' })).toBe('gpt-4o');
    expect(modelText({ id: 'e' })).toBe('—');
  });
});

describe('recordCostText', () => {
  it('marks the cost of a stream that ended short as partial, priced from the usage reported before', () => {
    expect(recordCostText({ id: 'a', cost: 0.000525, cost_status: 'partial_usage' })).toBe(
      '$0.000525 (partial)',
    );
    expect(recordCostText({ id: 'b', cost: 0.000525, cost_status: 'priced' })).toBe('$0.000525');
    expect(recordCostText({ id: 'c', cost: null, cost_status: 'no_usage' })).toBe('unpriced (no usage)');
  });

  it('says a cache hit’s $0 is one, not a price', () => {
    expect(recordCostText({ id: 'd', cost: 0, cost_status: 'priced', cache_status: 'HIT' })).toBe(
      '$0 (cache hit)',
    );
    expect(recordCostText({ id: 'e', cost: 0, cost_status: 'priced', cache_status: 'SEMANTIC HIT' })).toBe(
      '$0 (cache hit)',
    );
  });
});
