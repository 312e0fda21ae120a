import type { InspectableBreakerStore } from '@pk/config';
import type { GatewayMetrics } from './gateway-metrics.js';

/**
 * The breaker store, watched: every opening, half-opening (a probe taken) and closing it reports is
 * counted, and the breakers this process saw open (until their cooldown ends, or their probe's) are
 * the `pk_circuit_breakers_open` gauge. Keys (config
 * id + target path) are never labels: an inline config makes a new id per distinct text.
 */
export function watchBreakers(
  store: InspectableBreakerStore,
  metrics: GatewayMetrics,
  now: () => number = Date.now,
): InspectableBreakerStore {
  /** Open breakers: key → when it closes (ms). */
  const open = new Map<string, number>();
  metrics.watchOpenBreakers(() => {
    const at = now();
    for (const [key, until] of open) if (until <= at) open.delete(key);
    return open.size;
  });
  return {
    async read(keys, nowMs) {
      const readings = await store.read(keys, nowMs);
      readings.forEach((reading, index) => {
        const key = keys[index];
        if (key === undefined) return;
        if (reading.probe) {
          metrics.breakerTransition('half_open');
          open.delete(key);
        } else if (reading.open && reading.openUntilMs !== undefined) open.set(key, reading.openUntilMs);
      });
      return readings;
    },
    async record(key, record) {
      const result = await store.record(key, record);
      if (result.openedNow) metrics.breakerTransition('open');
      if (result.closedNow) {
        metrics.breakerTransition('close');
        open.delete(key);
      }
      if (result.open && result.openUntilMs !== undefined) {
        // Bounded as the store is: a process never tracks more open breakers than this.
        if (open.size < 10_000 || open.has(key)) open.set(key, result.openUntilMs);
      }
      return result;
    },
    releaseProbe(key, probeUntilMs) {
      return store.releaseProbe(key, probeUntilMs);
    },
    list(nowMs, options) {
      return store.list(nowMs, options);
    },
    async close(key, nowMs) {
      const wasOpen = await store.close(key, nowMs);
      if (wasOpen) metrics.breakerTransition('close');
      open.delete(key);
      return wasOpen;
    },
  };
}
