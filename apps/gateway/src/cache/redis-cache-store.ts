import { type CacheStore, cacheTtlMilliseconds } from '@pk/config/cache';
import type { Redis } from 'ioredis';
import { createRedisStallGuard, type RedisStallGuard } from '../stores/redis-stall-guard.js';

/**
 * A {@link CacheStore} of strings in Redis, shared by every gateway replica: `GET` and `SET … PX`, so
 * entries expire through Redis TTLs. Every command is on one key, which is safe for Redis Cluster.
 * The client must be created without an offline queue and with a short command timeout (see
 * `createCacheRedisClient`): when Redis is down or slow a command fails at once and the request is
 * served without the cache. A Redis that hangs instead is not asked for a while after a command
 * times out (see `createRedisStallGuard`): the store fails at once meanwhile. Cache keys begin with
 * `pk:` (`pk:c:…`); in Redis that `pk:` is `keyPrefix` (`PK_REDIS_KEY_PREFIX`, default `pk:`).
 */
export function createRedisCacheStore(
  redis: Redis,
  guard: RedisStallGuard = createRedisStallGuard(),
  keyPrefix = 'pk:',
): CacheStore<string> {
  const redisKey =
    keyPrefix === 'pk:'
      ? (key: string) => key
      : (key: string) => keyPrefix + (key.startsWith('pk:') ? key.slice('pk:'.length) : key);
  return {
    async get(key) {
      const value = await guard.run(() => redis.get(redisKey(key)));
      return value ?? undefined;
    },
    async put(key, value, ttlSeconds) {
      // Checked before Redis is asked: a bad lifetime is the caller's mistake, not a Redis failure.
      const ttlMs = cacheTtlMilliseconds(ttlSeconds);
      await guard.run(() => redis.set(redisKey(key), value, 'PX', ttlMs));
    },
  };
}
