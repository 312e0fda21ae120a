import { isCacheMaxAgeInRange, type ResolvedPlan } from '@pk/config';
import { mapPlanLeaves } from '../request-plan/map-plan-leaves.js';

/** `max-age=N` of a `cache-control` header, in seconds, or `undefined`. */
export function maxAgeOfCacheControl(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d{1,10})"?\s*(?:,|$)/i.exec(value);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * Hosted Portkey's rule: a request's `cache-control: max-age` sets the cache lifetime of every leaf
 * whose config gave no `max_age` (the range rule applies: outside 60 s – 90 days it is ignored).
 * Returns the plan unchanged when there is nothing to apply.
 */
export function withRequestMaxAge(plan: ResolvedPlan, cacheControl: string | undefined): ResolvedPlan {
  const maxAge = maxAgeOfCacheControl(cacheControl);
  if (maxAge === undefined || !isCacheMaxAgeInRange(maxAge)) return plan;
  const root = mapPlanLeaves(plan.root, (leaf) => {
    if (!leaf.cache?.max_age_from_default) return leaf;
    const { max_age_from_default: _defaulted, ...cache } = leaf.cache;
    return { ...leaf, cache: { ...cache, max_age: maxAge } };
  });
  return { ...plan, root };
}
