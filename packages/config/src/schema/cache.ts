import { z } from 'zod';
import { booleanSchema, enumSchema, numberSchema } from './expect.js';

/** Default cache lifetime in seconds: 7 days (hosted Portkey). */
export const DEFAULT_CACHE_MAX_AGE_SECONDS = 604_800;
/** Shortest accepted `max_age`, seconds. */
export const MIN_CACHE_MAX_AGE_SECONDS = 60;
/** Longest accepted `max_age`, seconds (90 days). */
export const MAX_CACHE_MAX_AGE_SECONDS = 7_776_000;

/** Cache settings of a target (https://portkey.ai/docs/product/ai-gateway/cache-simple-and-semantic). */
export const cacheSchema = z.object(
  {
    /** `simple` (exact match) or `semantic` (similar prompts). */
    mode: enumSchema(['simple', 'semantic']),
    /**
     * Lifetime in seconds. Outside 60 s - 90 days (including 0 and negative values) it is replaced by
     * the 7-day default with a warning, as hosted Portkey does (not clamped, not an error).
     */
    max_age: numberSchema().optional(),
    /** pk extension: look up and store, but never answer from the cache (measures the hit rate safely). */
    shadow: booleanSchema.optional(),
    /** pk extension: semantic similarity threshold, 0-1 (default 0.95). */
    threshold: numberSchema(0, 1).optional(),
  },
  { error: 'expected an object { mode: "simple" | "semantic", max_age? }' },
);

/** Cache settings as written in a config. */
export type CacheConfig = z.infer<typeof cacheSchema>;

/** Cache settings after defaults: what the engine and cache stores use. */
export interface CachePolicy {
  readonly mode: 'simple' | 'semantic';
  /** Seconds, always within 60 s – 90 days. */
  readonly max_age: number;
  readonly shadow: boolean;
  readonly threshold: number;
  /**
   * True when the config gave no `max_age`: the request's `cache-control: max-age` may then set the
   * lifetime (hosted Portkey), else the 7-day default applies.
   */
  readonly max_age_from_default?: true;
}

/** Default semantic similarity threshold (hosted Portkey documents a cosine threshold of 0.95). */
export const DEFAULT_CACHE_THRESHOLD = 0.95;

/** True when `maxAge` (seconds) is inside hosted Portkey's accepted range, 60 s – 90 days. */
export function isCacheMaxAgeInRange(maxAge: number): boolean {
  return maxAge >= MIN_CACHE_MAX_AGE_SECONDS && maxAge <= MAX_CACHE_MAX_AGE_SECONDS;
}

/**
 * Fills the defaults into a config's cache settings: `max_age` outside 60 s – 90 days, or absent,
 * becomes the 7-day default (hosted Portkey resets rather than clamps); `shadow` false; `threshold`
 * 0.95. `outOfRange` tells the caller to warn.
 */
export function normalizeCache(cache: CacheConfig): { policy: CachePolicy; outOfRange: boolean } {
  const outOfRange = cache.max_age !== undefined && !isCacheMaxAgeInRange(cache.max_age);
  return {
    policy: {
      mode: cache.mode,
      max_age: cache.max_age === undefined || outOfRange ? DEFAULT_CACHE_MAX_AGE_SECONDS : cache.max_age,
      shadow: cache.shadow ?? false,
      threshold: cache.threshold ?? DEFAULT_CACHE_THRESHOLD,
      ...(cache.max_age === undefined ? { max_age_from_default: true as const } : {}),
    },
    outOfRange,
  };
}
