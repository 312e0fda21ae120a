import {
  applyBreakerRecord,
  type BreakerCounters,
  compareBreakerStatuses,
  emptyBreakerCounters,
  readBreakerCounters,
  releaseBreakerProbe,
  statusOfCounters,
} from './breaker-state.js';
import type { BreakerReading, BreakerStatus, InspectableBreakerStore } from './breaker-store.js';

/** Options of {@link createMemoryBreakerStore}. */
export interface MemoryBreakerStoreOptions {
  /** Most breakers kept (default 10,000); the oldest-touched are forgotten first (as if closed). */
  readonly maxKeys?: number;
}

/**
 * The default {@link BreakerStore}: counters in process memory (one replica). Bounded in keys, since
 * configs may arrive per request. Timestamps come from the caller; it has no clock of its own.
 */
export function createMemoryBreakerStore(options: MemoryBreakerStoreOptions = {}): InspectableBreakerStore {
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
      for (const key of keys) readings.push(readBreakerCounters(breakers.get(key), nowMs));
      return Promise.resolve(readings);
    },
    record(key, record) {
      const counters = breakers.get(key) ?? emptyBreakerCounters();
      const result = applyBreakerRecord(counters, record);
      touch(key, counters);
      return Promise.resolve(result);
    },
    releaseProbe(key, probeUntilMs) {
      releaseBreakerProbe(breakers.get(key), probeUntilMs);
      return Promise.resolve();
    },
    list(nowMs, listOptions) {
      const found: BreakerStatus[] = [];
      for (const [key, counters] of breakers) {
        const status = statusOfCounters(key, counters, nowMs);
        if (status !== undefined) found.push(status);
      }
      return Promise.resolve(found.sort(compareBreakerStatuses).slice(0, listOptions?.limit ?? 1_000));
    },
    close(key) {
      const wasOpen = breakers.get(key)?.openUntilMs !== undefined;
      breakers.delete(key);
      return Promise.resolve(wasOpen);
    },
  };
}
