import type { RetryPolicy } from '../schema/retry.js';

/**
 * Wait before retry `retry` (1 = first retry), in ms: `initial_ms · factor^(retry-1)`, capped at
 * `max_ms`, then jittered. With Portkey's defaults (1000, 2, no cap, no jitter) that is exactly
 * 1 s, 2 s, 4 s, 8 s, 16 s. `random` is the engine's seeded-in-tests random port.
 */
export function backoffDelay(backoff: RetryPolicy['backoff'], retry: number, random: () => number): number {
  const base = Math.min(backoff.initial_ms * backoff.factor ** (retry - 1), backoff.max_ms);
  switch (backoff.jitter) {
    case 'full':
      return Math.round(random() * base);
    case 'equal':
      return Math.round(base / 2 + (random() * base) / 2);
    default:
      return base;
  }
}
