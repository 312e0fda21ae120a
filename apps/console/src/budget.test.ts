import { describe, expect, it } from 'vitest';
import {
  budgetFormOf,
  budgetText,
  editedUsageLimits,
  NEW_RATE_LIMIT,
  NO_BUDGET,
  rateLimitRowsOf,
  rateLimitsOf,
  rateLimitsText,
  usageLimitsOf,
} from './budget.js';

describe('budgetText', () => {
  it('shows a spend under a cent as it is, not as $0.00 (twenty small requests spent $0.0022)', () => {
    const limits = { credit_limit: 10, periodic_reset: 'monthly' as const };
    const spent = (cost_usd: number) =>
      budgetText(limits, { tracked: true, cost_usd, tokens: 1, budget_exhausted: false });
    expect(spent(0.0022)).toBe('$0.0022 of $10.00 a month');
    expect(spent(0.000007)).toBe('$0.000007 of $10.00 a month');
    expect(spent(0)).toBe('$0.00 of $10.00 a month');
    expect(spent(0.4219)).toBe('$0.42 of $10.00 a month');
  });

  it('shows what was used of the limit, in USD or tokens, with its period', () => {
    const usage = { tracked: true, cost_usd: 0.4219, tokens: 1234, budget_exhausted: false };
    expect(budgetText({ credit_limit: 10, type: 'cost', periodic_reset: 'monthly' }, usage)).toBe(
      '$0.42 of $10.00 a month',
    );
    expect(budgetText({ credit_limit: 5000, type: 'tokens' }, usage)).toBe('1,234 of 5,000 tokens');
    expect(budgetText({ credit_limit: 25, periodic_reset: 'weekly' }, usage)).toBe('$0.42 of $25.00 a week');
    expect(budgetText({ credit_limit: 100, type: 'tokens', periodic_reset_days: 7 }, usage)).toBe(
      '1,234 of 100 tokens every 7 days',
    );
  });

  it('says when the budget starts again (UTC), as the gateway enforces it', () => {
    const usage = {
      tracked: true,
      cost_usd: 0.4219,
      tokens: 1234,
      budget_exhausted: false,
      period_end: '2027-01-01T00:00:00.000Z',
    };
    expect(budgetText({ credit_limit: 10, type: 'cost', periodic_reset: 'monthly' }, usage)).toBe(
      '$0.42 of $10.00 a month, resets 2027-01-01 00:00 UTC',
    );
    // Untracked (the limits store cannot be read): Portkey's next_usage_reset_at still says when.
    const untracked = {
      tracked: false,
      cost_usd: null,
      tokens: null,
      budget_exhausted: null,
      period_end: null,
    };
    expect(
      budgetText(
        { credit_limit: 10, periodic_reset_days: 7, next_usage_reset_at: '2026-12-10T00:00:00.000Z' },
        untracked,
      ),
    ).toBe('of $10.00 every 7 days, resets 2026-12-10 00:00 UTC');
    // A budget that never resets says nothing of it.
    expect(budgetText({ credit_limit: 10, next_usage_reset_at: null }, { ...usage, period_end: null })).toBe(
      '$0.42 of $10.00',
    );
  });

  it('shows the limit alone while usage is not tracked, and none without a budget', () => {
    const untracked = { tracked: false, cost_usd: null, tokens: null, budget_exhausted: null };
    expect(budgetText({ credit_limit: 10 }, untracked)).toBe('of $10.00');
    expect(budgetText({ credit_limit: 10 }, undefined)).toBe('of $10.00');
    expect(budgetText(null, untracked)).toBe('none');
  });
});

describe('usageLimitsOf', () => {
  it('makes Portkey’s usage_limits from the form, or none without a limit', () => {
    expect(usageLimitsOf(NO_BUDGET)).toBeUndefined();
    expect(usageLimitsOf({ limit: ' 12.5 ', type: 'cost', reset: 'monthly' })).toEqual({
      credit_limit: 12.5,
      type: 'cost',
      periodic_reset: 'monthly',
    });
    expect(usageLimitsOf({ limit: '5000', type: 'tokens', reset: '' })).toEqual({
      credit_limit: 5000,
      type: 'tokens',
      periodic_reset: null,
    });
  });

  it('refuses a limit that is not a positive number, quoting it', () => {
    expect(() => usageLimitsOf({ limit: 'ten', type: 'cost', reset: '' })).toThrow(
      'Budget: expected a number above 0, got "ten"',
    );
    expect(() => usageLimitsOf({ limit: '-1', type: 'cost', reset: '' })).toThrow('above 0');
  });
});

describe('budgetFormOf', () => {
  it('fills the form with the key’s budget, or an empty limit without one', () => {
    expect(budgetFormOf(null)).toEqual(NO_BUDGET);
    expect(budgetFormOf({ credit_limit: 12.5, periodic_reset: 'weekly' })).toEqual({
      limit: '12.5',
      type: 'cost',
      reset: 'weekly',
    });
    expect(budgetFormOf({ credit_limit: 5000, type: 'tokens', periodic_reset: null })).toEqual({
      limit: '5000',
      type: 'tokens',
      reset: '',
    });
    expect(budgetFormOf({ credit_limit: 10, periodic_reset_days: 30 })).toEqual({
      limit: '10',
      type: 'cost',
      reset: 'days',
      days: 30,
    });
  });
});

describe('editedUsageLimits', () => {
  const current = {
    credit_limit: 10,
    type: 'cost' as const,
    periodic_reset: 'monthly' as const,
    alert_threshold: 8,
    on_store_failure: 'open',
    next_usage_reset_at: '2027-01-01T00:00:00.000Z',
  };

  it('changes the limit and keeps the fields the form does not show', () => {
    expect(editedUsageLimits(current, { limit: '20', type: 'cost', reset: 'monthly' })).toEqual({
      credit_limit: 20,
      type: 'cost',
      periodic_reset: 'monthly',
      alert_threshold: 8,
      on_store_failure: 'open',
    });
  });

  it('drops the alert threshold when the unit changes (it counts in the old one)', () => {
    expect(editedUsageLimits(current, { limit: '5000', type: 'tokens', reset: '' })).toEqual({
      credit_limit: 5000,
      type: 'tokens',
      periodic_reset: null,
      on_store_failure: 'open',
    });
  });

  it('keeps a reset every N days, or replaces it by a calendar one', () => {
    const everyThirty = { credit_limit: 10, periodic_reset_days: 30 };
    expect(editedUsageLimits(everyThirty, budgetFormOf(everyThirty))).toEqual({
      credit_limit: 10,
      type: 'cost',
      periodic_reset: null,
      periodic_reset_days: 30,
    });
    expect(editedUsageLimits(everyThirty, { limit: '10', type: 'cost', reset: 'weekly' })).toEqual({
      credit_limit: 10,
      type: 'cost',
      periodic_reset: 'weekly',
    });
  });

  it('removes the budget when the limit is emptied, and gives a key without one its first', () => {
    expect(editedUsageLimits(current, { limit: ' ', type: 'cost', reset: 'monthly' })).toBeNull();
    expect(editedUsageLimits(null, { limit: '3', type: 'cost', reset: 'weekly' })).toEqual({
      credit_limit: 3,
      type: 'cost',
      periodic_reset: 'weekly',
    });
  });

  it('refuses a limit that is not a positive number', () => {
    expect(() => editedUsageLimits(current, { limit: '0', type: 'cost', reset: '' })).toThrow('above 0');
  });
});

describe('rate limits', () => {
  const stored = [
    { type: 'requests' as const, unit: 'rpm' as const, value: 600, on_store_failure: 'closed' },
    { type: 'tokens' as const, unit: 'rpd' as const, value: 100000 },
  ];

  it('says them, or none', () => {
    expect(rateLimitsText(stored)).toBe('600 requests a minute, 100,000 tokens a day');
    expect(rateLimitsText([])).toBe('none');
    expect(rateLimitsText(null)).toBe('none');
  });

  it('edits rows over the stored limits, keeping their other fields; no rows is none', () => {
    const rows = rateLimitRowsOf(stored);
    expect(rows.map((row) => row.value)).toEqual(['600', '100000']);
    const edited = rateLimitsOf([{ ...rows[0]!, value: '30', unit: 'rph' }, NEW_RATE_LIMIT]);
    expect(edited).toEqual([
      { type: 'requests', unit: 'rph', value: 30, on_store_failure: 'closed' },
      { type: 'requests', unit: 'rpm', value: 60 },
    ]);
    expect(rateLimitsOf([])).toBeNull();
  });

  it('refuses a value that is not a whole number of 0 or more, naming its row', () => {
    expect(() => rateLimitsOf([NEW_RATE_LIMIT, { ...NEW_RATE_LIMIT, value: '1.5' }])).toThrow(
      'Rate limit 2: expected a whole number of 0 or more, got "1.5"',
    );
    expect(() => rateLimitsOf([{ ...NEW_RATE_LIMIT, value: '' }])).toThrow('Rate limit 1');
    expect(rateLimitsOf([{ ...NEW_RATE_LIMIT, value: '0' }])).toEqual([
      { type: 'requests', unit: 'rpm', value: 0 },
    ]);
  });
});
