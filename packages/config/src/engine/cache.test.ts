import { describe, expect, it } from 'vitest';
import type { CacheStore } from '../cache/cache-store.js';
import { createMemoryCacheStore } from '../cache/memory-cache-store.js';
import { createFakeClock } from '../testing/fake-clock.js';
import { group, leaf, planOf } from '../testing/plan-builders.js';
import type { EngineCachePort } from './ports.js';
import { runScenario, summary } from './test-scenario.js';

const keyed = (
  store: CacheStore<string>,
  extra: Partial<EngineCachePort<unknown, string>> = {},
): EngineCachePort<unknown, string> => ({
  store,
  key: (target) => `tenant-1:${target.path}`,
  ...extra,
});

describe('cache in runPlan', () => {
  it('a miss calls the target and stores a JSON answer at once; the next request is a HIT', async () => {
    const store = createMemoryCacheStore<string>();
    const plan = planOf(leaf({ cache: { max_age: 3600 } }));
    const miss = await runScenario({
      plan,
      script: { config: { ok: 'fresh' } },
      ports: { cache: keyed(store) },
    });
    expect(miss.result.cacheStatus).toBe('MISS');
    expect(await store.get('tenant-1:config')).toBe('fresh');

    const hit = await runScenario({
      plan,
      script: { config: { ok: 'never' } },
      ports: { cache: keyed(store) },
    });
    expect(hit.calls).toEqual([]);
    expect(hit.result.outcome).toEqual({ ok: true, value: 'fresh', cacheHit: true });
    expect(summary(hit).trace).toEqual(['root#0 t=0 200 HIT cache-hit → return']);
    expect(hit.events).toEqual([{ type: 'cache-hit', atMs: 0, path: 'config', key: 'tenant-1:config' }]);
  });

  it('is consulted per leaf: a fallback target’s cached answer serves when the first target is down', async () => {
    const store = createMemoryCacheStore<string>();
    await store.put('tenant-1:config.targets[1]', 'cached B', 60);
    const plan = planOf(group({ mode: 'fallback', targets: [leaf({ cache: true }), leaf({ cache: true })] }));
    const run = await runScenario({
      plan,
      script: { 'config.targets[0]': { status: 503 } },
      ports: { cache: keyed(store) },
    });
    expect(summary(run)).toEqual({
      status: 200,
      path: '[1]',
      retryCount: 0,
      elapsedMs: 0,
      trace: ['[0]#0 t=0 503 MISS not-retryable → fallback', '[1]#0 t=0 200 HIT cache-hit → return'],
    });
    expect(run.result.cacheStatus).toBe('HIT');
  });

  it.each([
    { name: 'no cache policy on the leaf', plan: planOf(leaf()), port: {}, expected: 'DISABLED' },
    {
      name: 'the caller declines this request (key undefined)',
      plan: planOf(leaf({ cache: true })),
      port: { key: () => undefined },
      expected: 'DISABLED',
    },
    {
      name: 'force refresh',
      plan: planOf(leaf({ cache: true })),
      port: { refresh: () => true },
      expected: 'REFRESH',
    },
  ])('status $expected when $name', async ({ plan, port, expected }) => {
    const store = createMemoryCacheStore<string>();
    await store.put('tenant-1:config', 'old', 60);
    const run = await runScenario({
      plan,
      script: { config: { ok: 'new' } },
      ports: { cache: keyed(store, port) },
    });
    expect(run.calls).toHaveLength(1);
    expect(run.result.cacheStatus).toBe(expected);
    expect(await store.get('tenant-1:config')).toBe(expected === 'REFRESH' ? 'new' : 'old');
  });

  it('never stores a failure, nor an ok answer whose status is not 200', async () => {
    const store = createMemoryCacheStore<string>();
    const plan = planOf(leaf({ cache: true }));
    await runScenario({ plan, script: { config: { status: 429 } }, ports: { cache: keyed(store) } });
    await runScenario({
      plan,
      script: { config: { ok: 'partial', status: 246 } },
      ports: { cache: keyed(store) },
    });
    expect(store.size).toBe(0);
  });

  it('a failing store is a miss and never fails the request', async () => {
    const broken: CacheStore<string> = {
      get: () => Promise.reject(new Error('down')),
      put: () => Promise.reject(new Error('down')),
    };
    const run = await runScenario({
      plan: planOf(leaf({ cache: true })),
      script: { config: { ok: 'x' } },
      ports: { cache: keyed(broken) },
    });
    expect(run.result.outcome.ok).toBe(true);
    expect(run.result.cacheStatus).toBe('MISS');
  });

  it('a stream is stored by its drainer through commitToCache, once, with the leaf’s TTL', async () => {
    const puts: [string, string, number][] = [];
    const store: CacheStore<string> = {
      get: () => Promise.resolve(undefined),
      put: (key, value, ttl) => {
        puts.push([key, value, ttl]);
        return Promise.resolve();
      },
    };
    const port = keyed(store, { isStream: (value) => value.startsWith('stream:') });
    const run = await runScenario({
      plan: planOf(leaf({ cache: { max_age: 120 } })),
      script: { config: { ok: 'stream:…' } },
      ports: { cache: port },
    });
    expect(puts).toEqual([]);
    await run.result.commitToCache?.('{"complete":"answer"}');
    await run.result.commitToCache?.('again');
    expect(puts).toEqual([['tenant-1:config', '{"complete":"answer"}', 120]]);
  });

  it('commitToCache does nothing after the caller aborted', async () => {
    const store = createMemoryCacheStore<string>();
    const controller = new AbortController();
    const port = keyed(store, { isStream: () => true });
    const run = await runScenario({
      plan: planOf(leaf({ cache: true })),
      script: { config: { ok: 'stream' } },
      ports: { cache: port, signal: controller.signal },
    });
    controller.abort();
    await run.result.commitToCache?.('complete');
    expect(store.size).toBe(0);
  });

  it('JSON answers expose no commitToCache', async () => {
    const run = await runScenario({
      plan: planOf(leaf({ cache: true })),
      script: { config: { ok: 'json' } },
      ports: { cache: keyed(createMemoryCacheStore<string>()) },
    });
    expect(run.result.commitToCache).toBeUndefined();
  });

  it('entries expire after max_age seconds on the store’s clock', async () => {
    const clock = createFakeClock();
    const store = createMemoryCacheStore<string>({ now: clock.now });
    const plan = planOf(leaf({ cache: { max_age: 60 } }));
    await runScenario({ plan, clock, script: { config: { ok: 'v1' } }, ports: { cache: keyed(store) } });
    await clock.advance(59_000);
    expect((await runScenario({ plan, clock, ports: { cache: keyed(store) } })).result.cacheStatus).toBe(
      'HIT',
    );
    await clock.advance(2_000);
    expect(
      (await runScenario({ plan, clock, script: { config: { ok: 'v2' } }, ports: { cache: keyed(store) } }))
        .result.cacheStatus,
    ).toBe('MISS');
  });
});
