/**
 * A cache entry's lifetime in milliseconds for a store's own TTL (lru-cache's `ttl`, Redis `PX`),
 * from the `ttlSeconds` of `CacheStore#put`: at least 1 ms. Throws a `RangeError` for a lifetime that
 * is not a finite number above 0 (`NaN`, `Infinity`, 0, a negative), which stores would otherwise
 * read in their own ways (lru-cache keeps a `NaN` TTL forever, Redis refuses it): every store refuses
 * it the same way and stores nothing.
 */
export function cacheTtlMilliseconds(ttlSeconds: number): number {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError(
      `a cache entry's lifetime must be a finite number of seconds above 0, not ${ttlSeconds}`,
    );
  }
  return Math.max(1, Math.round(ttlSeconds * 1000));
}
