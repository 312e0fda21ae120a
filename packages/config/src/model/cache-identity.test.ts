import { describe, expect, it } from 'vitest';
import type { Config } from '../schema/target.js';
import { group, leaf, planOf } from '../testing/plan-builders.js';
import { planCacheIdentity, planForwardedHeaderNames, planRoutesByMetadata } from './cache-identity.js';
import { resolveConfig } from './resolve-config.js';

const base: Config = {
  cache: { mode: 'simple', max_age: 3600 },
  strategy: { mode: 'fallback', cb_config: { failure_threshold: 1 } },
  retry: { attempts: 2 },
  targets: [
    { provider: 'openai', api_key: 'sk-1', override_params: { model: 'gpt-4o' } },
    { virtual_key: 'backup' },
  ],
};
const identity = (config: Config, headers = {}) => planCacheIdentity(resolveConfig(config, headers));

describe('planCacheIdentity', () => {
  it('keeps what decides the answer: targets, credentials, override_params, strictness, routing', () => {
    const same = identity(base);
    expect(
      identity({ ...base, targets: [{ provider: 'openai', api_key: 'sk-2' }, { virtual_key: 'backup' }] }),
    ).not.toBe(same);
    expect(identity({ ...base, override_params: { temperature: 0 } })).not.toBe(same);
    expect(identity({ ...base, strict_open_ai_compliance: false })).not.toBe(same);
    expect(identity({ ...base, strategy: { mode: 'loadbalance' } })).not.toBe(same);
  });

  it('leaves out how an answer is obtained: cache lifetime, retries, timeouts, breakers', () => {
    const same = identity(base);
    expect(identity({ ...base, cache: { mode: 'simple', max_age: 60 } })).toBe(same);
    expect(identity({ ...base, retry: { attempts: 5 } })).toBe(same);
    expect(identity({ ...base, request_timeout: 1000 })).toBe(same);
    expect(identity({ ...base, strategy: { mode: 'fallback' } })).toBe(same);
  });

  it('sees credentials that come from the headers', () => {
    const fromHeaders: Config = { cache: { mode: 'simple' } };
    expect(identity(fromHeaders, { provider: 'openai', api_key: 'sk-a' })).not.toBe(
      identity(fromHeaders, { provider: 'openai', api_key: 'sk-b' }),
    );
  });
});

describe('planRoutesByMetadata and planForwardedHeaderNames', () => {
  const routed = (query: Record<string, unknown>) =>
    planOf(
      group({
        mode: 'fallback',
        targets: [
          { ...leaf({ name: 'a' }), forward_headers: ['x-b', 'x-a'] },
          group({
            mode: 'conditional',
            conditions: [{ query, then: 'c' }],
            default: 'c',
            targets: [{ ...leaf({ name: 'c' }), forward_headers: ['x-a'] }],
          }),
        ],
      }),
    );

  it('finds a conditional group reading the metadata, however deep', () => {
    expect(planRoutesByMetadata(routed({ 'metadata.tier': 'pro' }).root)).toBe(true);
    expect(
      planRoutesByMetadata(routed({ $or: [{ 'params.model': 'x' }, { 'metadata.long': true }] }).root),
    ).toBe(true);
    expect(planRoutesByMetadata(routed({ 'params.model': 'x' }).root)).toBe(false);
  });

  it('lists every leaf’s forwarded headers once, sorted', () => {
    expect(planForwardedHeaderNames(routed({}).root)).toEqual(['x-a', 'x-b']);
  });
});
