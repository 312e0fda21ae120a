import { z } from 'zod';

/** Default cache lifetime in seconds: 7 days (hosted Portkey). */
export const DEFAULT_CACHE_MAX_AGE_SECONDS = 604_800;
/** Shortest accepted `max_age`, seconds. */
export const MIN_CACHE_MAX_AGE_SECONDS = 60;
/** Longest accepted `max_age`, seconds (90 days). */
export const MAX_CACHE_MAX_AGE_SECONDS = 7_776_000;

/** Cache settings of a target (https://portkey.ai/docs/product/ai-gateway/cache-simple-and-semantic). */
export const cacheSchema = z.object({
  /** `simple` (exact match) or `semantic` (similar prompts). */
  mode: z.enum(['simple', 'semantic']),
  /**
   * Lifetime in seconds. Outside 60 s – 90 days it is replaced by the 7-day default with a warning,
   * as hosted Portkey does (not clamped).
   */
  max_age: z.number().positive().optional(),
  /** pk extension: look up and store, but never answer from the cache (measures the hit rate safely). */
  shadow: z.boolean().optional(),
  /** pk extension: semantic similarity threshold, 0–1 (default 0.95). */
  threshold: z.number().min(0).max(1).optional(),
});

/** Cache settings as written in a config. */
export type CacheConfig = z.infer<typeof cacheSchema>;

/** Cache settings after defaults: what the engine and cache stores use. */
export interface CachePolicy {
  readonly mode: 'simple' | 'semantic';
  /** Seconds, always within 60 s – 90 days. */
  readonly max_age: number;
  readonly shadow: boolean;
  readonly threshold: number;
}
