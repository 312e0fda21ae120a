import type { RateLimit, UsageLimits } from '@pk/store';

/** What a limit does while its store is unreachable: serve within a local share, or refuse. */
export type StoreFailureMode = 'open' | 'closed';

/** Window lengths of Portkey's rate-limit units. */
export const UNIT_MS = {
  rps: 1000,
  rpm: 60_000,
  rph: 3_600_000,
  rpd: 86_400_000,
  rpw: 604_800_000,
} as const;

/** One of Portkey's `rate_limits` ready to check: a sliding window of `windowMs`. */
export interface CompiledWindow {
  /** `requests-rpm`, `tokens-rpd`: the counter's name under its subject. */
  readonly id: string;
  readonly measure: 'requests' | 'tokens';
  readonly unit: keyof typeof UNIT_MS;
  readonly windowMs: number;
  readonly limit: number;
  readonly onStoreFailure: StoreFailureMode;
}

/** Portkey's `usage_limits` ready to check: micro-USD for `cost`, tokens for `tokens`. */
export interface CompiledBudget {
  readonly measure: 'cost' | 'tokens';
  readonly limit: number;
  /** Usage (same unit) at which the alert event is written once per period. */
  readonly alertAt?: number;
  readonly onStoreFailure: StoreFailureMode;
  readonly usageLimits: UsageLimits;
}

/** The limits of one key or metadata rule. */
export interface CompiledLimits {
  readonly windows: readonly CompiledWindow[];
  readonly budget?: CompiledBudget;
  /** The reset rule of the usage counters (the budget's), when there is one. */
  readonly usageLimits?: UsageLimits;
}

/** USD → the store's integer unit. */
export const MICROS_PER_USD = 1_000_000;

function failureModeOf(value: unknown, fallback: StoreFailureMode): StoreFailureMode {
  return value === 'open' || value === 'closed' ? value : fallback;
}

/**
 * Portkey's `rate_limits` and `usage_limits` as pk checks them, or undefined when there is nothing
 * to check. `on_store_failure` may be added to a rate limit or to `usage_limits` (pk's field; the
 * default is `open` for rates, `closed` for budgets).
 */
export function compileLimits(
  rateLimits: readonly RateLimit[] | null | undefined,
  usageLimits: UsageLimits | null | undefined,
): CompiledLimits | undefined {
  const windows: CompiledWindow[] = [];
  const seen = new Set<string>();
  for (const [index, rate] of (rateLimits ?? []).entries()) {
    const base = `${rate.type}-${rate.unit}`;
    const id = seen.has(base) ? `${base}-${index}` : base;
    seen.add(id);
    windows.push({
      id,
      measure: rate.type,
      unit: rate.unit,
      windowMs: UNIT_MS[rate.unit],
      limit: rate.value,
      onStoreFailure: failureModeOf((rate as Record<string, unknown>).on_store_failure, 'open'),
    });
  }
  let budget: CompiledBudget | undefined;
  if (usageLimits) {
    const measure = usageLimits.type === 'tokens' ? 'tokens' : 'cost';
    const scale = measure === 'cost' ? MICROS_PER_USD : 1;
    budget = {
      measure,
      limit: Math.round(usageLimits.credit_limit * scale),
      ...(typeof usageLimits.alert_threshold === 'number'
        ? { alertAt: Math.round(usageLimits.alert_threshold * scale) }
        : {}),
      onStoreFailure: failureModeOf((usageLimits as Record<string, unknown>).on_store_failure, 'closed'),
      usageLimits,
    };
  }
  if (windows.length === 0 && !budget) return undefined;
  return budget && usageLimits ? { windows, budget, usageLimits } : { windows };
}

const compiled = new WeakMap<object, CompiledLimits | null>();

/** {@link compileLimits} of a key record, computed once per record (snapshots replace records whole). */
export function limitsOfRecord(record: {
  readonly rateLimits?: readonly RateLimit[] | undefined;
  readonly usageLimits?: UsageLimits | undefined;
}): CompiledLimits | undefined {
  if (record.rateLimits === undefined && record.usageLimits === undefined) return undefined;
  let limits = compiled.get(record);
  if (limits === undefined) {
    limits = compileLimits(record.rateLimits, record.usageLimits) ?? null;
    compiled.set(record, limits);
  }
  return limits ?? undefined;
}

/** Who a limit belongs to, as the request found it. */
export interface LimitSubject {
  /** The store key: `vk:<record id>` (a slug for a file-managed key), `gk:<id>`, `md:<rule>:<tenant>:<value>` (no `{` or `}`). */
  readonly key: string;
  readonly kind: 'virtual_key' | 'api_key' | 'metadata';
  /** What messages and log lines name: the slug, key id, or `team=red`. */
  readonly label: string;
  readonly limits: CompiledLimits;
  /** Metadata values: counters of an idle value expire after this long. */
  readonly idleMs?: number;
}

/** A store key part the caller chose (a metadata value): percent-encoded, so no `{`, `}` or `:` clash. */
export function escapeKeyPart(value: string): string {
  return encodeURIComponent(value).replaceAll(':', '%3A');
}
