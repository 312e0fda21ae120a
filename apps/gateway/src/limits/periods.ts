import type { UsageLimits } from '@pk/store';

const DAY_MS = 86_400_000;

/** A budget period in UTC: an id the store keys its counters by, and its bounds. */
export interface BudgetPeriod {
  /** `all` (never resets), `m2026-12`, `w2026-11-30` (its Monday), `d7-2936` (7-day block 2936). */
  readonly id: string;
  /** Epoch ms of the period's start (0 for `all`). */
  readonly startMs: number;
  /** Epoch ms of the next reset, or null when the budget never resets. */
  readonly endMs: number | null;
}

const ALL: BudgetPeriod = { id: 'all', startMs: 0, endMs: null };

/**
 * The period `nowMs` falls in, as Portkey resets budgets: `weekly` on Monday 00:00 UTC, `monthly` on
 * the 1st 00:00 UTC, `periodic_reset_days: N` every N days counted from 1970-01-01 00:00 UTC (pk's
 * choice: blocks that every replica computes alike, without the key's creation time), else never.
 */
export function budgetPeriodOf(limits: UsageLimits | undefined, nowMs: number): BudgetPeriod {
  if (!limits) return ALL;
  const now = new Date(nowMs);
  if (limits.periodic_reset === 'monthly') {
    const year = now.getUTCFullYear();
    const month = now.getUTCMonth();
    return {
      id: `m${year}-${String(month + 1).padStart(2, '0')}`,
      startMs: Date.UTC(year, month, 1),
      endMs: Date.UTC(year, month + 1, 1),
    };
  }
  if (limits.periodic_reset === 'weekly') {
    const day = Math.floor(nowMs / DAY_MS);
    // 1970-01-01 was a Thursday: days since the last Monday.
    const sinceMonday = (day + 3) % 7;
    const startMs = (day - sinceMonday) * DAY_MS;
    return { id: `w${new Date(startMs).toISOString().slice(0, 10)}`, startMs, endMs: startMs + 7 * DAY_MS };
  }
  const days = limits.periodic_reset_days;
  if (typeof days === 'number' && days >= 1) {
    const block = Math.floor(nowMs / (days * DAY_MS));
    const startMs = block * days * DAY_MS;
    return { id: `d${days}-${block}`, startMs, endMs: startMs + days * DAY_MS };
  }
  return ALL;
}

/**
 * How long a period's usage counters live, ms (0: no expiry): a day past the period's end, or, for a
 * metadata value (`idleMs` > 0), at least its idle time.
 */
export function usageTtlOf(period: BudgetPeriod, nowMs: number, idleMs: number): number {
  if (period.endMs === null) return idleMs;
  return Math.max(period.endMs - nowMs + DAY_MS, idleMs);
}
