import { LRUCache } from 'lru-cache';
import { byteSizeOf } from './byte-size.js';
import type { CacheStore } from './cache-store.js';
import { cacheTtlMilliseconds } from './cache-ttl.js';

/** Default bound of the in-memory store: 256 MiB (`PK_CACHE_MAX_BYTES`). */
export const DEFAULT_CACHE_MAX_BYTES = 268_435_456;

/** Options of {@link createMemoryCacheStore}. */
export interface MemoryCacheStoreOptions<Value> {
  /** Upper bound of the stored values' total size, in bytes (default 256 MiB). Least recently used entries go first. */
  readonly maxBytes?: number;
  /** Size of one value in bytes (default: UTF-8 length of strings, `byteLength` of binary, JSON length otherwise). */
  readonly sizeOf?: (value: Value, key: string) => number;
  /** Clock for expiry, in ms (default `performance.now`); tests pass a fake clock's `now`. An entry expires once its age exceeds the TTL. */
  readonly now?: () => number;
}

/** An in-memory {@link CacheStore} with its size and current byte total, for metrics and tests. */
export interface MemoryCacheStore<Value> extends CacheStore<Value> {
  /** Number of entries held (expired entries may linger until touched). */
  readonly size: number;
  /** Total size of the entries held, in bytes. */
  readonly bytes: number;
  /** Drops every entry. */
  clear(): void;
}

/**
 * A {@link CacheStore} kept in process memory, bounded in bytes (unlike Portkey's unbounded object):
 * an LRU from `lru-cache` with per-entry TTLs. A value larger than the whole bound is not stored.
 */
export function createMemoryCacheStore<Value extends NonNullable<unknown>>(
  options: MemoryCacheStoreOptions<Value> = {},
): MemoryCacheStore<Value> {
  const sizeOf = options.sizeOf ?? byteSizeOf;
  const now = options.now;
  const lru = new LRUCache<string, Value>({
    maxSize: options.maxBytes ?? DEFAULT_CACHE_MAX_BYTES,
    // lru-cache rejects a size of 0; every entry costs at least one byte.
    sizeCalculation: (value, key) => Math.max(1, sizeOf(value, key)),
    // With an injected clock: read it on every check (lru-cache otherwise memoises now for 1 ms with
    // a real timer), and never let it read 0, which lru-cache takes for "no start time".
    ...(now === undefined ? {} : { perf: { now: () => now() + 1 }, ttlResolution: 0 }),
  });
  return {
    get size() {
      return lru.size;
    },
    get bytes() {
      return lru.calculatedSize;
    },
    clear() {
      lru.clear();
    },
    get(key) {
      return Promise.resolve(lru.get(key));
    },
    put(key, value, ttlSeconds) {
      try {
        lru.set(key, value, { ttl: cacheTtlMilliseconds(ttlSeconds) });
      } catch (error) {
        return Promise.reject(error);
      }
      return Promise.resolve();
    },
  };
}
