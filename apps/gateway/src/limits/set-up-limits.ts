import { PkError } from '@pk/config';
import type { Catalog } from '@pk/store';
import type { FastifyInstance } from 'fastify';
import type {
  CurrentUsage,
  KeyUsage,
  UsageReader,
  UsageResetter,
  UsageSubject,
} from '../admin/current-usage.js';
import type { GatewaySettings } from '../settings/load-settings.js';
import { DEFAULT_MAX_TOKENS } from './estimate.js';
import { compileLimits, type LimitSubject, MICROS_PER_USD } from './limit-model.js';
import { createSettlementReconciler } from './limit-reconciliation.js';
import { createLimitSettlement } from './limit-settlement.js';
import {
  keysWithNewPeriods,
  type LimitSpendLedger,
  limitedKeysOf,
  raiseFromLedger,
  recordCharges,
  restoreAllSpend,
  restoreKeySpend,
} from './limit-spend.js';
import type { LimitStore } from './limit-store.js';
import { createLimiter, idleMsOf, subjectName } from './limiter.js';
import { createMemoryLimitStore } from './memory-limit-store.js';
import { budgetPeriodOf } from './periods.js';
import type { RequestLimits } from './request-limits.js';

/** How limits are kept: `limits-from-environment.ts` reads it from `PK_LIMITS_*` and `PK_REPLICAS`. */
export interface LimitsOptions {
  /** The shared store (Redis), or none: one process, in memory. */
  readonly store?: LimitStore;
  /** Replicas sharing the store: open limits serve limit ÷ replicas each while it is down. */
  readonly replicas?: number;
  readonly defaultMaxTokens?: number;
  /** How long an unsettled hold lives (a crashed replica's), ms (default 10 min). */
  readonly holdTtlMs?: number;
}

/** Where budgets' usage is recovered from (the data store), and the keys to follow. */
export interface LimitsRecovery {
  readonly ledger: LimitSpendLedger;
  readonly catalog: Catalog;
}

/** Least time between two "limits store unavailable" warnings. */
const WARNING_INTERVAL_MS = 10_000;

/**
 * Limits for the app: the limiter over the store (memory unless a shared one is given), the
 * settlement of admitted requests at their end, and the admin API's `current_usage` reader.
 * With `recovery`, charged usage is also kept per day in the data store: a memory store's counters
 * are restored from it before `ready` resolves (a restart), and any store's counters of a key whose
 * reset period changed are computed from it (see decision 0012).
 */
export function setUpLimits(
  app: FastifyInstance,
  settings: GatewaySettings,
  options: LimitsOptions = {},
  recovery?: LimitsRecovery,
): { limits: RequestLimits; usage: KeyUsage; ready: Promise<void> } {
  const local = createMemoryLimitStore();
  const store = options.store ?? local;
  let lastWarning = Number.NEGATIVE_INFINITY;
  // A shared store may lose counters (a restart without persistence, an eviction, a flush) and miss
  // settlements (a timeout): both are mended from the data store's `limit_spend`, which records every
  // charge before the store is asked. A memory store is restored whole at start instead.
  const mending = recovery && store.kind !== 'memory' ? recovery.ledger : undefined;
  /** Subjects being seeded, so a burst at a lost counter reads the data store once. */
  const seeding = new Map<string, Promise<void>>();
  const seed = (subject: LimitSubject, nowMs: number, ledger: LimitSpendLedger): Promise<void> => {
    const known = seeding.get(subject.key);
    if (known) return known;
    const done = raiseFromLedger({
      store,
      ledger,
      subject: subject.key,
      limits: subject.limits,
      idleMs: idleMsOf(subject),
      nowMs,
      onlyIfUnseeded: true,
      releasedHolds: [],
    }).finally(() => seeding.delete(subject.key));
    seeding.set(subject.key, done);
    return done;
  };
  const reconciler = mending
    ? createSettlementReconciler({
        reconcile: (subject, holds) =>
          raiseFromLedger({
            store,
            ledger: mending,
            subject: subject.key,
            limits: subject.limits,
            idleMs: idleMsOf(subject),
            nowMs: Date.now(),
            onlyIfUnseeded: false,
            releasedHolds: holds,
          }),
        onDropped: (subject) =>
          app.log.warn(
            { subject: subject.key },
            `limits: too many usages wait to be reconciled with the limits store; ${subjectName(subject)} counts what settles from now until its counters are lost or reset`,
          ),
      })
    : undefined;
  const limiter = createLimiter({
    store,
    local,
    replicas: options.replicas ?? 1,
    holdTtlMs: options.holdTtlMs ?? 600_000,
    onStoreFailure: (error) => {
      if (Date.now() - lastWarning < WARNING_INTERVAL_MS) return;
      lastWarning = Date.now();
      app.log.warn(
        { err: { message: (error as Error).message }, limitsStore: store.kind },
        'limits store unavailable: closed limits refuse, open limits serve within this replica’s share',
      );
    },
    onCharged: recovery
      ? (settlements, atMs) => recordCharges(recovery.ledger, settlements, atMs)
      : undefined,
    seed: mending
      ? async (subjects, nowMs) => {
          try {
            await Promise.all(subjects.map((subject) => seed(subject, nowMs, mending)));
          } catch (error) {
            throw new Error(
              `the budget counters the limits store lost could not be seeded from the data store (${(error as Error).message})`,
            );
          }
        }
      : undefined,
    onSettlementLost: reconciler
      ? (reservation) => reconciler.add(reservation.subjects, reservation.id)
      : undefined,
    onAlert: (subject, periodId) =>
      app.log.warn(
        { event: 'budget_alert', subject: subject.key, period: periodId },
        `the usage of ${subjectName(subject)} reached its alert threshold`,
      ),
  });
  // Holds and settlements price with the table request costs are logged with: `@pk/prices` and the
  // settings' `prices:` (built at start with the settings, so no request waits for it).
  const prices = settings.prices;
  const price = (
    provider: string,
    model: string,
    usage: { prompt_tokens: number; completion_tokens: number },
  ) => prices.cost({ provider, model, usage }).cost;
  app.onRequestEnd(createLimitSettlement(limiter, price));
  app.decorateRequest('limitState', null);
  app.addHook('onClose', async () => {
    await reconciler?.close();
    await store.close();
    if (store !== local) await local.close();
  });
  const limits: RequestLimits = {
    limiter,
    metadataRules: settings.metadataLimits,
    defaultMaxTokens: options.defaultMaxTokens ?? DEFAULT_MAX_TOKENS,
    costBound: (provider, model, promptTokens, completionTokens) =>
      prices.costUpperBound({
        provider,
        model,
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
      }),
  };
  /** Keys whose counters are being recovered after a change of period, until they are. */
  const restoring = new Map<string, Promise<void>>();
  const storeKeyOf = (subject: UsageSubject): string =>
    `${subject.kind === 'virtual_key' ? 'vk' : 'gk'}:${subject.id}`;
  const read: UsageReader = async (subject): Promise<CurrentUsage> => {
    const now = Date.now();
    const period = budgetPeriodOf(subject.usageLimits ?? undefined, now);
    const compiled = compileLimits(subject.rateLimits, subject.usageLimits);
    const untracked: CurrentUsage = {
      tracked: false,
      period_start: null,
      period_end: null,
      cost_usd: null,
      tokens: null,
      requests: null,
      budget_exhausted: null,
    };
    if (compiled === undefined) return untracked;
    // A key whose period just changed: its new period's figures are being computed.
    await restoring.get(storeKeyOf(subject));
    try {
      const key = storeKeyOf(subject);
      let figures = await store.read(key, period.id, now);
      // Counters the shared store lost are seeded from the data store's `limit_spend` as an admission
      // would seed them (one read shared with a burst of admissions), so what is shown is what is
      // enforced: a budget spent before a Redis restart reads spent, not 0. Rate-only keys are not
      // recovered (their windows refill), as for admissions.
      if (figures.unseeded && mending && compiled.budget !== undefined) {
        await seed({ key, kind: subject.kind, label: subject.id, limits: compiled }, now, mending);
        figures = await store.read(key, period.id, now);
      }
      return {
        tracked: true,
        // A budget that never resets (or rate limits alone) counts from no date: not 1970-01-01.
        period_start: period.endMs === null ? null : new Date(period.startMs).toISOString(),
        period_end: period.endMs === null ? null : new Date(period.endMs).toISOString(),
        cost_usd: figures.costMicros / MICROS_PER_USD,
        tokens: figures.tokens,
        requests: figures.requests,
        // Refused its latest request, or spent all of it (a limit lowered below the period's spend):
        // either way the next request is refused.
        budget_exhausted:
          compiled.budget !== undefined &&
          (figures.budgetRefused ||
            (compiled.budget.measure === 'cost' ? figures.costMicros : figures.tokens) >=
              compiled.budget.limit),
      };
    } catch {
      return untracked;
    }
  };
  const reset: UsageResetter = async (subject) => {
    if (compileLimits(subject.rateLimits, subject.usageLimits) === undefined) return false;
    const period = budgetPeriodOf(subject.usageLimits ?? undefined, Date.now());
    try {
      await store.resetUsage(storeKeyOf(subject), period.id);
      // The counters this replica kept while the shared store was down (open limits) start again too.
      if (store !== local) await local.resetUsage(storeKeyOf(subject), period.id);
    } catch (error) {
      throw new PkError(
        'PK_ERR_LIMITS_UNAVAILABLE',
        `the limits store is unavailable (${(error as Error).message})`,
      );
    }
    try {
      // And what a restart or a period change would recover: the data store's `limit_spend`.
      await recovery?.ledger.clear(storeKeyOf(subject), period.startMs);
    } catch (error) {
      throw new PkError(
        'PK_ERR_STORE_UNAVAILABLE',
        `the data store is unavailable (${(error as Error).message}): the limits store's counters were reset, ` +
          'but the spend it keeps for a restart was not cleared; reset again once it is back',
      );
    }
    return true;
  };
  return {
    limits,
    usage: { read, reset },
    ready: recovery ? followSpend(app, store, settings, recovery, restoring) : Promise.resolve(),
  };
}

/**
 * Restores a memory store's counters from the ledger (a restart must not forget budgets), then
 * follows the catalog: a key whose reset period changed gets the new period's usage from the
 * ledger, in any store.
 */
async function followSpend(
  app: FastifyInstance,
  store: LimitStore,
  settings: GatewaySettings,
  recovery: LimitsRecovery,
  restoring: Map<string, Promise<void>>,
): Promise<void> {
  const { ledger, catalog } = recovery;
  let known = limitedKeysOf(catalog.snapshot);
  const unsubscribe = catalog.onChange((snapshot) => {
    const next = limitedKeysOf(snapshot);
    const nowMs = Date.now();
    const changed = keysWithNewPeriods(known, next, nowMs);
    known = next;
    for (const subject of changed) {
      const limits = next.get(subject);
      if (!limits) continue;
      const done = restoreKeySpend({ store, ledger, subject, limits, nowMs })
        .catch((error: unknown) =>
          app.log.warn(
            { err: { message: (error as Error).message }, subject },
            'limits: could not compute the usage of a changed budget period from the data store; it counts what settles from now',
          ),
        )
        .finally(() => {
          if (restoring.get(subject) === done) restoring.delete(subject);
        });
      restoring.set(subject, done);
    }
  });
  app.addHook('onClose', async () => unsubscribe());
  if (store.kind !== 'memory') return;
  try {
    const restored = await restoreAllSpend({
      store,
      ledger,
      snapshot: catalog.snapshot,
      metadataRules: settings.metadataLimits,
      nowMs: Date.now(),
    });
    if (restored > 0)
      app.log.info({ restored }, 'limits: usage of the current periods restored from the data store');
  } catch (error) {
    app.log.warn(
      { err: { message: (error as Error).message } },
      'limits: could not restore budgets’ usage from the data store; they count from zero',
    );
  }
}
