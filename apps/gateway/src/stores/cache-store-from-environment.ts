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

/** Default of `PK_CACHE_MAX_ENTRY_BYTES`: 8 MiB. */
export const DEFAULT_CACHE_MAX_ENTRY_BYTES = 8 * 1024 * 1024;

/** A count of bytes from the environment: decimal digits only (decision 0007), at least 1024. */
function bytesOf(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number {
  const given = env[name] || String(fallback);
  const bytes = /^\d{1,15}$/.test(given) ? Number(given) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1024) {
    throw new StartupError(`${name} must be a number of bytes ≥ 1024, got ${shownValue(env[name])}`);
  }
  return bytes;
}

/**
 * A store that keeps no value larger than `maxEntryBytes` (UTF-8): such a `put` stores nothing (the
 * answer was served; the next identical request asks the provider again). One huge answer would
 * otherwise evict most of a memory cache, or hold a Redis connection long enough for its command to
 * time out, and a timeout pauses every use of Redis (cache, breakers, limits) as if it had hung.
 */
export function withEntryBound(store: CacheStore<string>, maxEntryBytes: number): CacheStore<string> {
  return {
    get: (key, options) => store.get(key, options),
    put: (key, value, ttlSeconds) =>
      // At most 3 UTF-8 bytes per UTF-16 unit: most values need no count.
      value.length * 3 <= maxEntryBytes || Buffer.byteLength(value) <= maxEntryBytes
        ? store.put(key, value, ttlSeconds)
        : Promise.resolve(),
  };
}

/**
 * `PK_CACHE_STORE=memory` (default: an LRU bounded by `PK_CACHE_MAX_BYTES`, 256 MiB) or `redis`
 * (shared by every replica, at `PK_REDIS_URL`), either keeping no entry larger than
 * `PK_CACHE_MAX_ENTRY_BYTES` (8 MiB). A Redis that is down at start is not fatal: requests are
 * served without the cache until it answers.
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
  const maxBytes = bytesOf(env, 'PK_CACHE_MAX_BYTES', DEFAULT_CACHE_MAX_BYTES);
  const maxEntryBytes = bytesOf(env, 'PK_CACHE_MAX_ENTRY_BYTES', DEFAULT_CACHE_MAX_ENTRY_BYTES);
  if (kind === 'memory') {
    const store = createMemoryCacheStore<string>({ maxBytes });
    return { store: withEntryBound(store, maxEntryBytes), kind, close: async () => store.clear() };
  }
  if (env.PK_CACHE_MAX_BYTES) {
    onWarning(
      'PK_CACHE_MAX_BYTES is set but PK_CACHE_STORE is redis: it bounds only the in-memory cache (Redis is bounded by its own maxmemory)',
    );
  }
  const redisUrl = redisUrlFromEnvironment(env);
  const client = createRedisClient(redisUrl, { onError: onRedisError });
  return {
    store: withEntryBound(
      createRedisCacheStore(client, undefined, redisKeyPrefixFromEnvironment(env)),
      maxEntryBytes,
    ),
    kind,
    redisUrl,
    close: async () => {
      client.disconnect();
    },
  };
}
