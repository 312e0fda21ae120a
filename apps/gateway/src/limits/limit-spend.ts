import type { CatalogSnapshot, LimitSpend } from '@pk/store';
import type { MetadataLimitRule } from '../settings/load-settings.js';
import { type CompiledLimits, compileLimits, escapeKeyPart, limitsOfRecord } from './limit-model.js';
import type { LimitStore, SubjectSettlement } from './limit-store.js';
import { budgetPeriodOf, usageTtlOf } from './periods.js';

/**
 * Where the spend limits charged is kept per UTC day, to recover a period's usage from: the data
 * store's `limitSpend` (`@pk/store`), or a test's. Every period the limits know starts at a UTC
 * midnight, so a period's usage is the sum of its days, whatever period a limit had before.
 */
export interface LimitSpendLedger {
  /** Adds a request's charged usage to `subject`'s day of `atMs` (a map update; written in batches). */
  record(subject: string, atMs: number, spend: LimitSpend): void;
  /** The spend of each of `subjects` from the UTC day of `fromMs` on (those without any left out). */
  sum(subjects: readonly string[], fromMs: number): Promise<ReadonlyMap<string, LimitSpend>>;
  /** The spend of every subject whose key starts with `prefix`, from the UTC day of `fromMs` on. */
  sumByPrefix(prefix: string, fromMs: number): Promise<ReadonlyMap<string, LimitSpend>>;
  /** Forgets `subject`'s spend from the UTC day of `fromMs` on (`reset_usage`). */
  clear(subject: string, fromMs: number): Promise<void>;
}

const NONE: LimitSpend = { costMicros: 0, tokens: 0, requests: 0 };

/** Adds the usage settlements charged (not releases) to the ledger. */
export function recordCharges(
  ledger: LimitSpendLedger,
  settlements: readonly SubjectSettlement[],
  atMs: number,
): void {
  for (const settlement of settlements) {
    if (settlement.requests === 0 && settlement.tokens === 0 && settlement.costMicros === 0) continue;
    ledger.record(settlement.subject, atMs, {
      costMicros: settlement.costMicros,
      tokens: settlement.tokens,
      requests: settlement.requests,
    });
  }
}

/** The store keys and limits of the snapshot's limited gateway keys and virtual keys. */
export function limitedKeysOf(snapshot: CatalogSnapshot): Map<string, CompiledLimits> {
  const keys = new Map<string, CompiledLimits>();
  for (const key of snapshot.gatewayKeysByHash.values()) {
    const limits = limitsOfRecord(key);
    if (limits) keys.set(`gk:${key.id}`, limits);
  }
  for (const key of snapshot.virtualKeys.values()) {
    const limits = limitsOfRecord(key);
    if (limits) keys.set(`vk:${key.id}`, limits);
  }
  return keys;
}

function exhausted(limits: CompiledLimits, spend: LimitSpend): boolean {
  const budget = limits.budget;
  if (!budget) return false;
  return (budget.measure === 'cost' ? spend.costMicros : spend.tokens) >= budget.limit;
}

async function restoreOne(options: {
  readonly store: LimitStore;
  readonly subject: string;
  readonly limits: CompiledLimits;
  readonly spend: LimitSpend;
  readonly nowMs: number;
  readonly idleMs: number;
}): Promise<void> {
  const period = budgetPeriodOf(options.limits.usageLimits, options.nowMs);
  await options.store.restoreUsage(options.subject, period.id, {
    ...options.spend,
    refused: exhausted(options.limits, options.spend),
    usageTtlMs: usageTtlOf(period, options.nowMs, options.idleMs),
  });
}

/** Sets a key's counters of its current period to what the ledger holds for that period. */
export async function restoreKeySpend(options: {
  readonly store: LimitStore;
  readonly ledger: LimitSpendLedger;
  readonly subject: string;
  readonly limits: CompiledLimits;
  readonly nowMs: number;
}): Promise<void> {
  const period = budgetPeriodOf(options.limits.usageLimits, options.nowMs);
  const spend = (await options.ledger.sum([options.subject], period.startMs)).get(options.subject) ?? NONE;
  await restoreOne({ ...options, spend, idleMs: 0 });
}

/**
 * Raises a subject's counters of its current period to what the ledger holds for that period (see
 * {@link LimitStore.raiseUsage}): seeds counters the shared store lost (`onlyIfUnseeded`), or
 * reconciles them after settlements that never reached it (`releasedHolds`: their holds).
 */
export async function raiseFromLedger(options: {
  readonly store: LimitStore;
  readonly ledger: LimitSpendLedger;
  readonly subject: string;
  readonly limits: CompiledLimits;
  readonly idleMs: number;
  readonly nowMs: number;
  readonly onlyIfUnseeded: boolean;
  readonly releasedHolds: readonly string[];
}): Promise<void> {
  const { limits, nowMs } = options;
  const period = budgetPeriodOf(limits.usageLimits, nowMs);
  const spend = (await options.ledger.sum([options.subject], period.startMs)).get(options.subject) ?? NONE;
  await options.store.raiseUsage(options.subject, period.id, {
    ...spend,
    refused: exhausted(limits, spend),
    usageTtlMs: usageTtlOf(period, nowMs, options.idleMs),
    onlyIfUnseeded: options.onlyIfUnseeded,
    releasedHolds: options.releasedHolds,
  });
}

/**
 * Every limited subject's counters of its current period from the ledger: the gateway keys' and
 * virtual keys' of the snapshot (one indexed read per period start and 500 keys), and each metadata
 * rule's values (one read per rule). What a one-process store does at start, when it holds nothing:
 * subjects without spend are left alone. Resolves to the number of subjects restored.
 */
export async function restoreAllSpend(options: {
  readonly store: LimitStore;
  readonly ledger: LimitSpendLedger;
  readonly snapshot: CatalogSnapshot;
  readonly metadataRules: readonly MetadataLimitRule[];
  readonly nowMs: number;
}): Promise<number> {
  const { store, ledger, nowMs } = options;
  let restored = 0;
  const keys = limitedKeysOf(options.snapshot);
  const byStart = new Map<number, string[]>();
  for (const [subject, limits] of keys) {
    const start = budgetPeriodOf(limits.usageLimits, nowMs).startMs;
    byStart.set(start, [...(byStart.get(start) ?? []), subject]);
  }
  for (const [start, subjects] of byStart) {
    for (const [subject, spend] of await ledger.sum(subjects, start)) {
      const limits = keys.get(subject);
      if (!limits) continue;
      await restoreOne({ store, subject, limits, spend, nowMs, idleMs: 0 });
      restored += 1;
    }
  }
  for (const rule of options.metadataRules) {
    const limits = compileLimits(rule.rateLimits, rule.usageLimits);
    if (!limits) continue;
    const period = budgetPeriodOf(limits.usageLimits, nowMs);
    const values = await ledger.sumByPrefix(`md:${escapeKeyPart(rule.key)}:`, period.startMs);
    for (const [subject, spend] of values) {
      await restoreOne({ store, subject, limits, spend, nowMs, idleMs: rule.idleMs });
      restored += 1;
    }
  }
  return restored;
}

/**
 * The keys whose counters must be recovered after a change of the catalog: those that became
 * limited, and those whose reset period changed (`monthly` → `weekly`, a budget added to a key that
 * had rate limits only). Periods are compared at one time, so a month that simply ended is no change.
 */
export function keysWithNewPeriods(
  before: ReadonlyMap<string, CompiledLimits>,
  after: ReadonlyMap<string, CompiledLimits>,
  nowMs: number,
): string[] {
  const changed: string[] = [];
  for (const [subject, limits] of after) {
    const previous = before.get(subject);
    if (previous === limits) continue;
    if (
      previous !== undefined &&
      budgetPeriodOf(previous.usageLimits, nowMs).id === budgetPeriodOf(limits.usageLimits, nowMs).id
    )
      continue;
    changed.push(subject);
  }
  return changed;
}
