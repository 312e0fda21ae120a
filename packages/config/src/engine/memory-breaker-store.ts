import {
  applyBreakerRecord,
  type BreakerCounters,
  emptyBreakerCounters,
  readBreakerCounters,
} from './breaker-state.js';
import type { BreakerReading, BreakerStore } from './breaker-store.js';

/** Options of {@link createMemoryBreakerStore}. */
export interface MemoryBreakerStoreOptions {
  /** Most breakers kept (default 10,000); the oldest-touched are forgotten first (as if closed). */
  readonly maxKeys?: number;
}

/**
 * The default {@link BreakerStore}: counters in process memory (one replica). Bounded in keys, since
 * configs may arrive per request. Timestamps come from the caller; it has no clock of its own.
 */
export function createMemoryBreakerStore(options: MemoryBreakerStoreOptions = {}): BreakerStore {
  const maxKeys = options.maxKeys ?? 10_000;
  const breakers = new Map<string, BreakerCounters>();

  function touch(key: string, counters: BreakerCounters): void {
    // Re-inserting moves the key to the end: Map order is then least recently touched first.
    breakers.delete(key);
    breakers.set(key, counters);
    if (breakers.size > maxKeys) {
      const oldest = breakers.keys().next().value;
      if (oldest !== undefined) breakers.delete(oldest);
    }
  }

  return {
    read(keys, nowMs) {
      const readings: BreakerReading[] = [];
      for (const key of keys) {
        const { reading, reset } = readBreakerCounters(breakers.get(key), nowMs);
        if (reset) breakers.delete(key);
        readings.push(reading);
      }
      return Promise.resolve(readings);
    },
    record(key, record) {
      const counters = breakers.get(key) ?? emptyBreakerCounters();
      const result = applyBreakerRecord(counters, record);
      touch(key, counters);
      return Promise.resolve(result);
    },
  };
}
