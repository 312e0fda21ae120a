import { LRUCache } from 'lru-cache';
import {
  type LimitStore,
  type SubjectHold,
  type SubjectSettlement,
  type SubjectVerdict,
  type UsageFigures,
  WINDOW_BUCKETS,
  windowBucketMs,
} from './limit-store.js';

interface UsageRecord {
  cost: number;
  tokens: number;
  requests: number;
  held: number;
  /** Reservation id → amount and expiry (epoch ms). */
  readonly holds: Map<string, { amount: number; expiresAt: number }>;
  alerted: boolean;
  /** The latest budget decision of the period was a refusal. */
  refused: boolean;
}

/** Counters kept by one process (at most `maxEntries` of each kind, least recently used dropped). */
export interface MemoryLimitStoreOptions {
  readonly maxEntries?: number;
}

/** Sum of a window's live buckets; drops those that left the window. */
function liveSum(buckets: Map<number, number>, current: number): number {
  let sum = 0;
  for (const [index, amount] of buckets) {
    if (index < current - WINDOW_BUCKETS) buckets.delete(index);
    else sum += amount;
  }
  return sum;
}

/** When enough of the oldest buckets have left the window for `need` more to fit. */
function retryAfter(buckets: Map<number, number>, need: number, bucketMs: number, nowMs: number): number {
  const ordered = [...buckets].sort((a, b) => a[0] - b[0]);
  let freed = 0;
  for (const [index, amount] of ordered) {
    freed += amount;
    if (freed >= need) return Math.max(1, Math.ceil((index + WINDOW_BUCKETS + 1) * bucketMs - nowMs));
  }
  return Math.ceil(bucketMs * (WINDOW_BUCKETS + 1));
}

/** What the store uses of an LRU map. */
interface LruMap<V> {
  get(key: string): V | undefined;
  set(key: string, value: V, options?: { ttl?: number }): void;
  clear(): void;
}

/**
 * An LRU map made on the first `set`: `lru-cache` allocates its arrays for `max` entries up front
 * (~3 MiB for 100,000), which a gateway without limits (or before the first limited request) never
 * needs.
 */
function lazyLru<V extends {}>(max: number): LruMap<V> {
  let cache: LRUCache<string, V> | undefined;
  return {
    get: (key) => cache?.get(key),
    set: (key, value, options) => {
      cache ??= new LRUCache<string, V>({ max, ttlAutopurge: false });
      cache.set(key, value, options);
    },
    clear: () => cache?.clear(),
  };
}

/**
 * The limits store of one process: the same sliding windows, budgets and holds as the Redis store
 * (its Lua scripts mirror this code), in LRU maps whose entries expire with their window or period.
 * Used alone with one replica, and as the local share while Redis is down (`on_store_failure: open`).
 */
export function createMemoryLimitStore(options: MemoryLimitStoreOptions = {}): LimitStore {
  const max = options.maxEntries ?? 100_000;
  const windows = lazyLru<Map<number, number>>(max);
  const usage = lazyLru<UsageRecord>(max);

  const usageRecord = (key: string, ttlMs: number, create: boolean): UsageRecord | undefined => {
    let record = usage.get(key);
    if (!record && create) {
      record = { cost: 0, tokens: 0, requests: 0, held: 0, holds: new Map(), alerted: false, refused: false };
      usage.set(key, record, ttlMs > 0 ? { ttl: ttlMs } : {});
    } else if (record && ttlMs > 0) usage.set(key, record, { ttl: ttlMs });
    return record;
  };

  const expireHolds = (record: UsageRecord, nowMs: number): void => {
    for (const [id, hold] of record.holds) {
      if (hold.expiresAt <= nowMs) {
        record.held -= hold.amount;
        record.holds.delete(id);
      }
    }
  };

  const check = (hold: SubjectHold, nowMs: number): SubjectVerdict => {
    const windowsUsed: number[] = [];
    const buckets: number[] = [];
    for (const [index, window] of hold.windows.entries()) {
      const bucketMs = windowBucketMs(window.windowMs);
      const current = Math.floor(nowMs / bucketMs);
      const counted = windows.get(`${hold.subject}:${window.id}`);
      const used = counted ? liveSum(counted, current) : 0;
      if (used + window.amount > window.limit) {
        const retryAfterMs =
          window.amount > window.limit || !counted
            ? -1
            : retryAfter(counted, used + window.amount - window.limit, bucketMs, nowMs);
        return { ok: false, kind: 'rate', window: index, retryAfterMs, used };
      }
      windowsUsed.push(used + window.amount);
      buckets.push(current);
    }
    let budgetUsed = 0;
    if (hold.budget) {
      const record = usageRecord(`${hold.subject}:${hold.periodId}`, 0, false);
      if (record) {
        expireHolds(record, nowMs);
        budgetUsed = record[hold.budget.measure] + record.held;
      }
      // The period remembers whether its latest budget decision was a refusal (status `exhausted`).
      if (budgetUsed + hold.budget.amount > hold.budget.limit) {
        const refused = usageRecord(`${hold.subject}:${hold.periodId}`, hold.usageTtlMs, true) as UsageRecord;
        refused.refused = true;
        return { ok: false, kind: 'budget', used: budgetUsed };
      }
      if (record) record.refused = false;
      budgetUsed += hold.budget.amount;
    }
    return { ok: true, buckets, windowsUsed, budgetUsed };
  };

  const commit = (hold: SubjectHold, verdict: SubjectVerdict, id: string, nowMs: number, ttlMs: number) => {
    if (!verdict.ok) return;
    for (const [index, window] of hold.windows.entries()) {
      const key = `${hold.subject}:${window.id}`;
      let counted = windows.get(key);
      if (!counted) {
        counted = new Map();
        windows.set(key, counted, { ttl: Math.ceil(window.windowMs + 2 * windowBucketMs(window.windowMs)) });
      }
      const bucket = verdict.buckets[index] ?? 0;
      counted.set(bucket, (counted.get(bucket) ?? 0) + window.amount);
    }
    if (hold.budget && hold.budget.amount > 0) {
      const record = usageRecord(`${hold.subject}:${hold.periodId}`, hold.usageTtlMs, true) as UsageRecord;
      record.held += hold.budget.amount;
      record.holds.set(id, { amount: hold.budget.amount, expiresAt: nowMs + ttlMs });
    }
  };

  const settleOne = (settlement: SubjectSettlement): boolean => {
    for (const window of settlement.windows) {
      const counted = windows.get(`${settlement.subject}:${window.id}`);
      if (counted?.has(window.bucket))
        counted.set(window.bucket, (counted.get(window.bucket) ?? 0) + window.delta);
    }
    const record = usageRecord(
      `${settlement.subject}:${settlement.periodId}`,
      settlement.usageTtlMs,
      true,
    ) as UsageRecord;
    const held = record.holds.get(settlement.reservationId);
    if (held) {
      record.held -= held.amount;
      record.holds.delete(settlement.reservationId);
    }
    record.cost += settlement.costMicros;
    record.tokens += settlement.tokens;
    record.requests += settlement.requests;
    if (settlement.measure && settlement.alertAt !== undefined && !record.alerted) {
      if (record[settlement.measure] >= settlement.alertAt) {
        record.alerted = true;
        return true;
      }
    }
    return false;
  };

  return {
    kind: 'memory',
    async admit(holds, reservationId, nowMs, ttlMs) {
      // One thread: every subject is checked before any is changed, so all-or-nothing needs no release.
      const verdicts = holds.map((hold) => check(hold, nowMs));
      if (verdicts.every((verdict) => verdict.ok)) {
        for (const [index, hold] of holds.entries())
          commit(hold, verdicts[index] as SubjectVerdict, reservationId, nowMs, ttlMs);
      }
      return verdicts;
    },
    async settle(settlements) {
      return settlements.map(settleOne);
    },
    async read(subject, periodId, nowMs): Promise<UsageFigures> {
      const record = usage.get(`${subject}:${periodId}`);
      if (!record)
        return { costMicros: 0, tokens: 0, requests: 0, held: 0, budgetRefused: false, unseeded: false };
      expireHolds(record, nowMs);
      return {
        costMicros: record.cost,
        tokens: record.tokens,
        requests: record.requests,
        held: record.held,
        budgetRefused: record.refused,
        unseeded: false,
      };
    },
    async resetUsage(subject, periodId) {
      const record = usage.get(`${subject}:${periodId}`);
      if (!record) return;
      record.cost = 0;
      record.tokens = 0;
      record.requests = 0;
      record.alerted = false;
      record.refused = false;
    },
    async restoreUsage(subject, periodId, restored) {
      const record = usageRecord(`${subject}:${periodId}`, restored.usageTtlMs, true) as UsageRecord;
      record.cost = restored.costMicros;
      record.tokens = restored.tokens;
      record.requests = restored.requests;
      record.refused = restored.refused;
    },
    async raiseUsage(subject, periodId, raised) {
      // This store is restored whole at start (it never loses counters it still needs to admit).
      const key = `${subject}:${periodId}`;
      if (raised.onlyIfUnseeded && usage.get(key)) return;
      const record = usageRecord(key, raised.usageTtlMs, true) as UsageRecord;
      record.cost = Math.max(record.cost, raised.costMicros);
      record.tokens = Math.max(record.tokens, raised.tokens);
      record.requests = Math.max(record.requests, raised.requests);
      if (raised.refused) record.refused = true;
      for (const id of raised.releasedHolds) {
        const held = record.holds.get(id);
        if (!held) continue;
        record.held -= held.amount;
        record.holds.delete(id);
      }
    },
    async close() {
      windows.clear();
      usage.clear();
    },
  };
}
