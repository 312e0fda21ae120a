import {
  type AttemptFunction,
  createMemoryBreakerStore,
  type PlanResult,
  parseConfigOrThrow,
  type ResolvedPlan,
  resolveConfig,
  runPlan,
} from '@pk/config';
import { createMemoryCacheStore } from '@pk/config/cache';
import { createFakeClock, createScriptedAttempt } from '@pk/config/testing';
import type { ProviderAnswer, ProviderRequest } from '@pk/providers';
import { describe, expect, it } from 'vitest';
import { createRequestCache } from '../../src/cache/request-cache.js';
import { withRequestCacheLifetime } from '../../src/cache/request-cache-lifetime.js';
import { configIdentityOf } from '../../src/request-plan/config-identity.js';

// Feature suite, the rules only time can show (a cache entry expiring, a breaker's cooldown ending),
// proven in-process on the fake clock with the gateway's own cache and plan code; everything else
// about these features is driven through the built gateway process in the other files.
const request: ProviderRequest = {
  endpoint: 'chat.completions',
  body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is the capital of France?' }] },
};

function answer(id: string): ProviderAnswer {
  return {
    kind: 'json',
    provider: 'openai',
    status: 200,
    headers: {},
    warnings: [],
    usage: undefined,
    body: {
      id,
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: id } }],
    },
  };
}

describe('cache lifetimes on the fake clock', () => {
  it('x-portkey-cache-ttl: 120 beats the config’s max_age 3600: the entry serves for 120 s, then expires', async () => {
    const clock = createFakeClock();
    const store = createMemoryCacheStore<string>({ now: clock.now });
    const config = parseConfigOrThrow({
      cache: { mode: 'simple', max_age: 3600 },
      provider: 'openai',
      api_key: 'sk',
    });
    const { plan } = withRequestCacheLifetime(resolveConfig(config), { cacheTtl: 120 });
    let calls = 0;
    const attempt: AttemptFunction<ProviderRequest, ProviderAnswer, unknown> = async () => ({
      ok: true,
      value: answer(`answer-${++calls}`),
    });
    const ask = async (): Promise<PlanResult<ProviderAnswer, unknown>> => {
      const cache = createRequestCache({
        store,
        plan,
        endpoint: 'chat.completions',
        tenant: 'team-a',
        forceRefresh: false,
        streamed: false,
        onStoreFailure: () => {},
      });
      const result = await runPlan(plan, request, {
        attempt,
        sleep: clock.sleep,
        now: clock.now,
        random: () => 0,
        ...(cache ? { cache: cache.port } : {}),
      });
      // Let the (unawaited) cache write finish.
      await new Promise((resolve) => setImmediate(resolve));
      return result;
    };
    expect((await ask()).cacheStatus).toBe('MISS');
    await clock.advance(119_000);
    expect((await ask()).cacheStatus).toBe('HIT');
    await clock.advance(2_000);
    const expired = await ask();
    expect(expired.cacheStatus).toBe('MISS');
    expect(calls).toBe(2);
  });
});

describe('breaker cooldown on the fake clock', () => {
  it('an open target is skipped until cooldown_interval has passed, then tried again', async () => {
    const clock = createFakeClock({ startMs: 1_700_000_000_000 });
    const config = parseConfigOrThrow({
      strategy: { mode: 'fallback', cb_config: { failure_threshold: 1, cooldown_interval: 30_000 } },
      targets: [
        { provider: 'openai', api_key: 'sk-a' },
        { provider: 'openai', api_key: 'sk-b' },
      ],
    });
    const plan: ResolvedPlan = resolveConfig(
      config,
      {},
      {
        configId: configIdentityOf({ config, savedId: undefined, keyId: 'key-a', tenant: 'team-a' }),
      },
    );
    const scripted = createScriptedAttempt<string>(clock, {
      'config.targets[0]': [{ status: 500 }, { ok: 'A is back' }],
      'config.targets[1]': { ok: 'B' },
    });
    const breakers = createMemoryBreakerStore();
    const run = () =>
      runPlan(plan, request, {
        attempt: scripted.attempt,
        sleep: clock.sleep,
        now: clock.now,
        random: () => 0,
        breakers,
      });
    expect((await run()).path).toBe('config.targets[1]');
    await clock.advance(29_000);
    expect((await run()).path).toBe('config.targets[1]');
    await clock.advance(2_000);
    const reopened = await run();
    expect(reopened.path).toBe('config.targets[0]');
    expect(reopened.outcome).toMatchObject({ ok: true, value: 'A is back' });
    expect(scripted.calls.filter((call) => call.path === 'config.targets[0]')).toHaveLength(2);
  });
});
