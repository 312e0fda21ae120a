import { describe, expect, it } from 'vitest';
import { StartupError } from '../server-options.js';
import { cacheStoreFromEnvironment } from './cache-store-from-environment.js';

describe('cacheStoreFromEnvironment', () => {
  it('takes PK_CACHE_MAX_BYTES in decimal digits, beyond 32 bits too', async () => {
    const chosen = cacheStoreFromEnvironment({ PK_CACHE_MAX_BYTES: '4294967296' }, () => undefined);
    expect(chosen.kind).toBe('memory');
    await chosen.close();
  });

  // Decision 0007: a count takes decimal digits only, not what JavaScript's Number reads.
  it.each(['1e9', '0x100000', ' 65536', '65536.0'])('refuses PK_CACHE_MAX_BYTES=%j', (value) => {
    expect(() => cacheStoreFromEnvironment({ PK_CACHE_MAX_BYTES: value }, () => undefined)).toThrow(
      new StartupError(`PK_CACHE_MAX_BYTES must be a number of bytes ≥ 1024, got ${JSON.stringify(value)}`),
    );
  });

  it('stores no entry larger than PK_CACHE_MAX_ENTRY_BYTES (UTF-8 bytes), and the others as before', async () => {
    const chosen = cacheStoreFromEnvironment({ PK_CACHE_MAX_ENTRY_BYTES: '1024' }, () => undefined);
    await chosen.store.put('small', 'x'.repeat(1024), 60);
    await chosen.store.put('large', 'x'.repeat(1025), 60);
    // 400 characters of 3 UTF-8 bytes each: 1200 bytes.
    await chosen.store.put('wide', '€'.repeat(400), 60);
    expect(await chosen.store.get('small')).toBe('x'.repeat(1024));
    expect(await chosen.store.get('large')).toBeUndefined();
    expect(await chosen.store.get('wide')).toBeUndefined();
    await chosen.close();
  });

  it.each(['1e6', '512', 'lots'])('refuses PK_CACHE_MAX_ENTRY_BYTES=%j', (value) => {
    expect(() => cacheStoreFromEnvironment({ PK_CACHE_MAX_ENTRY_BYTES: value }, () => undefined)).toThrow(
      new StartupError(
        `PK_CACHE_MAX_ENTRY_BYTES must be a number of bytes ≥ 1024, got ${JSON.stringify(value)}`,
      ),
    );
  });
});
