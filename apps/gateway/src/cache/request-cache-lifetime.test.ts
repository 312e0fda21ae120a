import type { PlanLeaf, ResolvedPlan } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { maxAgeOfCacheControl, withRequestCacheLifetime } from './request-cache-lifetime.js';

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
const planOf = (root: PlanLeaf, cache?: ResolvedPlan['cache']): ResolvedPlan => ({
  root,
  config_id: 'cfg',
  warnings: [],
  ...(cache ? { cache } : {}),
});
const defaulted = {
  mode: 'simple' as const,
  max_age: 604_800,
  shadow: false,
  threshold: 0.95,
  max_age_from_default: true as const,
};
const own = { mode: 'simple' as const, max_age: 120, shadow: false, threshold: 0.95 };

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

  it('sets the lifetime of a cache whose config gave no max_age, at the root and on a leaf', () => {
    const { plan } = withRequestCacheLifetime(planOf(leafWith(defaulted), defaulted), {
      cacheControl: 'max-age=3600',
    });
    const expected = { mode: 'simple', max_age: 3600, shadow: false, threshold: 0.95 };
    expect(plan.cache).toEqual(expected);
    expect((plan.root as PlanLeaf).cache).toEqual(expected);
  });

  it("never overrides the config's own max_age, nor applies outside 60 s – 90 days", () => {
    const mine = planOf(leafWith(own), own);
    expect(withRequestCacheLifetime(mine, { cacheControl: 'max-age=3600' }).plan).toEqual(mine);
    const plan = planOf(leafWith(defaulted));
    expect(withRequestCacheLifetime(plan, { cacheControl: 'max-age=30' })).toEqual({ plan });
    expect(withRequestCacheLifetime(plan, {}).plan).toBe(plan);
  });
});

describe('x-portkey-cache-ttl', () => {
  it('sets every cache lifetime of the request, the config’s own max_age included, and beats max-age', () => {
    const { plan, warning } = withRequestCacheLifetime(planOf(leafWith(own), defaulted), {
      cacheTtl: 900,
      cacheControl: 'max-age=3600',
    });
    expect(warning).toBeUndefined();
    expect(plan.cache?.max_age).toBe(900);
    expect(plan.cache?.max_age_from_default).toBeUndefined();
    expect((plan.root as PlanLeaf).cache?.max_age).toBe(900);
  });

  it.each([0, 59, 7_776_001])('%i seconds is outside 60 s – 90 days: ignored with a warning', (ttl) => {
    const original = planOf(leafWith(own), own);
    const { plan, warning } = withRequestCacheLifetime(original, { cacheTtl: ttl });
    expect(plan).toBe(original);
    expect(warning).toContain('x-portkey-cache-ttl');
  });
});
