import { Redis } from 'ioredis';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FeatureGateway,
  portkeyHeadersOf,
  postJson,
  startFeatureGateway,
} from '../support/feature-gateway.js';
import { vectorWithSimilarity } from '../support/mock-embeddings.js';
import { type ProviderMock, startProviderMock } from '../support/recording-provider-mock.js';
import { redisAvailable } from '../support/services.js';

// Feature suite: every cache rule through the built gateway process (seed documents: the headers
// document's cache config, force refresh and namespace headers; the SDK guide's semantic cache;
// hosted Portkey's rules in the behaviour reference §5.2; the root-cache rule of decision 0005).
const KEYS = { a: 'pk-features-cache-a', b: 'pk-features-cache-b' };
const STORED = 'sk-features-cache-stored';
let mock: ProviderMock;
let gateway: FeatureGateway;
let question = 0;
/** A question no other test asks, so entries never leak between tests. */
const fresh = (prefix = 'cache question') => [{ role: 'user' as const, content: `${prefix} ${++question}` }];

const settings = (mockUrl: string) => ({
  gateway_keys: [
    { id: 'team-a', key: KEYS.a },
    { id: 'team-b', key: KEYS.b },
  ],
  virtual_keys: {
    'openai-a': { provider: 'openai', api_key: STORED, options: { custom_host: `${mockUrl}/v1` } },
    'anthropic-a': {
      provider: 'anthropic',
      api_key: 'sk-ant-features',
      options: { custom_host: `${mockUrl}/v1` },
    },
  },
  semantic_cache: { virtual_key: 'openai-a', model: 'text-embedding-3-small' },
});

beforeAll(async () => {
  mock = await startProviderMock();
  gateway = await startFeatureGateway({ mock, settings: settings(mock.url) });
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
  expect(gateway.process.output()).not.toContain(STORED);
});

const simple = { mode: 'simple', max_age: 3600 };

async function ask(options: {
  config: unknown;
  messages: unknown;
  key?: string;
  headers?: Record<string, string>;
  stream?: boolean;
  model?: string;
}) {
  const started = performance.now();
  const response = await postJson(
    `${gateway.base}/chat/completions`,
    {
      model: options.model ?? 'gpt-4o-mini',
      messages: options.messages,
      ...(options.stream ? { stream: true } : {}),
    },
    {
      'x-portkey-api-key': options.key ?? KEYS.a,
      'x-portkey-config': JSON.stringify(options.config),
      ...options.headers,
    },
  );
  return {
    ...response,
    ms: performance.now() - started,
    cacheStatus: response.headers.get('x-portkey-cache-status'),
    id: response.json.id,
  };
}
const upstreamCalls = () => mock.received.length;

describe('cache at the root of a config', () => {
  it('MISS then HIT (headers document: {"cache":{"mode":"simple"}}); the provider is called once', async () => {
    const messages = fresh();
    const before = upstreamCalls();
    const client = new Portkey({
      baseURL: gateway.base,
      apiKey: KEYS.a,
      config: { cache: { mode: 'simple' }, virtual_key: 'openai-a' },
    });
    const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const second = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(portkeyHeadersOf(first)['cache-status']).toBe('MISS');
    expect(portkeyHeadersOf(second)['cache-status']).toBe('HIT');
    expect(second.id).toBe(first.id);
    expect(upstreamCalls() - before).toBe(1);
    expect(mock.received.at(-1)?.body).toMatchObject({ model: 'gpt-4o-mini', messages });
  });

  it('[defect 2] a root cache hit never waits for failing upstreams: no upstream call, HIT, the stored path, 0 retries', async () => {
    const config = {
      cache: simple,
      strategy: { mode: 'fallback' },
      targets: [
        {
          virtual_key: 'openai-a',
          override_params: { model: 'fail-503' },
          retry: { attempts: 2, backoff: { initial_ms: 400 } },
        },
        { virtual_key: 'openai-a', override_params: { model: 'root-cache-backup' } },
      ],
    };
    const messages = fresh();
    const first = await ask({ config, messages });
    expect(first.status).toBe(200);
    expect(first.cacheStatus).toBe('MISS');
    expect(first.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[1]');
    expect(mock.forModel('fail-503').length).toBeGreaterThanOrEqual(3);
    const before = upstreamCalls();
    const second = await ask({ config, messages });
    expect(second.status).toBe(200);
    expect(upstreamCalls()).toBe(before);
    expect(second.ms).toBeLessThan(400);
    expect(second.id).toBe(first.id);
    expect({
      cache: second.cacheStatus,
      provider: second.headers.get('x-portkey-provider'),
      path: second.headers.get('x-portkey-last-used-option-index'),
      retries: second.headers.get('x-portkey-retry-attempt-count'),
    }).toEqual({ cache: 'HIT', provider: 'openai', path: 'config.targets[1]', retries: '0' });
  });

  it('a cache on a target below the root keeps per-target behaviour: earlier targets are still tried', async () => {
    const config = {
      strategy: { mode: 'fallback' },
      targets: [
        { virtual_key: 'openai-a', override_params: { model: 'fail-500' } },
        { virtual_key: 'openai-a', override_params: { model: 'leaf-cache-backup' }, cache: simple },
      ],
    };
    const messages = fresh();
    const failuresBefore = mock.forModel('fail-500').length;
    const first = await ask({ config, messages });
    const second = await ask({ config, messages });
    expect([first.cacheStatus, second.cacheStatus]).toEqual(['MISS', 'HIT']);
    expect(second.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[1]');
    expect(mock.forModel('fail-500').length - failuresBefore).toBe(2);
    expect(mock.forModel('leaf-cache-backup')).toHaveLength(1);
  });

  it('without a cache in the config the status is DISABLED and every request reaches the provider', async () => {
    const messages = fresh();
    const before = upstreamCalls();
    const first = await ask({ config: { virtual_key: 'openai-a' }, messages });
    const second = await ask({ config: { virtual_key: 'openai-a' }, messages });
    expect([first.cacheStatus, second.cacheStatus]).toEqual(['DISABLED', 'DISABLED']);
    expect(upstreamCalls() - before).toBe(2);
  });

  it('only 2xx answers are stored: an error is asked again', async () => {
    const config = { cache: simple, virtual_key: 'openai-a' };
    const messages = fresh();
    const before = mock.forModel('fail-429').length;
    const first = await ask({ config, messages, model: 'fail-429' });
    const second = await ask({ config, messages, model: 'fail-429' });
    expect([first.status, second.status]).toEqual([429, 429]);
    expect(mock.forModel('fail-429').length - before).toBe(2);
  });

  it('tenants never share an entry', async () => {
    const config = { cache: simple, virtual_key: 'openai-a' };
    const messages = fresh();
    const before = upstreamCalls();
    const teamA = await ask({ config, messages, key: KEYS.a });
    const teamB = await ask({ config, messages, key: KEYS.b });
    expect([teamA.cacheStatus, teamB.cacheStatus]).toEqual(['MISS', 'MISS']);
    expect(upstreamCalls() - before).toBe(2);
  });
});

describe('per-request cache headers', () => {
  const config = { cache: simple, virtual_key: 'openai-a' };

  it('x-portkey-cache-force-refresh: true skips the entry (REFRESH), calls the provider and stores the new answer', async () => {
    const messages = fresh();
    const first = await ask({ config, messages });
    const before = upstreamCalls();
    const refreshed = await ask({ config, messages, headers: { 'x-portkey-cache-force-refresh': 'true' } });
    const after = await ask({ config, messages });
    expect([first.cacheStatus, refreshed.cacheStatus, after.cacheStatus]).toEqual(['MISS', 'REFRESH', 'HIT']);
    expect(upstreamCalls() - before).toBe(1);
    expect(refreshed.id).not.toBe(first.id);
    expect(after.id).toBe(refreshed.id);
  });

  it('x-portkey-cache-namespace partitions the cache instead of the metadata', async () => {
    const messages = fresh();
    const before = upstreamCalls();
    const first = await ask({
      config,
      messages,
      headers: { 'x-portkey-cache-namespace': 'ns-1', 'x-portkey-metadata': '{"_user":"u1"}' },
    });
    const sameNamespace = await ask({
      config,
      messages,
      headers: { 'x-portkey-cache-namespace': 'ns-1', 'x-portkey-metadata': '{"_user":"u2"}' },
    });
    const otherNamespace = await ask({ config, messages, headers: { 'x-portkey-cache-namespace': 'ns-2' } });
    expect([first.cacheStatus, sameNamespace.cacheStatus, otherNamespace.cacheStatus]).toEqual([
      'MISS',
      'HIT',
      'MISS',
    ]);
    expect(upstreamCalls() - before).toBe(2);
  });

  it('without a namespace the metadata partitions the cache', async () => {
    const messages = fresh();
    const first = await ask({ config, messages, headers: { 'x-portkey-metadata': '{"_user":"u1"}' } });
    const same = await ask({ config, messages, headers: { 'x-portkey-metadata': '{"_user":"u1"}' } });
    const other = await ask({ config, messages, headers: { 'x-portkey-metadata': '{"_user":"u2"}' } });
    expect([first.cacheStatus, same.cacheStatus, other.cacheStatus]).toEqual(['MISS', 'HIT', 'MISS']);
  });

  it('[defect 9] an x-portkey-cache-ttl outside 60 s – 90 days is ignored with a warning', async () => {
    const response = await ask({ config, messages: fresh(), headers: { 'x-portkey-cache-ttl': '5' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-pk-warnings')).toContain('x-portkey-cache-ttl');
    expect(mock.received.at(-1)?.body).toMatchObject({ model: 'gpt-4o-mini' });
  });
});

describe('Portkey’s legacy x-portkey-cache header (no config needed)', () => {
  /** A chat naming its provider by virtual key, with `headers` and no config. */
  const askWithHeaders = async (
    messages: unknown,
    headers: Record<string, string>,
    model = 'gpt-4o-mini',
  ) => {
    const response = await postJson(
      `${gateway.base}/chat/completions`,
      { model, messages },
      { 'x-portkey-api-key': KEYS.a, 'x-portkey-virtual-key': 'openai-a', ...headers },
    );
    return { ...response, cacheStatus: response.headers.get('x-portkey-cache-status'), id: response.json.id };
  };

  it('the portkey-ai SDK’s cache option: MISS then HIT, the provider called once; cacheForceRefresh gives REFRESH', async () => {
    const messages = fresh('legacy header question');
    const before = upstreamCalls();
    const client = (cacheForceRefresh = false) =>
      new Portkey({
        baseURL: gateway.base,
        apiKey: KEYS.a,
        virtualKey: 'openai-a',
        cache: 'simple',
        cacheForceRefresh,
      });
    const first = await client().chat.completions.create({ model: 'gpt-4o-mini', messages });
    const second = await client().chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(portkeyHeadersOf(first)['cache-status']).toBe('MISS');
    expect(portkeyHeadersOf(second)['cache-status']).toBe('HIT');
    expect(second.id).toBe(first.id);
    expect(upstreamCalls() - before).toBe(1);
    expect(mock.received.at(-1)?.headers['x-portkey-cache']).toBeUndefined();
    const refreshed = await client(true).chat.completions.create({ model: 'gpt-4o-mini', messages });
    const after = await client().chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect([portkeyHeadersOf(refreshed)['cache-status'], portkeyHeadersOf(after)['cache-status']]).toEqual([
      'REFRESH',
      'HIT',
    ]);
    expect(refreshed.id).not.toBe(first.id);
    expect(after.id).toBe(refreshed.id);
    expect(upstreamCalls() - before).toBe(2);
  });

  it('raw HTTP: x-portkey-cache: true is simple; false and no header leave the cache off (DISABLED)', async () => {
    const messages = fresh('legacy header question');
    const before = upstreamCalls();
    const first = await askWithHeaders(messages, { 'x-portkey-cache': 'true' });
    const second = await askWithHeaders(messages, { 'x-portkey-cache': 'true' });
    expect([first.status, first.cacheStatus, second.cacheStatus]).toEqual([200, 'MISS', 'HIT']);
    expect(second.id).toBe(first.id);
    expect(second.headers.get('x-pk-warnings')).toBeNull();
    const off = await askWithHeaders(messages, { 'x-portkey-cache': 'false' });
    const none = await askWithHeaders(messages, {});
    expect([off.cacheStatus, none.cacheStatus]).toEqual(['DISABLED', 'DISABLED']);
    expect(upstreamCalls() - before).toBe(3);
  });

  it('x-portkey-cache: semantic is pk’s semantic cache: a similar prompt is a SEMANTIC HIT', async () => {
    mock.embeddings.set('Which city is the capital of Italy?', [0, 1, 0, 0]);
    mock.embeddings.set("Tell me Italy's capital", [0, 0.97, Math.sqrt(1 - 0.97 ** 2), 0]);
    const before = mock.forModel('gpt-4o-mini').length;
    const headers = { 'x-portkey-cache': 'semantic' };
    const first = await askWithHeaders(
      [{ role: 'user', content: 'Which city is the capital of Italy?' }],
      headers,
    );
    const second = await askWithHeaders([{ role: 'user', content: "Tell me Italy's capital" }], headers);
    expect([first.cacheStatus, second.cacheStatus]).toEqual(['SEMANTIC MISS', 'SEMANTIC HIT']);
    expect(second.id).toBe(first.id);
    expect(mock.forModel('gpt-4o-mini').length - before).toBe(1);
  });

  it('a config with a cache at its root wins over the header, and x-pk-warnings says so', async () => {
    const messages = fresh('legacy header question');
    const config = { cache: simple, virtual_key: 'openai-a' };
    const first = await ask({ config, messages, headers: { 'x-portkey-cache': 'semantic' } });
    const second = await ask({ config, messages, headers: { 'x-portkey-cache': 'semantic' } });
    // A semantic lookup would have answered SEMANTIC MISS: the config's simple cache ran.
    expect([first.cacheStatus, second.cacheStatus]).toEqual(['MISS', 'HIT']);
    expect(first.headers.get('x-pk-warnings')).toBe(
      "x-portkey-cache: ignored; the config's cache (mode simple) applies",
    );
    // A config without a cache takes the header's.
    const fromHeader = await ask({
      config: { virtual_key: 'openai-a' },
      messages: fresh('legacy header question'),
      headers: { 'x-portkey-cache': 'simple' },
    });
    expect(fromHeader.cacheStatus).toBe('MISS');
  });

  it('a mode Portkey does not have is a 400 naming the header; nothing reaches the provider', async () => {
    const before = upstreamCalls();
    const refused = await askWithHeaders(fresh('legacy header question'), { 'x-portkey-cache': 'exact' });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ code: 'PK_ERR_INVALID_HEADER', param: 'x-portkey-cache' });
    expect(upstreamCalls()).toBe(before);
  });

  it('x-portkey-retry-count and x-portkey-mode, which Portkey does not read, are not followed and are listed in x-pk-warnings', async () => {
    const before = mock.forModel('fail-503').length;
    const answer = await askWithHeaders(
      fresh('legacy header question'),
      { 'x-portkey-retry-count': '3', 'x-portkey-mode': 'proxy openai' },
      'fail-503',
    );
    expect(answer.status).toBe(503);
    expect(mock.forModel('fail-503').length - before).toBe(1);
    const warnings = answer.headers.get('x-pk-warnings') ?? '';
    expect(warnings).toContain('x-portkey-retry-count: ignored');
    expect(warnings).toContain('x-portkey-mode: ignored');
    const plain = await askWithHeaders(fresh('legacy header question'), {});
    expect(plain.headers.get('x-pk-warnings')).toBeNull();
  });
});

describe('streams and the cache', () => {
  const config = { cache: simple, virtual_key: 'openai-a' };
  const contentOf = (sse: string) =>
    [...sse.matchAll(/"content":"([^"]*)"/g)].map((match) => match[1]).join('');

  it('a streamed answer is stored after [DONE] and replayed as SSE, to streamed and plain requests', async () => {
    const messages = fresh();
    const before = upstreamCalls();
    const first = await ask({ config, messages, stream: true });
    expect(first.cacheStatus).toBe('MISS');
    expect(contentOf(first.text)).toBe('The capital of France is Paris.');
    // The entry is written once the stream has completed.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const streamed = await ask({ config, messages, stream: true });
    const plain = await ask({ config, messages });
    expect([streamed.cacheStatus, plain.cacheStatus]).toEqual(['HIT', 'HIT']);
    expect(streamed.headers.get('content-type')).toContain('text/event-stream');
    expect(contentOf(streamed.text)).toBe('The capital of France is Paris.');
    expect(streamed.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect((plain.json.choices as { message: { content: string } }[])[0]?.message.content).toBe(
      'The capital of France is Paris.',
    );
    expect(upstreamCalls() - before).toBe(1);
  });
});

describe('semantic cache (SDK guide)', () => {
  it('"Tell me France\'s capital" is answered from "What is the capital of France?"', async () => {
    mock.embeddings.set('What is the capital of France?', [1, 0, 0, 0]);
    mock.embeddings.set("Tell me France's capital", vectorWithSimilarity(0.97));
    const client = new Portkey({
      baseURL: gateway.base,
      apiKey: KEYS.a,
      config: { cache: { mode: 'semantic', max_age: 3600 }, virtual_key: 'openai-a' },
    });
    const before = mock.forModel('gpt-4o-mini').length;
    const first = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
    });
    const second = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: "Tell me France's capital" }],
    });
    expect(portkeyHeadersOf(first)['cache-status']).toBe('SEMANTIC MISS');
    expect(portkeyHeadersOf(second)['cache-status']).toBe('SEMANTIC HIT');
    expect(second.choices[0]?.message?.content).toBe(first.choices[0]?.message?.content);
    expect(mock.forModel('gpt-4o-mini').length - before).toBe(1);
    expect(mock.forModel('text-embedding-3-small').map((request) => request.body?.input)).toEqual(
      expect.arrayContaining(['What is the capital of France?', "Tell me France's capital"]),
    );
  });
});

describe('strict OpenAI compliance and the cache', () => {
  it('[defect 5] strict and non-strict answers are never served to each other', async () => {
    const config = { cache: simple, virtual_key: 'anthropic-a' };
    const messages = fresh('strict question');
    const before = upstreamCalls();
    const native = await ask({
      config,
      messages,
      model: 'claude-sonnet-4',
      headers: { 'x-portkey-strict-open-ai-compliance': 'false' },
    });
    const strict = await ask({ config, messages, model: 'claude-sonnet-4' });
    const choice = (response: typeof native) =>
      (response.json.choices as { message: Record<string, unknown> }[])[0]?.message ?? {};
    expect(choice(native).reasoning_content).toBe('France’s capital is Paris.');
    expect(strict.cacheStatus).toBe('MISS');
    expect(choice(strict).reasoning_content).toBeUndefined();
    expect(upstreamCalls() - before).toBe(2);
    expect(mock.received.at(-1)).toMatchObject({
      path: '/v1/messages',
      headers: { 'x-api-key': 'sk-ant-features' },
    });
  });
});

const redisUp = await redisAvailable();
if (!redisUp && process.env.CI === 'true')
  throw new Error('features/cache: Redis on 127.0.0.1:6379 is unreachable');

/** A gateway whose cache is in the local Redis, once it has connected to it. */
async function startRedisCachedGateway(): Promise<FeatureGateway> {
  const started = await startFeatureGateway({
    mock,
    settings: settings(mock.url),
    env: { PK_CACHE_STORE: 'redis', PK_REDIS_URL: 'redis://127.0.0.1:6379' },
  });
  // The gateway connects to Redis in the background: until then requests are served uncached.
  for (let tries = 0; tries < 50; tries += 1) {
    const warmUp = await postJson(
      `${started.base}/chat/completions`,
      { model: 'gpt-4o-mini', messages: fresh('redis warm-up') },
      {
        'x-portkey-api-key': KEYS.a,
        'x-portkey-config': JSON.stringify({ cache: simple, virtual_key: 'openai-a' }),
      },
    );
    if (warmUp.headers.get('x-portkey-cache-status') === 'MISS') break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return started;
}

describe.runIf(redisUp)('two replicas sharing one cache in Redis', () => {
  let replicas: FeatureGateway[] = [];
  beforeAll(async () => {
    replicas = await Promise.all([startRedisCachedGateway(), startRedisCachedGateway()]);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
  });

  // A replica keeps the parsed form of the entries it served; the store still decides every hit.
  it('repeated hits on one replica give the stored answer; after another replica refreshes it, the new one', async () => {
    const messages = fresh('replica question');
    const config = { cache: simple, virtual_key: 'openai-a' };
    const clientOf = (replica: FeatureGateway, cacheForceRefresh = false) =>
      new Portkey({ baseURL: replica.base, apiKey: KEYS.a, config, cacheForceRefresh });
    const [first, second] = replicas as [FeatureGateway, FeatureGateway];
    const ask = (client: Portkey) => client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const written = () => new Promise((resolve) => setTimeout(resolve, 50));
    const before = upstreamCalls();

    const stored = await ask(clientOf(first));
    await written();
    const hits = [await ask(clientOf(second)), await ask(clientOf(second)), await ask(clientOf(second))];
    const refreshed = await ask(clientOf(first, true));
    await written();
    const afterRefresh = await ask(clientOf(second));

    expect(portkeyHeadersOf(stored)['cache-status']).toBe('MISS');
    expect(hits.map((hit) => portkeyHeadersOf(hit)['cache-status'])).toEqual(['HIT', 'HIT', 'HIT']);
    expect(hits.map((hit) => hit.id)).toEqual([stored.id, stored.id, stored.id]);
    expect(hits[2]?.choices?.[0]?.message?.content).toBe(stored.choices?.[0]?.message?.content);
    expect(portkeyHeadersOf(refreshed)['cache-status']).toBe('REFRESH');
    expect(refreshed.id).not.toBe(stored.id);
    expect(portkeyHeadersOf(afterRefresh)['cache-status']).toBe('HIT');
    expect(afterRefresh.id).toBe(refreshed.id);
    expect(upstreamCalls() - before).toBe(2);
    expect(mock.received.at(-1)?.body).toMatchObject({ model: 'gpt-4o-mini', messages });
  });
});

describe.runIf(redisUp)('cache lifetimes, read back from Redis (PK_CACHE_STORE=redis)', () => {
  let redisGateway: FeatureGateway;
  let redis: Redis;
  beforeAll(async () => {
    redisGateway = await startRedisCachedGateway();
    redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
  });
  afterAll(async () => {
    await redisGateway?.stop();
    redis?.disconnect();
  });

  /** The remaining lifetime, in seconds, of the Redis entry that holds the answer `id`. */
  async function ttlOfEntryHolding(id: string): Promise<number | undefined> {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', 'pk:c:*', 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const value = await redis.get(key);
        if (value?.includes(`"${id}"`)) return (await redis.pttl(key)) / 1000;
      }
    } while (cursor !== '0');
    return undefined;
  }

  async function askRedis(config: unknown, headers: Record<string, string>) {
    const response = await postJson(
      `${redisGateway.base}/chat/completions`,
      { model: 'gpt-4o-mini', messages: fresh('redis ttl question') },
      { 'x-portkey-api-key': KEYS.a, 'x-portkey-config': JSON.stringify(config), ...headers },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-portkey-cache-status')).toBe('MISS');
    // The entry is written after the answer left.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return ttlOfEntryHolding(String(response.json.id));
  }

  it('config max_age (seconds) is the entry lifetime', async () => {
    const ttl = await askRedis({ cache: { mode: 'simple', max_age: 3600 }, virtual_key: 'openai-a' }, {});
    expect(ttl).toBeGreaterThan(3590);
    expect(ttl).toBeLessThanOrEqual(3600);
  });

  it('[defect 9] x-portkey-cache-ttl (seconds) sets the entry lifetime', async () => {
    const ttl = await askRedis(
      { cache: { mode: 'simple', max_age: 3600 }, virtual_key: 'openai-a' },
      { 'x-portkey-cache-ttl': '120' },
    );
    expect(ttl).toBeGreaterThan(110);
    expect(ttl).toBeLessThanOrEqual(120);
  });

  it('x-portkey-cache without a cache in the config: the 7-day default, or x-portkey-cache-ttl', async () => {
    const config = { virtual_key: 'openai-a' };
    const byDefault = await askRedis(config, { 'x-portkey-cache': 'simple' });
    expect(byDefault).toBeGreaterThan(604_790);
    expect(byDefault).toBeLessThanOrEqual(604_800);
    const withTtl = await askRedis(config, { 'x-portkey-cache': 'simple', 'x-portkey-cache-ttl': '120' });
    expect(withTtl).toBeGreaterThan(110);
    expect(withTtl).toBeLessThanOrEqual(120);
  });

  it('cache-control: max-age sets the lifetime when the config gives none', async () => {
    const ttl = await askRedis(
      { cache: { mode: 'simple' }, virtual_key: 'openai-a' },
      { 'cache-control': 'max-age=300' },
    );
    expect(ttl).toBeGreaterThan(290);
    expect(ttl).toBeLessThanOrEqual(300);
  });
});
