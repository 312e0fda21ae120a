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
});
