/**
 * A key's `usage_limits` as the admin API returns them (Portkey's shape). The fields the console does
 * not edit (`alert_threshold`, pk's `on_store_failure` …) are kept through an edit.
 */
export interface UsageLimits {
  readonly credit_limit: number;
  readonly type?: 'cost' | 'tokens';
  readonly periodic_reset?: 'weekly' | 'monthly' | null;
  readonly periodic_reset_days?: number | null;
  readonly alert_threshold?: number;
  readonly [field: string]: unknown;
}

/** A key's `current_usage` (admin API): what it used in its current budget period. */
export interface CurrentUsage {
  readonly tracked: boolean;
  readonly cost_usd: number | null;
  readonly tokens: number | null;
  readonly budget_exhausted?: boolean | null;
  /** When the period's figures start again (ISO 8601), null when the budget never resets. */
  readonly period_end?: string | null;
}

const tokens = new Intl.NumberFormat('en-US');
const dollars = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
});
/** A spend under a cent, to two significant digits ($0.0022): cents would show it as $0.00. */
const smallDollars = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumSignificantDigits: 2,
});
const dollarsText = (value: number) =>
  value > 0 && value < 0.01 ? smallDollars.format(value) : dollars.format(value);

function periodOf(limits: UsageLimits): string {
  if (limits.periodic_reset === 'weekly') return ' a week';
  if (limits.periodic_reset === 'monthly') return ' a month';
  if (limits.periodic_reset_days) return ` every ${limits.periodic_reset_days} days`;
  return '';
}

/**
 * When a budget next starts again, as the gateway enforces it (`current_usage.period_end`, else
 * Portkey's `usage_limits.next_usage_reset_at`): ", resets 2027-01-01 00:00 UTC", or nothing. Resets
 * are in UTC, and an N-day budget's are counted from 1970-01-01, not from the key's creation, so the
 * date is worth showing.
 */
function resetOf(limits: UsageLimits, usage: CurrentUsage | undefined): string {
  const at = usage?.tracked ? usage.period_end : limits.next_usage_reset_at;
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) return '';
  return `, resets ${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * A key's budget as the lists show it: "$0.42 of $10.00 a month, resets 2027-01-01 00:00 UTC",
 * "1,234 of 5,000 tokens", the limit alone while usage is not tracked ("of $10.00": the limits store
 * could not be read), or "none".
 */
export function budgetText(limits: UsageLimits | null | undefined, usage: CurrentUsage | undefined): string {
  if (!limits) return 'none';
  const inTokens = limits.type === 'tokens';
  const amount = (value: number) => (inTokens ? tokens.format(value) : dollars.format(value));
  const limit = `${amount(limits.credit_limit)}${inTokens ? ' tokens' : ''}${periodOf(limits)}${resetOf(limits, usage)}`;
  const used = inTokens ? usage?.tokens : usage?.cost_usd;
  if (!usage?.tracked || used === null || used === undefined) return `of ${limit}`;
  return `${inTokens ? amount(used) : dollarsText(used)} of ${limit}`;
}

/** The budget fields of a form, as typed. */
export interface BudgetForm {
  /** The limit as typed (empty: no budget). */
  readonly limit: string;
  readonly type: 'cost' | 'tokens';
  /** `days`: every `days` days (offered only for a key that already resets so). */
  readonly reset: '' | 'weekly' | 'monthly' | 'days';
  /** The key's `periodic_reset_days`, when it has one. */
  readonly days?: number;
}

export const NO_BUDGET: BudgetForm = { limit: '', type: 'cost', reset: 'monthly' };

/**
 * The `usage_limits` a create form asks for (undefined without a limit). A limit that is not a
 * positive number is refused here with a message; the gateway checks the rest (Portkey's minimums).
 */
export function usageLimitsOf(form: BudgetForm): UsageLimits | undefined {
  const text = form.limit.trim();
  if (text === '') return undefined;
  const limit = Number(text);
  if (!Number.isFinite(limit) || limit <= 0) {
    throw new Error(`Budget: expected a number above 0, got ${JSON.stringify(form.limit)}`);
  }
  if (form.reset === 'days' && form.days !== undefined) {
    return { credit_limit: limit, type: form.type, periodic_reset: null, periodic_reset_days: form.days };
  }
  return {
    credit_limit: limit,
    type: form.type,
    periodic_reset: form.reset === '' || form.reset === 'days' ? null : form.reset,
  };
}

/** The form of a key's budget as it stands (an empty limit for a key without one). */
export function budgetFormOf(limits: UsageLimits | null | undefined): BudgetForm {
  if (!limits) return NO_BUDGET;
  const type = limits.type === 'tokens' ? 'tokens' : 'cost';
  const limit = String(limits.credit_limit);
  if (limits.periodic_reset_days) {
    return { limit, type, reset: 'days', days: limits.periodic_reset_days };
  }
  return { limit, type, reset: limits.periodic_reset ?? '' };
}

/**
 * The `usage_limits` to send for an edited budget: the form's limit, unit and reset over the key's
 * other budget fields (`on_store_failure` and the like stay; an `alert_threshold` stays unless the
 * unit changed, as it counts in the old one; `next_usage_reset_at` is the gateway's to work out).
 * `null` when the limit was emptied: the budget is removed.
 */
export function editedUsageLimits(
  current: UsageLimits | null | undefined,
  form: BudgetForm,
): UsageLimits | null {
  const edited = usageLimitsOf(form);
  if (edited === undefined) return null;
  const {
    next_usage_reset_at: _next,
    periodic_reset_days: _days,
    alert_threshold: alert,
    ...kept
  } = current ?? { credit_limit: edited.credit_limit };
  const sameUnit = (current?.type ?? 'cost') === edited.type;
  return {
    ...kept,
    ...(alert !== undefined && sameUnit ? { alert_threshold: alert } : {}),
    ...edited,
  };
}

/** One of a key's `rate_limits` (Portkey's shape; pk's `on_store_failure` and other fields kept). */
export interface RateLimit {
  readonly type: 'requests' | 'tokens';
  readonly unit: 'rps' | 'rpm' | 'rph' | 'rpd' | 'rpw';
  readonly value: number;
  readonly [field: string]: unknown;
}

/** The units of a rate limit, as the console says them. */
export const RATE_UNITS: readonly (readonly [RateLimit['unit'], string])[] = [
  ['rps', 'a second'],
  ['rpm', 'a minute'],
  ['rph', 'an hour'],
  ['rpd', 'a day'],
  ['rpw', 'a week'],
];

/** "600 requests a minute, 100,000 tokens a day", or "none". */
export function rateLimitsText(limits: readonly RateLimit[] | null | undefined): string {
  if (!limits || limits.length === 0) return 'none';
  return limits
    .map((limit) => {
      const per = RATE_UNITS.find(([unit]) => unit === limit.unit)?.[1] ?? limit.unit;
      return `${tokens.format(limit.value)} ${limit.type === 'tokens' ? 'tokens' : 'requests'} ${per}`;
    })
    .join(', ');
}

/** A rate limit as its form row holds it: the value as typed, over the limit it came from (if any). */
export interface RateLimitRow {
  readonly value: string;
  readonly type: RateLimit['type'];
  readonly unit: RateLimit['unit'];
  /** The stored limit the row edits (its other fields are kept), or undefined for a new one. */
  readonly from?: RateLimit;
}

/** A new row: 60 requests a minute. */
export const NEW_RATE_LIMIT: RateLimitRow = { value: '60', type: 'requests', unit: 'rpm' };

/** The rows of a key's rate limits. */
export function rateLimitRowsOf(limits: readonly RateLimit[] | null | undefined): RateLimitRow[] {
  return (limits ?? []).map((limit) => ({
    value: String(limit.value),
    type: limit.type,
    unit: limit.unit,
    from: limit,
  }));
}

/**
 * The `rate_limits` to send for the rows (null for none): each row's value, type and unit over the
 * limit it came from. A value that is not a whole number of 0 or more is refused with its row's number.
 */
export function rateLimitsOf(rows: readonly RateLimitRow[]): RateLimit[] | null {
  if (rows.length === 0) return null;
  return rows.map((row, index) => {
    const value = Number(row.value.trim());
    if (row.value.trim() === '' || !Number.isInteger(value) || value < 0) {
      throw new Error(
        `Rate limit ${index + 1}: expected a whole number of 0 or more, got ${JSON.stringify(row.value)}`,
      );
    }
    return { ...row.from, type: row.type, unit: row.unit, value };
  });
}
