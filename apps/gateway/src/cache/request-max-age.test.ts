import type { PlanLeaf, ResolvedPlan } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { maxAgeOfCacheControl, withRequestMaxAge } from './request-max-age.js';

const retry = {
  attempts: 0,
  on_status_codes: [],
  use_retry_after_header: false,
  backoff: { initial_ms: 1000, factor: 2, max_ms: 1000, jitter: 'none' as const },
};
const leafWith = (cache: PlanLeaf['cache']): PlanLeaf => ({
  kind: 'leaf',
  path: 'config',
  weight: 1,
  target: {},
  override_params: {},
  retry,
  ...(cache ? { cache } : {}),
});
const planOf = (root: PlanLeaf): ResolvedPlan => ({ root, config_id: 'cfg', warnings: [] });
const defaulted = {
  mode: 'simple' as const,
  max_age: 604_800,
  shadow: false,
  threshold: 0.95,
  max_age_from_default: true as const,
};

describe("a request's cache-control: max-age", () => {
  it.each([
    ['max-age=3600', 3600],
    ['no-cache, max-age=120', 120],
    ['MAX-AGE="90"', 90],
    ['no-store', undefined],
    ['max-age=abc', undefined],
  ])('reads %j as %j', (header, expected) => {
    expect(maxAgeOfCacheControl(header)).toBe(expected);
  });

  it('sets the lifetime of a leaf whose config gave no max_age', () => {
    const plan = withRequestMaxAge(planOf(leafWith(defaulted)), 'max-age=3600');
    expect((plan.root as PlanLeaf).cache).toEqual({
      mode: 'simple',
      max_age: 3600,
      shadow: false,
      threshold: 0.95,
    });
  });

  it("never overrides the config's own max_age, nor applies outside 60 s – 90 days", () => {
    const own = planOf(leafWith({ mode: 'simple', max_age: 120, shadow: false, threshold: 0.95 }));
    expect(withRequestMaxAge(own, 'max-age=3600')).toEqual(own);
    const plan = planOf(leafWith(defaulted));
    expect(withRequestMaxAge(plan, 'max-age=30')).toBe(plan);
    expect(withRequestMaxAge(plan, undefined)).toBe(plan);
  });
});
