import { type AttemptOutcome, type PlanLeaf, type ResolvedPlan, realTimePorts, runPlan } from '@pk/config';
import { createMemoryCacheStore } from '@pk/config/cache';
import type { ProviderAnswer, ProviderRequest } from '@pk/providers';
import { describe, expect, it } from 'vitest';
import { createCacheFlights } from './cache-flights.js';
import { createRequestCache } from './request-cache.js';

// The request cache's coalescing through the real engine: requests of one key share the leader's
// provider call when it gives an answer the cache stores, and only then.
const leaf = {
  kind: 'leaf',
  path: 'config',
  weight: 1,
  target: { provider: 'openai', virtual_key: 'vk' },
  override_params: {},
  retry: {
    attempts: 0,
    on_status_codes: [],
    use_retry_after_header: false,
    backoff: { initial_ms: 1000, factor: 2, max_ms: 1000, jitter: 'none' },
  },
} as PlanLeaf;
const simple = { mode: 'simple', max_age: 60, shadow: false, threshold: 0.95 } as const;
const plan: ResolvedPlan = { root: leaf, config_id: 'cfg_flights', warnings: [], cache: simple };
const request: ProviderRequest = {
  endpoint: 'chat.completions',
  body: { model: 'm', messages: [{ role: 'user', content: 'coalesce me' }] },
};

const completion = (id: string): ProviderAnswer => ({
  kind: 'json',
  provider: 'openai',
  status: 200,
  headers: {},
  warnings: [],
  usage: undefined,
  body: {
    id,
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content: id }, finish_reason: 'stop' }],
  },
});
const failure: AttemptOutcome<ProviderAnswer, Error> = { ok: false, status: 500, error: new Error('boom') };

/** A provider whose answers the test releases by hand, counting the calls it got. */
function controlledProvider() {
  const pending: ((outcome: AttemptOutcome<ProviderAnswer, Error>) => void)[] = [];
  return {
    calls: () => pending.length,
    answer: (index: number, outcome: AttemptOutcome<ProviderAnswer, Error>) => pending[index]?.(outcome),
    attempt: () =>
      new Promise<AttemptOutcome<ProviderAnswer, Error>>((resolve) => {
        pending.push(resolve);
      }),
  };
}

function setUp(options: { plan?: ResolvedPlan; streamed?: boolean; forceRefresh?: boolean } = {}) {
  const store = createMemoryCacheStore<string>();
  const flights = createCacheFlights();
  const provider = controlledProvider();
  const send = (
    streamed = options.streamed ?? false,
    signal?: AbortSignal,
    ownPlan = options.plan ?? plan,
  ) => {
    const cache = createRequestCache({
      store,
      plan: ownPlan,
      endpoint: 'chat.completions',
      tenant: 'team',
      forceRefresh: options.forceRefresh ?? false,
      streamed,
      flights,
      onStoreFailure: () => {},
    });
    if (!cache) throw new Error('expected a cache');
    return runPlan(ownPlan, request, {
      ...realTimePorts,
      attempt: provider.attempt,
      cache: cache.port,
      ...(signal ? { signal } : {}),
    }).finally(() => cache.release());
  };
  return { flights, provider, send };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
const idOf = (value: ProviderAnswer) => (value.kind === 'json' ? (value.body as { id: string }).id : '');

describe('request cache: identical misses in flight share one provider call', () => {
  it('waiters get the leader’s stored answer as a HIT; the provider is called once', async () => {
    const { flights, provider, send } = setUp();
    const leader = send();
    await tick();
    const waiters = [send(), send()];
    await tick();
    expect(provider.calls()).toBe(1);
    provider.answer(0, { ok: true, value: completion('c1') });
    const [first, ...others] = await Promise.all([leader, ...waiters]);
    expect(first?.cacheStatus).toBe('MISS');
    for (const other of others) {
      expect(other.cacheStatus).toBe('HIT');
      expect(other.outcome.ok && idOf(other.outcome.value)).toBe('c1');
    }
    expect(provider.calls()).toBe(1);
    expect(flights.size).toBe(0);
  });

  it('a leader that fails shares nothing: each waiter calls the provider itself', async () => {
    const { flights, provider, send } = setUp();
    const leader = send();
    await tick();
    const waiters = [send(), send()];
    await tick();
    provider.answer(0, failure);
    expect((await leader).outcome.ok).toBe(false);
    await tick();
    expect(provider.calls()).toBe(3);
    provider.answer(1, { ok: true, value: completion('c2') });
    provider.answer(2, { ok: true, value: completion('c3') });
    const results = await Promise.all(waiters);
    expect(results.map((result) => result.cacheStatus)).toEqual(['MISS', 'MISS']);
    expect(results.map((result) => result.outcome.ok)).toEqual([true, true]);
    expect(flights.size).toBe(0);
  });

  it('a leader whose client leaves frees its waiters, who call the provider themselves', async () => {
    const { flights, provider, send } = setUp();
    const leaving = new AbortController();
    const leader = send(false, leaving.signal);
    await tick();
    const waiter = send();
    await tick();
    leaving.abort(new Error('the client went away'));
    await expect(leader).rejects.toThrow();
    await tick();
    expect(provider.calls()).toBe(2);
    provider.answer(1, { ok: true, value: completion('c4') });
    expect((await waiter).cacheStatus).toBe('MISS');
    expect(flights.size).toBe(0);
  });

  it('a waiter whose client leaves stops waiting; the leader is not disturbed', async () => {
    const { flights, provider, send } = setUp();
    const leader = send();
    await tick();
    const leaving = new AbortController();
    const waiter = send(false, leaving.signal);
    await tick();
    leaving.abort(new Error('the client went away'));
    await expect(waiter).rejects.toThrow();
    provider.answer(0, { ok: true, value: completion('c5') });
    expect((await leader).cacheStatus).toBe('MISS');
    expect(provider.calls()).toBe(1);
    expect(flights.size).toBe(0);
  });

  it('a waiter waits no longer than its own request timeout, then calls the provider itself', async () => {
    // Timeouts are not part of the key: a leader without one and a waiter with 60 ms share it.
    const timed: ResolvedPlan = { ...plan, root: { ...leaf, request_timeout: 60 } };
    const { provider, send } = setUp();
    const leader = send();
    await tick();
    const waiter = send(false, undefined, timed);
    await tick();
    expect(provider.calls()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(provider.calls()).toBe(2);
    provider.answer(1, { ok: true, value: completion('c7') });
    provider.answer(0, { ok: true, value: completion('c6') });
    expect((await waiter).cacheStatus).toBe('MISS');
    await leader;
  });

  it('a streamed request neither waits nor leads', async () => {
    const { flights, provider, send } = setUp();
    const leader = send();
    await tick();
    const streamed = send(true);
    await tick();
    expect(provider.calls()).toBe(2);
    provider.answer(0, { ok: true, value: completion('c8') });
    provider.answer(1, { ok: true, value: completion('c9') });
    expect((await streamed).cacheStatus).toBe('MISS');
    await leader;
    expect(flights.size).toBe(0);
  });

  it('a force refresh neither waits nor leads', async () => {
    const { flights, provider, send } = setUp({ forceRefresh: true });
    const first = send();
    const second = send();
    await tick();
    expect(provider.calls()).toBe(2);
    expect(flights.size).toBe(0);
    provider.answer(0, { ok: true, value: completion('c10') });
    provider.answer(1, { ok: true, value: completion('c11') });
    expect((await Promise.all([first, second])).map((result) => result.cacheStatus)).toEqual([
      'REFRESH',
      'REFRESH',
    ]);
  });
});
