import { createMemoryBreakerStore, type InspectableBreakerStore } from '@pk/config';

/**
 * A shared breaker store that never fails a request: when the primary (Redis) store throws, the
 * call is answered from in-process state and `onFailure` is told (the caller rate-limits its
 * warning). Once the primary answers again it is used again; what was counted in-process meanwhile
 * stays local. An operator's `list` and `close` are not requests: they read and close the primary
 * and fail when it does (a `close` also closes the in-process breaker of the same key), so nobody
 * is shown one replica's local state as the shared one.
 */
export function createFallbackBreakerStore(
  primary: InspectableBreakerStore,
  onFailure: (error: unknown) => void,
  fallback: InspectableBreakerStore = createMemoryBreakerStore(),
): InspectableBreakerStore {
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
    async releaseProbe(key, probeUntilMs) {
      try {
        await primary.releaseProbe(key, probeUntilMs);
      } catch (error) {
        onFailure(error);
        await fallback.releaseProbe(key, probeUntilMs);
      }
    },
    list(nowMs, options) {
      return primary.list(nowMs, options);
    },
    async close(key, nowMs) {
      const local = await fallback.close(key, nowMs);
      return (await primary.close(key, nowMs)) || local;
    },
  };
}
