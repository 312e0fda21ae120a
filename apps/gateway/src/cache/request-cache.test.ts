import type { PlanLeaf, ResolvedPlan } from '@pk/config';
import { createMemoryCacheStore } from '@pk/config/cache';
import type { ProviderAnswer } from '@pk/providers';
import { describe, expect, it } from 'vitest';
import { createRequestCache } from './request-cache.js';
import type { Embedder } from './semantic/embedder.js';
import { createSemanticCache } from './semantic/semantic-cache.js';

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
  cache: { mode: 'semantic', max_age: 60, shadow: false, threshold: 0.95 },
} as PlanLeaf;
const plan: ResolvedPlan = { root: leaf, config_id: 'cfg_test', warnings: [] };
const request = {
  endpoint: 'chat.completions' as const,
  body: { model: 'm', messages: [{ role: 'user', content: 'weather?' }] },
};

function answerWith(message: Record<string, unknown>): ProviderAnswer {
  return {
    kind: 'json',
    provider: 'openai',
    status: 200,
    headers: {},
    warnings: [],
    usage: undefined,
    body: {
      id: 'x',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [{ index: 0, message, finish_reason: 'stop' }],
    },
  };
}

function setUp(embed: Embedder = async () => Float32Array.from([1, 0])) {
  const semantic = createSemanticCache({ embed, maxEntries: 10 });
  const cache = createRequestCache({
    store: createMemoryCacheStore<string>(),
    plan,
    endpoint: 'chat.completions',
    tenant: 'anonymous',
    forceRefresh: false,
    streamed: false,
    semantic,
    onStoreFailure: () => {},
  });
  if (!cache) throw new Error('expected a cache');
  return { cache, semantic };
}

const { cache: _unused, ...withoutCache } = leaf;

describe('createRequestCache (semantic)', () => {
  it('indexes a plain answer after a semantic miss', async () => {
    const { cache, semantic } = setUp();
    const key = cache.port.key(leaf, request) as string;
    expect(await cache.port.store.get(key)).toBeUndefined();
    expect(cache.semanticStatus).toBe('SEMANTIC MISS');
    await cache.port.store.put(key, answerWith({ role: 'assistant', content: 'Sunny.' }), 60);
    expect(semantic.index.size).toBe(1);
  });

  it('an embedder that fails leaves a plain miss marked embeddingFailed, indexes nothing', async () => {
    const { cache, semantic } = setUp(async () => undefined);
    const key = cache.port.key(leaf, request) as string;
    expect(await cache.port.store.get(key)).toBeUndefined();
    expect(cache.embeddingFailed).toBe(true);
    expect(cache.semanticStatus).toBeUndefined();
    expect(cache.storeFailed).toBe(false);
    await cache.port.store.put(key, answerWith({ role: 'assistant', content: 'Sunny.' }), 60);
    expect(semantic.index.size).toBe(0);
  });

  it('a lookup the client abandoned is not an embedder failure', async () => {
    const { cache } = setUp(async () => undefined);
    const key = cache.port.key(leaf, request) as string;
    const controller = new AbortController();
    controller.abort();
    expect(await cache.port.store.get(key, { signal: controller.signal })).toBeUndefined();
    expect(cache.embeddingFailed).toBe(false);
  });

  it('never indexes an answer with tool calls (it is stored for exact hits only)', async () => {
    const { cache, semantic } = setUp();
    const key = cache.port.key(leaf, request) as string;
    await cache.port.store.get(key);
    const toolAnswer = answerWith({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{}' } }],
    });
    await cache.port.store.put(key, toolAnswer, 60);
    expect(semantic.index.size).toBe(0);
    expect(await cache.port.store.get(key)).toBeDefined();
  });

  it('never indexes an answer with a legacy function_call either', async () => {
    const { cache, semantic } = setUp();
    const key = cache.port.key(leaf, request) as string;
    await cache.port.store.get(key);
    const functionAnswer = answerWith({
      role: 'assistant',
      content: null,
      function_call: { name: 'weather', arguments: '{"city":"Paris"}' },
    });
    await cache.port.store.put(key, functionAnswer, 60);
    expect(semantic.index.size).toBe(0);
    expect(await cache.port.store.get(key)).toBeDefined();
  });

  it('is not created for endpoints that are not cached, or plans without cache', () => {
    const base = {
      store: createMemoryCacheStore<string>(),
      tenant: 'a',
      forceRefresh: false,
      streamed: false,
      onStoreFailure: () => {},
    };
    expect(createRequestCache({ ...base, plan, endpoint: 'passthrough' })).toBeUndefined();
    expect(
      createRequestCache({
        ...base,
        plan: { ...plan, root: withoutCache },
        endpoint: 'chat.completions',
      }),
    ).toBeUndefined();
  });
});

describe('createRequestCache (root cache)', () => {
  const { cache: _leafCache, ...bare } = leaf;
  const rootPlan: ResolvedPlan = {
    root: bare,
    config_id: 'cfg_test',
    warnings: [],
    cache: { mode: 'simple', max_age: 60, shadow: false, threshold: 0.95 },
  };

  it('keeps the answering path with the answer and gives it back on a hit', async () => {
    const cache = createRequestCache({
      store: createMemoryCacheStore<string>(),
      plan: rootPlan,
      endpoint: 'chat.completions',
      tenant: 'anonymous',
      forceRefresh: false,
      streamed: false,
      onStoreFailure: () => {},
    });
    const root = cache?.port.root;
    if (!root) throw new Error('expected a root cache');
    const key = root.key(rootPlan, request) as string;
    expect(await root.store.get(key)).toBeUndefined();
    await root.store.put(
      key,
      { value: answerWith({ role: 'assistant', content: 'Hi.' }), path: 'config.targets[1]' },
      60,
    );
    expect(await root.store.get(key)).toMatchObject({
      path: 'config.targets[1]',
      value: { kind: 'json', provider: 'openai' },
    });
  });

  it('is created for a plan whose only cache is at the root', () => {
    expect(
      createRequestCache({
        store: createMemoryCacheStore<string>(),
        plan: rootPlan,
        endpoint: 'embeddings',
        tenant: 'a',
        forceRefresh: false,
        streamed: false,
        onStoreFailure: () => {},
      }),
    ).toBeDefined();
  });
});

describe('what is never cached', () => {
  it('a streamed legacy completion (only chat streams are replayed), while the same request as JSON is', () => {
    const input = {
      store: createMemoryCacheStore<string>(),
      plan,
      endpoint: 'completions' as const,
      tenant: 'anonymous',
      forceRefresh: false,
      semantic: undefined,
      onStoreFailure: () => {},
    };
    expect(createRequestCache({ ...input, streamed: true })).toBeUndefined();
    expect(createRequestCache({ ...input, streamed: false })).toBeDefined();
  });
});
