import { type CacheStore, createMemoryCacheStore, DEFAULT_CACHE_MAX_BYTES } from '@pk/config/cache';
import { createRedisCacheStore } from '../cache/redis-cache-store.js';
import { StartupError } from '../server-options.js';
import { shownValue } from '../shown-value.js';
import { createRedisClient, redisKeyPrefixFromEnvironment, redisUrlFromEnvironment } from './redis-client.js';

/** The response cache's store, as the environment chooses it, and how to close it. */
export interface ChosenCacheStore {
  readonly store: CacheStore<string>;
  /** `memory` or `redis`. */
  readonly kind: 'memory' | 'redis';
  /** The Redis URL, when `kind` is `redis` (the semantic cache shares vectors there too). */
  readonly redisUrl?: string;
  close(): Promise<void>;
}

/**
 * `PK_CACHE_STORE=memory` (default: an LRU bounded by `PK_CACHE_MAX_BYTES`, 256 MiB) or `redis`
 * (shared by every replica, at `PK_REDIS_URL`). A Redis that is down at start is not fatal: requests
 * are served without the cache until it answers.
 */
export function cacheStoreFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  onRedisError: (error: Error) => void,
  /** One line for a variable that does nothing with the chosen store (`PK_CACHE_MAX_BYTES` with `redis`). */
  onWarning: (message: string) => void = () => undefined,
): ChosenCacheStore {
  const kind = env.PK_CACHE_STORE || 'memory';
  if (kind !== 'memory' && kind !== 'redis')
    throw new StartupError(`PK_CACHE_STORE must be memory or redis, got ${JSON.stringify(kind)}`);
  // Checked with either store: a bad value is refused even where it would do nothing yet.
  // Decimal digits only (decision 0007): `1e9`, `0x100000`, a space or a fraction is refused.
  const given = env.PK_CACHE_MAX_BYTES || String(DEFAULT_CACHE_MAX_BYTES);
  const maxBytes = /^\d{1,15}$/.test(given) ? Number(given) : Number.NaN;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1024) {
    throw new StartupError(
      `PK_CACHE_MAX_BYTES must be a number of bytes ≥ 1024, got ${shownValue(env.PK_CACHE_MAX_BYTES)}`,
    );
  }
  if (kind === 'memory') {
    const store = createMemoryCacheStore<string>({ maxBytes });
    return { store, kind, close: async () => store.clear() };
  }
  if (env.PK_CACHE_MAX_BYTES) {
    onWarning(
      'PK_CACHE_MAX_BYTES is set but PK_CACHE_STORE is redis: it bounds only the in-memory cache (Redis is bounded by its own maxmemory)',
    );
  }
  const redisUrl = redisUrlFromEnvironment(env);
  const client = createRedisClient(redisUrl, { onError: onRedisError });
  return {
    store: createRedisCacheStore(client, undefined, redisKeyPrefixFromEnvironment(env)),
    kind,
    redisUrl,
    close: async () => {
      client.disconnect();
    },
  };
}
