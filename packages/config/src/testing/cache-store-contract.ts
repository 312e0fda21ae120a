import type { CacheStore } from '../cache/cache-store.js';
import type { ContractTestApi } from './breaker-store-contract.js';

/** Makes a fresh, empty store of strings for one test (async, so a Redis store can connect first). */
export type MakeCacheStore = () => CacheStore<string> | Promise<CacheStore<string>>;

/** Lifetimes no store may take: each is refused with a `RangeError` and nothing is stored. */
const REFUSED_LIFETIMES = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -1];

/**
 * The behaviour every {@link CacheStore} must have (the in-memory store and the gateway's Redis store
 * alike): a missing key reads `undefined`, a value reads back until replaced, and a lifetime that is
 * not a finite number of seconds above 0 is refused with a `RangeError`, storing nothing (rather than
 * kept forever by one store and refused by another).
 *
 * @example
 * import { describe, expect, it } from 'vitest';
 * describeCacheStoreContract('redis cache store', () => createRedisCacheStore(redis), { describe, it, expect });
 */
export function describeCacheStoreContract(
  name: string,
  makeStore: MakeCacheStore,
  { describe, it, expect }: ContractTestApi,
): void {
  describe(`${name} (cache store contract)`, () => {
    it('reads a missing key as undefined', async () => {
      const store = await makeStore();
      expect(await store.get('missing')).toBe(undefined);
    });

    it('reads a stored value back, and the latest put of a key wins', async () => {
      const store = await makeStore();
      await store.put('a', 'first', 60);
      expect(await store.get('a')).toBe('first');
      await store.put('a', 'second', 0.5);
      expect(await store.get('a')).toBe('second');
    });

    it('refuses a lifetime that is not a finite number of seconds above 0, storing nothing', async () => {
      const store = await makeStore();
      const outcomes: unknown[] = [];
      for (const [index, ttlSeconds] of REFUSED_LIFETIMES.entries()) {
        const key = `refused-${index}`;
        const error = await store.put(key, 'value', ttlSeconds).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        outcomes.push([String(ttlSeconds), error instanceof RangeError, await store.get(key)]);
      }
      expect(outcomes).toEqual(REFUSED_LIFETIMES.map((ttlSeconds) => [String(ttlSeconds), true, undefined]));
    });
  });
}
