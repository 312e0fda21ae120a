import { describe, expect, it } from 'vitest';
import { describeCacheStoreContract } from '../testing/cache-store-contract.js';
import { createFakeClock } from '../testing/fake-clock.js';
import { byteSizeOf } from './byte-size.js';
import { createMemoryCacheStore } from './memory-cache-store.js';

describe('byteSizeOf', () => {
  it.each([
    { value: 'abc', expected: 3 },
    { value: 'é', expected: 2 },
    { value: '€', expected: 3 },
    { value: '😀', expected: 4 },
    { value: new Uint8Array(10), expected: 10 },
    { value: { a: 1 }, expected: 7 },
  ])('$value → $expected bytes', ({ value, expected }) => {
    expect(byteSizeOf(value)).toBe(expected);
    if (typeof value === 'string') expect(byteSizeOf(value)).toBe(Buffer.byteLength(value));
  });
});

describe('memory cache store', () => {
  it('stores, reads and reports its size in bytes', async () => {
    const store = createMemoryCacheStore<string>();
    await store.put('k', 'hello', 60);
    expect(await store.get('k')).toBe('hello');
    expect(await store.get('missing')).toBeUndefined();
    expect([store.size, store.bytes]).toEqual([1, 5]);
    store.clear();
    expect(store.size).toBe(0);
  });

  it('stays within maxBytes, evicting the least recently used entries', async () => {
    const store = createMemoryCacheStore<string>({ maxBytes: 10 });
    await store.put('a', 'xxxx', 60);
    await store.put('b', 'yyyy', 60);
    await store.get('a');
    await store.put('c', 'zzzz', 60);
    expect(store.bytes).toBeLessThanOrEqual(10);
    expect([await store.get('a'), await store.get('b'), await store.get('c')]).toEqual([
      'xxxx',
      undefined,
      'zzzz',
    ]);
  });

  it('does not store a value larger than the whole bound', async () => {
    const store = createMemoryCacheStore<string>({ maxBytes: 4 });
    await store.put('big', 'too large', 60);
    expect(await store.get('big')).toBeUndefined();
  });

  it('expires entries after ttlSeconds', async () => {
    const clock = createFakeClock();
    const store = createMemoryCacheStore<string>({ now: clock.now });
    await store.put('k', 'v', 2);
    await clock.advance(2_000);
    expect(await store.get('k')).toBe('v');
    await clock.advance(1);
    expect(await store.get('k')).toBeUndefined();
  });

  it('measures values with a custom sizeOf', async () => {
    const store = createMemoryCacheStore<{ body: string }>({
      maxBytes: 100,
      sizeOf: (value) => value.body.length * 10,
    });
    await store.put('k', { body: 'abc' }, 60);
    expect(store.bytes).toBe(30);
  });
});

describeCacheStoreContract('memory cache store', () => createMemoryCacheStore<string>(), {
  describe,
  it,
  expect,
});

describe('memory cache store lifetimes', () => {
  it('never keeps an entry put with a NaN or infinite lifetime (lru-cache would keep it forever)', async () => {
    const clock = createFakeClock();
    const store = createMemoryCacheStore<string>({ now: clock.now });
    for (const ttlSeconds of [Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(store.put('k', 'v', ttlSeconds)).rejects.toThrow(
        `a cache entry's lifetime must be a finite number of seconds above 0, not ${ttlSeconds}`,
      );
    }
    expect([store.size, await store.get('k')]).toEqual([0, undefined]);
  });
});
