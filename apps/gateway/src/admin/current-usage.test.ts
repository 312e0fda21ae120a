import { describe, expect, it } from 'vitest';
import { type CurrentUsage, statusOfUsage } from './current-usage.js';

const figures = (fields: Partial<CurrentUsage>): CurrentUsage => ({
  tracked: true,
  period_start: '2026-12-01T00:00:00.000Z',
  period_end: null,
  cost_usd: 1,
  tokens: 10,
  requests: 1,
  budget_exhausted: false,
  ...fields,
});
const unread = figures({
  tracked: false,
  cost_usd: null,
  tokens: null,
  requests: null,
  budget_exhausted: null,
});
const budget = { credit_limit: 5 };

describe('a key’s status from its usage', () => {
  it('exhausted when its budget refused its latest request, active otherwise', () => {
    expect(statusOfUsage(figures({ budget_exhausted: true }), budget)).toBe('exhausted');
    expect(statusOfUsage(figures({}), budget)).toBe('active');
    expect(statusOfUsage(undefined, null)).toBe('active');
  });

  it('unknown for a key with a budget whose usage cannot be read; a key without one is never exhausted', () => {
    expect(statusOfUsage(unread, budget)).toBe('unknown');
    expect(statusOfUsage(unread, null)).toBe('active');
  });
});
