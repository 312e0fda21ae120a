/** A key's `usage_limits` as the admin API returns them (Portkey's shape; other fields ignored here). */
export interface UsageLimits {
  readonly credit_limit: number;
  readonly type?: 'cost' | 'tokens';
  readonly periodic_reset?: 'weekly' | 'monthly' | null;
  readonly periodic_reset_days?: number | null;
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

/** The budget fields of a create form, as typed. */
export interface BudgetForm {
  /** The limit as typed (empty: no budget). */
  readonly limit: string;
  readonly type: 'cost' | 'tokens';
  readonly reset: '' | 'weekly' | 'monthly';
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
  return { credit_limit: limit, type: form.type, periodic_reset: form.reset === '' ? null : form.reset };
}
