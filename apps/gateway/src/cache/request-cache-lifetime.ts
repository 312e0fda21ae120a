import { type CachePolicy, isCacheMaxAgeInRange, type ResolvedPlan } from '@pk/config';
import { mapPlanLeaves } from '../request-plan/map-plan-leaves.js';

/** `max-age=N` of a `cache-control` header, in seconds, or `undefined`. */
export function maxAgeOfCacheControl(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d{1,10})"?\s*(?:,|$)/i.exec(value);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** The lifetimes a request asks for. */
export interface RequestCacheLifetime {
  /** The `cache-control` header as sent. */
  readonly cacheControl?: string | undefined;
  /** `x-portkey-cache-ttl`, seconds. */
  readonly cacheTtl?: number | undefined;
}

/** A plan with the request's cache lifetimes applied, and a warning for a lifetime it ignored. */
export interface CacheLifetimeResult {
  readonly plan: ResolvedPlan;
  readonly warning?: string;
}

/**
 * The request's cache lifetimes, applied to every cache policy of the plan (the root's and the
 * targets' own): `x-portkey-cache-ttl` (seconds) sets the lifetime whatever the config says, as a
 * request header beats the config (decision 0006); else `cache-control: max-age` sets it where the
 * config gave no `max_age` (hosted Portkey's rule). Either must be within 60 s – 90 days, like
 * `max_age`; a TTL outside is ignored with a warning, a `max-age` outside silently. Returns the plan
 * unchanged (same object) when the request asks nothing, so a request without these headers pays
 * nothing.
 */
export function withRequestCacheLifetime(
  plan: ResolvedPlan,
  lifetime: RequestCacheLifetime,
): CacheLifetimeResult {
  const { cacheTtl } = lifetime;
  if (cacheTtl !== undefined) {
    if (!isCacheMaxAgeInRange(cacheTtl)) {
      return {
        plan,
        warning: `x-portkey-cache-ttl: ${cacheTtl} is outside 60 to 7776000 seconds (60 s to 90 days); ignored`,
      };
    }
    return { plan: withLifetime(plan, cacheTtl, () => true) };
  }
  const maxAge = maxAgeOfCacheControl(lifetime.cacheControl);
  if (maxAge === undefined || !isCacheMaxAgeInRange(maxAge)) return { plan };
  return { plan: withLifetime(plan, maxAge, (policy) => policy.max_age_from_default === true) };
}

function withLifetime(
  plan: ResolvedPlan,
  seconds: number,
  applies: (policy: CachePolicy) => boolean,
): ResolvedPlan {
  const set = (policy: CachePolicy): CachePolicy => {
    if (!applies(policy)) return policy;
    const { max_age_from_default: _defaulted, ...rest } = policy;
    return { ...rest, max_age: seconds };
  };
  const root = mapPlanLeaves(plan.root, (leaf) => (leaf.cache ? { ...leaf, cache: set(leaf.cache) } : leaf));
  return { ...plan, root, ...(plan.cache === undefined ? {} : { cache: set(plan.cache) }) };
}
