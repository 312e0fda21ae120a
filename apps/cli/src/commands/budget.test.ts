import { describe, expect, it } from 'vitest';
import { budgetText, changedUsageLimits, usageLimitsOfOptions } from './budget.js';

describe('usageLimitsOfOptions', () => {
  it('makes usage_limits from --budget, in USD and monthly unless told', () => {
    expect(usageLimitsOfOptions({})).toBeUndefined();
    expect(usageLimitsOfOptions({ budget: '12.5' })).toEqual({
      credit_limit: 12.5,
      type: 'cost',
      periodic_reset: 'monthly',
    });
    expect(usageLimitsOfOptions({ budget: '5000', budgetType: 'tokens', budgetReset: 'never' })).toEqual({
      credit_limit: 5000,
      type: 'tokens',
      periodic_reset: null,
    });
    expect(usageLimitsOfOptions({ budget: '10', budgetReset: '30d' })).toEqual({
      credit_limit: 10,
      type: 'cost',
      periodic_reset: null,
      periodic_reset_days: 30,
    });
  });

  it('refuses a wrong value with the flag and exit 2', () => {
    const refusal = (options: Record<string, string>) => {
      try {
        usageLimitsOfOptions(options);
      } catch (error) {
        return { message: (error as Error).message, exitCode: (error as { exitCode?: number }).exitCode };
      }
      return undefined;
    };
    expect(refusal({ budget: 'ten' })).toEqual({
      message: '--budget: expected a number above 0, got "ten"',
      exitCode: 2,
    });
    expect(refusal({ budget: '0' })?.message).toContain('above 0');
    expect(refusal({ budget: '5', budgetType: 'usd' })?.message).toBe(
      '--budget-type: expected cost or tokens, got "usd"',
    );
    expect(refusal({ budget: '5', budgetReset: '400d' })?.message).toContain(
      '--budget-reset: expected monthly',
    );
    expect(refusal({ budget: '5', budgetReset: 'daily' })?.message).toContain('got "daily"');
    expect(refusal({ budgetType: 'tokens' })?.message).toBe(
      '--budget-type and --budget-reset go with --budget <limit>',
    );
  });
});

describe('changedUsageLimits', () => {
  const current = {
    credit_limit: 10,
    type: 'cost' as const,
    periodic_reset: 'monthly' as const,
    alert_threshold: 8,
    on_store_failure: 'open' as const,
    next_usage_reset_at: '2027-01-01T00:00:00.000Z',
  };

  it('changes what is given and keeps the rest, the fields the CLI does not set included', () => {
    expect(changedUsageLimits(current, { limit: '20' })).toEqual({
      credit_limit: 20,
      type: 'cost',
      periodic_reset: 'monthly',
      alert_threshold: 8,
      on_store_failure: 'open',
    });
    expect(changedUsageLimits(current, { reset: '7d' })).toEqual({
      credit_limit: 10,
      type: 'cost',
      periodic_reset: null,
      periodic_reset_days: 7,
      alert_threshold: 8,
      on_store_failure: 'open',
    });
    expect(changedUsageLimits({ credit_limit: 10, periodic_reset_days: 7 }, { limit: '15' })).toEqual({
      credit_limit: 15,
      type: 'cost',
      periodic_reset: null,
      periodic_reset_days: 7,
    });
  });

  it('drops the alert threshold when the unit changes, and starts a new budget in USD, monthly', () => {
    expect(changedUsageLimits(current, { limit: '5000', type: 'tokens' })).toEqual({
      credit_limit: 5000,
      type: 'tokens',
      periodic_reset: 'monthly',
      on_store_failure: 'open',
    });
    expect(changedUsageLimits(null, { limit: '3' })).toEqual({
      credit_limit: 3,
      type: 'cost',
      periodic_reset: 'monthly',
    });
  });

  it('needs a limit for a key without a budget, and refuses a wrong one', () => {
    expect(() => changedUsageLimits(null, { type: 'tokens' })).toThrow(
      'the key has no budget: give its limit',
    );
    expect(() => changedUsageLimits(current, { limit: '-2' })).toThrow('limit: expected a number above 0');
    expect(() => changedUsageLimits(current, { reset: 'yearly' })).toThrow('--reset: expected monthly');
  });
});

describe('budgetText', () => {
  it('says the limit, its unit and its period', () => {
    expect(budgetText(null)).toBe('none');
    expect(budgetText({ credit_limit: 2000, type: 'tokens', periodic_reset: 'weekly' })).toBe(
      '2,000 tokens a week',
    );
    expect(budgetText({ credit_limit: 10, periodic_reset: 'monthly' })).toBe('$10.00 a month');
    expect(budgetText({ credit_limit: 5, periodic_reset_days: 30 })).toBe('$5.00 every 30 days');
    expect(budgetText({ credit_limit: 5, periodic_reset: null })).toBe('$5.00, never reset');
  });
});
