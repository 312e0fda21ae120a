import { describe, expect, it } from 'vitest';
import { describeInspectableBreakerStoreContract } from '../testing/breaker-store-contract.js';
import { createMemoryBreakerStore } from './memory-breaker-store.js';

describeInspectableBreakerStoreContract('memory breaker store', () => createMemoryBreakerStore(), {
  describe,
  it,
  expect,
});

describe('memory breaker store bound', () => {
  it('forgets the least recently touched breaker beyond maxKeys', async () => {
    const store = createMemoryBreakerStore({ maxKeys: 2 });
    const rule = { failureThreshold: 1, minimumRequests: 5, cooldownMs: 1000 };
    await store.record('a', { failed: true, nowMs: 0, rule });
    await store.record('b', { failed: true, nowMs: 0, rule });
    await store.record('c', { failed: true, nowMs: 0, rule });
    const readings = await store.read(['a', 'b', 'c'], 1);
    expect(readings.map((reading) => reading.open)).toEqual([false, true, true]);
  });
});
