import { costWithUnpricedText, pricedOf, type SummaryRow, unpricedOf } from './analytics-series.js';
import { pick } from './log-record.js';

/** The start (ms) of the calendar month, in UTC, that `nowMs` is in: where "this month" begins. */
export function utcMonthStart(nowMs: number): number {
  const now = new Date(nowMs);
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
}

/** What one virtual key's requests of the period cost, summed over the summary's buckets. */
export interface KeySpend {
  readonly cost: number;
  readonly unpriced: number;
  readonly priced: number;
}

/**
 * Each virtual key's spend from `GET /v1/analytics/summary?group_by=virtual_key` (the request logs:
 * what the Analytics view shows), summed over the buckets. The row of the groups beyond the top ones
 * (`other`) names no key and is left out: such a key has no figure, never a made-up 0.
 */
export function spendByKey(rows: readonly SummaryRow[]): Map<string, KeySpend> {
  const spend = new Map<string, KeySpend>();
  for (const row of rows) {
    const group = pick(row, 'group');
    if (row.other === true || typeof group !== 'string') continue;
    const cost = pick(row, 'cost');
    const before = spend.get(group) ?? { cost: 0, unpriced: 0, priced: 0 };
    spend.set(group, {
      cost: before.cost + (typeof cost === 'number' ? cost : 0),
      unpriced: before.unpriced + unpricedOf(row),
      priced: before.priced + pricedOf(row),
    });
  }
  return spend;
}

/**
 * A key's spend as its row's "Spent this month (UTC)" shows it: `$0.0123` (with its unpriced
 * requests, as Analytics says them), `$0` for a key with no request this month, or null when the
 * figure is not known (the logs could not be read, or the key was among the summed-up groups).
 */
export function spendText(spend: KeySpend | undefined, known: boolean): string | null {
  if (!known) return null;
  if (spend === undefined) return '$0';
  return costWithUnpricedText(spend.cost, spend.unpriced, spend.priced);
}
