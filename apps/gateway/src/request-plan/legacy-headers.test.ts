import { resolveConfig } from '@pk/config';
import { parseRequestHeaders } from '@pk/headers';
import { describe, expect, it } from 'vitest';
import { applyLegacyHeaders } from './legacy-headers.js';

const planOf = (config: Record<string, unknown>) => resolveConfig(config, {}, { configId: 'test' });
const optionsOf = (headers: Record<string, string>) => parseRequestHeaders(headers).options;
const SIMPLE = { mode: 'simple', max_age: 3600 };

describe('applyLegacyHeaders', () => {
  it('gives the same plan back for a request without legacy headers (nothing to do on the hot path)', () => {
    const plan = planOf({ virtual_key: 'openai-prod' });
    const result = applyLegacyHeaders(plan, optionsOf({ 'x-portkey-trace-id': 't' }));
    expect(result.plan).toBe(plan);
    expect(result.warnings).toBeUndefined();
    expect(applyLegacyHeaders(plan, optionsOf({ 'x-portkey-cache': 'false' })).plan).toBe(plan);
  });

  it.each([
    ['simple', 'simple'],
    ['true', 'simple'],
    ['semantic', 'semantic'],
  ] as const)(
    'x-portkey-cache: %s gives a config without a cache a root %s cache, 7 days by default',
    (value, mode) => {
      const result = applyLegacyHeaders(
        planOf({ virtual_key: 'openai-prod' }),
        optionsOf({ 'x-portkey-cache': value }),
      );
      expect(result.plan.cache).toEqual({
        mode,
        max_age: 604_800,
        shadow: false,
        threshold: 0.95,
        // So that x-portkey-cache-ttl and cache-control: max-age may set the lifetime.
        max_age_from_default: true,
      });
      expect(result.warnings).toBeUndefined();
    },
  );

  it('a root cache in the config wins; a different mode in the header is reported', () => {
    const plan = planOf({ virtual_key: 'openai-prod', cache: SIMPLE });
    const same = applyLegacyHeaders(plan, optionsOf({ 'x-portkey-cache': 'true' }));
    expect([same.plan, same.warnings]).toEqual([plan, undefined]);
    const other = applyLegacyHeaders(plan, optionsOf({ 'x-portkey-cache': 'semantic' }));
    expect(other.plan.cache).toEqual(plan.cache);
    expect(other.warnings).toEqual(["x-portkey-cache: ignored; the config's cache (mode simple) applies"]);
  });

  it('a cache on a target below the root stays on it; the header adds the root cache', () => {
    const plan = planOf({
      strategy: { mode: 'fallback' },
      targets: [{ virtual_key: 'a' }, { virtual_key: 'b', cache: SIMPLE }],
    });
    const result = applyLegacyHeaders(plan, optionsOf({ 'x-portkey-cache': 'semantic' }));
    expect(result.plan.cache?.mode).toBe('semantic');
    expect(result.plan.root).toBe(plan.root);
  });

  it('x-portkey-retry-count and x-portkey-mode are not followed and are reported', () => {
    const plan = planOf({ virtual_key: 'openai-prod' });
    const result = applyLegacyHeaders(
      plan,
      optionsOf({ 'x-portkey-retry-count': '3', 'x-portkey-mode': 'proxy openai' }),
    );
    expect(result.plan).toBe(plan);
    expect(result.warnings).toEqual([
      expect.stringMatching(/^x-portkey-retry-count: ignored/),
      expect.stringMatching(/^x-portkey-mode: ignored/),
    ]);
  });
});
