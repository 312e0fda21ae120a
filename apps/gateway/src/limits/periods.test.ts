import { describe, expect, it } from 'vitest';
import { budgetPeriodOf } from './periods.js';

const at = (iso: string) => Date.parse(iso);

describe('budget periods (UTC)', () => {
  it('monthly: from the 1st 00:00 UTC to the next 1st', () => {
    expect(
      budgetPeriodOf({ credit_limit: 5, periodic_reset: 'monthly' }, at('2026-12-31T23:59:59Z')),
    ).toEqual({
      id: 'm2026-12',
      startMs: at('2026-12-01T00:00:00Z'),
      endMs: at('2027-01-01T00:00:00Z'),
    });
  });

  it('weekly: from Monday 00:00 UTC, seven days', () => {
    // 2026-12-03 is a Thursday; a Monday is its own start; a Sunday belongs to the week before.
    expect(
      budgetPeriodOf({ credit_limit: 5, periodic_reset: 'weekly' }, at('2026-12-03T12:00:00Z')),
    ).toMatchObject({
      id: 'w2026-11-30',
      startMs: at('2026-11-30T00:00:00Z'),
      endMs: at('2026-12-07T00:00:00Z'),
    });
    expect(budgetPeriodOf({ credit_limit: 5, periodic_reset: 'weekly' }, at('2026-11-30T00:00:00Z')).id).toBe(
      'w2026-11-30',
    );
    expect(budgetPeriodOf({ credit_limit: 5, periodic_reset: 'weekly' }, at('2026-11-29T23:59:59Z')).id).toBe(
      'w2026-11-23',
    );
  });

  it('every N days: blocks counted from 1970-01-01 UTC', () => {
    const period = budgetPeriodOf({ credit_limit: 5, periodic_reset_days: 7 }, at('2026-12-03T12:00:00Z'));
    expect(period.endMs).toBe((period.startMs ?? 0) + 7 * 86_400_000);
    expect(period.startMs % (7 * 86_400_000)).toBe(0);
    expect(period.id).toMatch(/^d7-\d+$/);
  });

  it('no reset (or no budget): one period forever', () => {
    expect(budgetPeriodOf({ credit_limit: 5 }, Date.now())).toEqual({ id: 'all', startMs: 0, endMs: null });
    expect(budgetPeriodOf(undefined, Date.now()).id).toBe('all');
  });
});
