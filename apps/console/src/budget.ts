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
}

const tokens = new Intl.NumberFormat('en-US');
const dollars = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
});

function periodOf(limits: UsageLimits): string {
  if (limits.periodic_reset === 'weekly') return ' a week';
  if (limits.periodic_reset === 'monthly') return ' a month';
  if (limits.periodic_reset_days) return ` every ${limits.periodic_reset_days} days`;
  return '';
}

/**
 * A key's budget as the lists show it: "$0.42 of $10.00 a month", "1,234 of 5,000 tokens", the limit
 * alone while usage is not tracked ("of $10.00": the limits store could not be read), or "none".
 */
export function budgetText(limits: UsageLimits | null | undefined, usage: CurrentUsage | undefined): string {
  if (!limits) return 'none';
  const inTokens = limits.type === 'tokens';
  const amount = (value: number) => (inTokens ? tokens.format(value) : dollars.format(value));
  const limit = `${amount(limits.credit_limit)}${inTokens ? ' tokens' : ''}${periodOf(limits)}`;
  const used = inTokens ? usage?.tokens : usage?.cost_usd;
  if (!usage?.tracked || used === null || used === undefined) return `of ${limit}`;
  return `${amount(used)} of ${limit}`;
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
