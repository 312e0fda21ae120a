/**
 * The values of `x-portkey-cache-status` (behaviour reference §2.4, §5.2): a hit, a semantic hit, a
 * miss of either kind, a forced refresh, or no cache configured.
 */
export const CACHE_STATUSES = [
  'HIT',
  'SEMANTIC HIT',
  'MISS',
  'SEMANTIC MISS',
  'REFRESH',
  'DISABLED',
] as const;

/** One `x-portkey-cache-status` value. */
export type CacheStatus = (typeof CACHE_STATUSES)[number];

const cacheStatuses: ReadonlySet<string> = new Set(CACHE_STATUSES);

/** True when `value` is one of {@link CACHE_STATUSES}. */
export function isCacheStatus(value: string): value is CacheStatus {
  return cacheStatuses.has(value);
}
