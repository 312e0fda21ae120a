import { type BreakerStore, createMemoryBreakerStore } from '@pk/config';

/**
 * A shared {@link BreakerStore} that never fails a request: when the primary (Redis) store throws,
 * the call is answered from in-process state and `onFailure` is told (the caller rate-limits its
 * warning). Once the primary answers again it is used again; what was counted in-process meanwhile
 * stays local.
 */
export function createFallbackBreakerStore(
  primary: BreakerStore,
  onFailure: (error: unknown) => void,
  fallback: BreakerStore = createMemoryBreakerStore(),
): BreakerStore {
  return {
    async read(keys, nowMs) {
      try {
        return await primary.read(keys, nowMs);
      } catch (error) {
        onFailure(error);
        return fallback.read(keys, nowMs);
      }
    },
    async record(key, record) {
      try {
        return await primary.record(key, record);
      } catch (error) {
        onFailure(error);
        return fallback.record(key, record);
      }
    },
  };
}
