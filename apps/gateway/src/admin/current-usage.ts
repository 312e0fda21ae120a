import { PkError } from '@pk/config';
import type { RateLimit, Store, UsageLimits } from '@pk/store';
import { budgetPeriodOf } from '../limits/periods.js';
import { type AdminBody, field, listPage } from './portkey-body.js';

/**
 * What a key has used in its current budget period, as retrieve and list answer it (`current_usage`): spend
 * in USD, tokens and requests since `period_start`. `tracked: false` means pk does not measure it
 * (the key has no `usage_limits` or `rate_limits`, or the limits store cannot be read): every figure
 * is then `null`, never a made-up 0.
 */
export interface CurrentUsage {
  readonly tracked: boolean;
  /** ISO 8601 start of the period the figures cover (the last reset), or null when it never resets. */
  readonly period_start: string | null;
  /** ISO 8601 time of the next reset (`usage_limits.periodic_reset`), or null for none. */
  readonly period_end: string | null;
  /** Spend in USD. */
  readonly cost_usd: number | null;
  readonly tokens: number | null;
  readonly requests: number | null;
  /**
   * The key's budget refused its latest request of the period (the next request that fits clears
   * it; so does `reset_usage`), or the period's spend reached the limit (one lowered below it): the
   * key's `status` is then `exhausted`. `false` without a budget.
   */
  readonly budget_exhausted: boolean | null;
}

/**
 * A key's `usage_limits` as the admin API answers them: as stored, with Portkey's
 * `next_usage_reset_at` worked out from the period its budget is enforced in (ISO 8601; null when the
 * budget never resets), never the value a client sent: the figure of `current_usage.period_end` when
 * the usage was read, else the same period computed at `nowMs`.
 */
export function usageLimitsObject(
  usageLimits: UsageLimits | null,
  usage: CurrentUsage | undefined,
  nowMs: number,
): UsageLimits | null {
  if (usageLimits === null) return null;
  let resetAt = usage?.tracked ? usage.period_end : undefined;
  if (resetAt === undefined) {
    const { endMs } = budgetPeriodOf(usageLimits, nowMs);
    resetAt = endMs === null ? null : new Date(endMs).toISOString();
  }
  return { ...usageLimits, next_usage_reset_at: resetAt };
}

/** Whose usage is asked for. */
export interface UsageSubject {
  readonly kind: 'virtual_key' | 'api_key';
  readonly id: string;
  readonly usageLimits: UsageLimits | null;
  readonly rateLimits: readonly RateLimit[] | null;
}

/** Where current usage comes from: the limits store's counters (`setUpLimits`), or a test's own. */
export type UsageReader = (subject: UsageSubject) => CurrentUsage | Promise<CurrentUsage>;

/**
 * Starts a key's current budget period again (`reset_usage` on update): spend, tokens, requests and
 * the exhausted mark go back to none. Resolves false for a key pk does not measure (nothing to
 * reset); throws `PK_ERR_LIMITS_UNAVAILABLE` when the limits store cannot be written, and
 * `PK_ERR_STORE_UNAVAILABLE` when the data store's spend ledger (`limit_spend`) cannot be cleared.
 */
export type UsageResetter = (subject: UsageSubject) => Promise<boolean>;

/** A key's usage as the admin API reads and resets it. */
export interface KeyUsage {
  readonly read: UsageReader;
  readonly reset: UsageResetter;
}

/**
 * The status of a key that is neither revoked nor expired: Portkey's `exhausted` or `active`, or pk's
 * `unknown` for a key with a budget (`usage_limits`) whose usage cannot be read (the limits store is
 * down): it may be exhausted, and saying `active` would claim it is not.
 */
export function statusOfUsage(
  usage: CurrentUsage | undefined,
  usageLimits: UsageLimits | null,
): 'exhausted' | 'active' | 'unknown' {
  if (usage?.budget_exhausted === true) return 'exhausted';
  return usageLimits !== null && usage?.tracked === false ? 'unknown' : 'active';
}

/**
 * Whether an update body asks for `reset_usage` (Portkey's SDK sends `true`; its key objects show
 * `0`): `true` or `1` resets, `false`, `0`, `null` or no field do not, anything else is a 400.
 */
export function resetUsageRequested(body: AdminBody): boolean {
  const value = field(body, 'reset_usage', 'resetUsage');
  if (value === undefined || value === null || value === false || value === 0) return false;
  if (value === true || value === 1) return true;
  throw new PkError('PK_ERR_INVALID_REQUEST', 'reset_usage: expected true or false', {
    param: 'reset_usage',
  });
}

/**
 * `reset_usage` of an update: the key's usage read (for the audit log), reset, and every reset that
 * happened audited as `reset_usage` with the figures it cleared. A limits store (or data store)
 * that cannot be reached is a 503 naming it that says whether the rest of the update was saved
 * (`updated`).
 */
export async function resetKeyUsage(options: {
  readonly usage: KeyUsage;
  readonly store: Store;
  readonly subject: UsageSubject;
  readonly actor: string;
  /** The rest of the body changed the record (already saved). */
  readonly updated: boolean;
}): Promise<void> {
  const { usage, subject } = options;
  const what = subject.kind === 'virtual_key' ? 'virtual key' : 'api key';
  const before = await usage.read(subject);
  let reset: boolean;
  try {
    reset = await usage.reset(subject);
  } catch (error) {
    const saved = options.updated ? `the ${what} was updated, but ` : '';
    // The data store's spend ledger failing is named as such; anything else is the limits store.
    const code =
      error instanceof PkError && error.code === 'PK_ERR_STORE_UNAVAILABLE'
        ? 'PK_ERR_STORE_UNAVAILABLE'
        : 'PK_ERR_LIMITS_UNAVAILABLE';
    throw new PkError(code, `${saved}its usage was not reset: ${(error as Error).message}`);
  }
  if (!reset) return;
  // The figures it cleared; null when they could not be read just before (the store came back since).
  await options.store.audit.recordAction({
    actor: options.actor,
    action: 'reset_usage',
    entity: subject.kind === 'virtual_key' ? 'virtual_key' : 'gateway_key',
    entityId: subject.id,
    before: {
      period_start: before.period_start,
      cost_usd: before.cost_usd,
      tokens: before.tokens,
      requests: before.requests,
    },
  });
}

/**
 * A list answer (`listPage`: `page_size`, `current_page`) whose items carry their current usage: the
 * page is cut first, then the usage of its keys only is read (one limits-store read per limited key,
 * all at once), and `object` makes each item.
 */
export async function listPageWithUsage<Item, Out>(options: {
  readonly items: readonly Item[];
  readonly query: Readonly<Record<string, unknown>>;
  readonly subjectOf: (item: Item) => UsageSubject;
  readonly usage: KeyUsage;
  readonly object: (item: Item, current: CurrentUsage) => Out;
}): Promise<{ object: 'list'; total: number; data: Out[] }> {
  const page = listPage(options.items, options.query);
  const current = await Promise.all(page.data.map((item) => options.usage.read(options.subjectOf(item))));
  return {
    ...page,
    data: page.data.map((item, index) => options.object(item, current[index] as CurrentUsage)),
  };
}
