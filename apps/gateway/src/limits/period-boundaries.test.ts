import type { LimitSpend } from '@pk/store';
import { describe, expect, it } from 'vitest';
import { compileLimits, type LimitSubject } from './limit-model.js';
import { recordCharges } from './limit-spend.js';
import { createLimiter } from './limiter.js';
import { createMemoryLimitStore } from './memory-limit-store.js';
import { budgetPeriodOf } from './periods.js';

// Budgets across their resets, on the limiter's own clock (`now`), with the memory store a single
// replica uses and the per-day spend a restart or a lost Redis recovers from.

const at = (iso: string) => Date.parse(iso);

function clockedLimiter(startMs: number) {
  const clock = { nowMs: startMs };
  const store = createMemoryLimitStore();
  /** The spend recorded per UTC day (`limit_spend`), as `recordCharges` writes it. */
  const days = new Map<string, LimitSpend>();
  const limiter = createLimiter({
    store,
    local: store,
    replicas: 1,
    holdTtlMs: 600_000,
    now: () => clock.nowMs,
    onStoreFailure: () => {},
    onAlert: () => {},
    onCharged: (settlements, atMs) =>
      recordCharges(
        {
          record: (subject, dayMs, spend) => {
            const day = `${subject}|${new Date(dayMs).toISOString().slice(0, 10)}`;
            const known = days.get(day);
            days.set(day, {
              costMicros: (known?.costMicros ?? 0) + spend.costMicros,
              tokens: (known?.tokens ?? 0) + spend.tokens,
              requests: (known?.requests ?? 0) + spend.requests,
            });
          },
          sum: async () => new Map(),
          sumByPrefix: async () => new Map(),
          clear: async () => {},
        },
        settlements,
        atMs,
      ),
  });
  /** The tokens a period's days add up to: what a restart or a lost Redis would restore. */
  const tokensFromDays = (subject: string, fromIso: string, toIso: string) =>
    [...days]
      .filter(([key]) => {
        const [name, day = ''] = key.split('|');
        return name === subject && day >= fromIso.slice(0, 10) && day < toIso.slice(0, 10);
      })
      .reduce((sum, [, spend]) => sum + spend.tokens, 0);
  return { clock, store, limiter, tokensFromDays };
}

const tokenBudget = (periodic: 'monthly' | 'weekly', credit = 100): LimitSubject => ({
  key: 'vk:boundary',
  kind: 'virtual_key',
  label: 'boundary',
  limits: compileLimits(undefined, {
    credit_limit: credit,
    type: 'tokens',
    periodic_reset: periodic,
  }) as LimitSubject['limits'],
});

describe('budgets at their resets (UTC)', () => {
  it.each([
    ['December into January', '2026-12-31T23:59:59.999Z', '2027-01-01T00:00:00.000Z'],
    ['a 31-day month', '2027-01-31T23:59:59.999Z', '2027-02-01T00:00:00.000Z'],
    ['February of 28 days', '2027-02-28T23:59:59.999Z', '2027-03-01T00:00:00.000Z'],
    ['a leap day', '2028-02-29T23:59:59.999Z', '2028-03-01T00:00:00.000Z'],
    ['a 30-day month', '2027-04-30T23:59:59.999Z', '2027-05-01T00:00:00.000Z'],
  ])(
    'monthly, %s: spent up to the last millisecond, open again at 00:00 UTC of the 1st',
    async (_, last, next) => {
      const { clock, limiter } = clockedLimiter(at(last) - 3_600_000);
      const subject = tokenBudget('monthly');
      const spent = await limiter.admit([subject], { tokens: 100, costMicros: 0 });
      expect(spent.ok).toBe(true);
      if (!spent.ok) return;
      await limiter.settle(spent.reservation, { tokens: 100, costMicros: 0, counted: true });
      clock.nowMs = at(last);
      const refused = await limiter.admit([subject], { tokens: 1, costMicros: 0 });
      // The wait is to the reset: one millisecond; the message says when (UTC).
      expect(refused).toMatchObject({ ok: false, reason: 'budget', retryAfterMs: 1 });
      expect(refused.ok ? '' : refused.message).toContain(`it resets at ${next}`);
      clock.nowMs = at(next);
      expect((await limiter.admit([subject], { tokens: 100, costMicros: 0 })).ok).toBe(true);
    },
  );

  it('weekly: Sunday 23:59:59.999 UTC is the old week, Monday 00:00 UTC the new one', async () => {
    // 2027-01-03 is a Sunday.
    const { clock, limiter } = clockedLimiter(at('2027-01-03T12:00:00Z'));
    const subject = tokenBudget('weekly');
    const spent = await limiter.admit([subject], { tokens: 100, costMicros: 0 });
    if (!spent.ok) throw new Error('refused');
    await limiter.settle(spent.reservation, { tokens: 100, costMicros: 0, counted: true });
    clock.nowMs = at('2027-01-03T23:59:59.999Z');
    expect(await limiter.admit([subject], { tokens: 1, costMicros: 0 })).toMatchObject({
      ok: false,
      retryAfterMs: 1,
    });
    clock.nowMs = at('2027-01-04T00:00:00.000Z');
    expect((await limiter.admit([subject], { tokens: 100, costMicros: 0 })).ok).toBe(true);
  });

  it('a request admitted before a reset and settled after it is charged to one period: its counters’ and its recorded days’ alike', async () => {
    const { clock, store, limiter, tokensFromDays } = clockedLimiter(at('2026-12-31T23:59:30Z'));
    const subject = tokenBudget('monthly', 1_000);
    // A stream started 30 s before midnight ends 90 s into the new month.
    const streamed = await limiter.admit([subject], { tokens: 600, costMicros: 0 });
    if (!streamed.ok) throw new Error('refused');
    clock.nowMs = at('2027-01-01T00:01:00Z');
    await limiter.settle(streamed.reservation, { tokens: 400, costMicros: 0, counted: true });
    const december = budgetPeriodOf(
      { credit_limit: 1, periodic_reset: 'monthly' },
      at('2026-12-31T00:00:00Z'),
    );
    const january = budgetPeriodOf({ credit_limit: 1, periodic_reset: 'monthly' }, clock.nowMs);
    // The live counters charge the period it was admitted (and held) in.
    expect((await store.read('vk:boundary', december.id, clock.nowMs)).tokens).toBe(400);
    expect((await store.read('vk:boundary', january.id, clock.nowMs)).tokens).toBe(0);
    // What a restart (memory store) or a lost Redis restores must be the same figures: January's
    // days must not hold December's request, or January's budget is spent again after a restart.
    expect(tokensFromDays('vk:boundary', '2026-12-01', '2027-01-01')).toBe(400);
    expect(tokensFromDays('vk:boundary', '2027-01-01', '2027-02-01')).toBe(0);
  });
});
