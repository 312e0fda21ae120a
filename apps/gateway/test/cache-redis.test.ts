import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeCacheStoreContract } from '@pk/config/testing';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { createHeaders } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { createRedisCacheStore } from '../src/cache/redis-cache-store.js';
import { createRedisClient } from '../src/stores/redis-client.js';
import { type GatewayProcess, startGateway } from './server-process.js';
import { startMockEmbeddings, vectorWithSimilarity } from './support/mock-embeddings.js';
import { textLine } from './support/output-lines.js';
import { startRedisServer } from './support/redis-server.js';
import { requireRedis } from './support/services.js';
import { temporaryDir } from './support/temporary-dir.js';

// The Redis cache store against the real Redis on 127.0.0.1:6379, and against a private
// redis-server that is stopped in the middle of a run.
const runs = await requireRedis('cache-redis');
let upstream: MockOpenAI;
const gateways: GatewayProcess[] = [];
const runId = `${Date.now()}-${process.pid}`;
beforeAll(async () => {
  upstream = await startMockOpenAI({ record: true });
});
/** What a test left in the shared Redis, removed once its gateways are gone. */
const cleanUps: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const gateway of gateways) gateway.child.kill('SIGKILL');
  await upstream?.close();
  for (const cleanUp of cleanUps) await cleanUp();
});

async function ask(gateway: GatewayProcess, messages: unknown, maxAge = 3600) {
  const started = performance.now();
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-portkey-provider': 'openai',
      authorization: 'Bearer sk-redis-cache',
      'x-portkey-custom-host': `${upstream.url}/v1`,
      'x-portkey-config': JSON.stringify({ cache: { mode: 'simple', max_age: maxAge } }),
    },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages }),
  });
  await response.text();
  return {
    status: response.status,
    cacheStatus: response.headers.get('x-portkey-cache-status'),
    cacheError: response.headers.get('x-pk-cache-error'),
    ms: performance.now() - started,
  };
}

if (runs) {
  // The store contract on the shared Redis, each test under its own key prefix (deleted at the end).
  let contractStores = 0;
  const contractPrefix = `pk-test:${runId}:cache-contract:`;
  let contractClient: Redis | undefined;
  cleanUps.push(async () => {
    if (contractClient === undefined) return;
    const keys = await contractClient.keys(`${contractPrefix}*`);
    if (keys.length > 0) await contractClient.del(...keys);
    contractClient.disconnect();
  });
  describeCacheStoreContract(
    'redis cache store',
    async () => {
      if (contractClient === undefined) {
        contractClient = createRedisClient('redis://127.0.0.1:6379', { commandTimeoutMs: 2000 });
        const client = contractClient;
        await new Promise((resolve) => client.once('ready', resolve));
      }
      const store = createRedisCacheStore(contractClient);
      const prefix = `${contractPrefix}${contractStores++}:`;
      return {
        get: (key, options) => store.get(prefix + key, options),
        put: (key, value, ttlSeconds) => store.put(prefix + key, value, ttlSeconds),
      };
    },
    { describe, it, expect },
  );
}

describe.runIf(runs)('Redis cache store', () => {
  it('two gateway processes share entries; the entry expires through a Redis TTL', async () => {
    const first = await startGateway({ PK_CACHE_STORE: 'redis', PK_REDIS_URL: 'redis://127.0.0.1:6379' });
    const second = await startGateway({ PK_CACHE_STORE: 'redis', PK_REDIS_URL: 'redis://127.0.0.1:6379' });
    gateways.push(first, second);
    const redis = new Redis('redis://127.0.0.1:6379');
    try {
      const before = new Set(await redis.keys('pk:c:*'));
      const messages = [{ role: 'user', content: `shared across replicas ${runId}` }];
      expect((await ask(first, messages, 120)).cacheStatus).toBe('MISS');
      const calls = upstream.received.length;
      expect((await ask(second, messages, 120)).cacheStatus).toBe('HIT');
      expect(upstream.received.length).toBe(calls);
      const created = (await redis.keys('pk:c:*')).filter((key) => !before.has(key));
      expect(created).toHaveLength(1);
      const pttl = await redis.pttl(created[0] ?? '');
      expect(pttl).toBeGreaterThan(120_000 - 2000);
      expect(pttl).toBeLessThanOrEqual(120_000);
      await redis.del(...created);
      // A config without max_age takes the request's cache-control: max-age (hosted Portkey).
      const beforeControl = new Set(await redis.keys('pk:c:*'));
      const response = await fetch(`${first.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-portkey-provider': 'openai',
          authorization: 'Bearer sk-redis-cache',
          'x-portkey-custom-host': `${upstream.url}/v1`,
          'x-portkey-config': JSON.stringify({ cache: { mode: 'simple' } }),
          'cache-control': 'max-age=300',
        },
        body: JSON.stringify({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: `cache-control ${runId}` }],
        }),
      });
      await response.text();
      const fromControl = (await redis.keys('pk:c:*')).filter((key) => !beforeControl.has(key));
      expect(fromControl).toHaveLength(1);
      const controlTtl = await redis.pttl(fromControl[0] ?? '');
      expect(controlTtl).toBeGreaterThan(300_000 - 2000);
      expect(controlTtl).toBeLessThanOrEqual(300_000);
      await redis.del(...fromControl);
    } finally {
      redis.disconnect();
    }
  });

  it('with its Redis stopped mid-run, 100 requests all answer 200 at once (DISABLED + x-pk-cache-error)', async () => {
    const { child: server, port } = await startRedisServer();
    try {
      const gateway = await startGateway({
        PK_CACHE_STORE: 'redis',
        PK_REDIS_URL: `redis://127.0.0.1:${port}`,
      });
      gateways.push(gateway);
      const results = [];
      for (let index = 0; index < 100; index += 1) {
        if (index === 50) {
          server.kill('SIGKILL');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        results.push(await ask(gateway, [{ role: 'user', content: `private redis ${runId} ${index % 10}` }]));
      }
      expect(results.every((result) => result.status === 200)).toBe(true);
      const before = results.slice(0, 50);
      const after = results.slice(51);
      expect(before.some((result) => result.cacheStatus === 'HIT')).toBe(true);
      expect(
        after.every(
          (result) => result.cacheStatus === 'DISABLED' && result.cacheError === 'store-unavailable',
        ),
      ).toBe(true);
      const p99 = (values: number[]) =>
        values.sort((left, right) => left - right)[Math.floor(values.length * 0.99) - 1] ?? 0;
      const added = p99(after.map((result) => result.ms)) - p99(before.map((result) => result.ms));
      expect(added).toBeLessThan(50);
      await gateway.waitForLine(textLine('serving without the cache'));
    } finally {
      server.kill('SIGKILL');
    }
  });

  // Three gateway processes, one after another (each start is a second or more on a loaded machine).
  it('semantic entries stored by one replica are found by another within a second, and reloaded at start; every key under PK_REDIS_KEY_PREFIX', async () => {
    const original = `Which river flows through Paris? ${runId}`;
    const similar = `Name the river of Paris ${runId}`;
    const embeddings = await startMockEmbeddings(
      new Map([
        [original, vectorWithSimilarity(1)],
        [similar, vectorWithSimilarity(0.98)],
      ]),
    );
    try {
      const dir = temporaryDir('pk-semantic-');
      const settingsPath = join(dir, 'settings.json');
      writeFileSync(
        settingsPath,
        JSON.stringify({
          virtual_keys: {
            chat: {
              provider: 'openai',
              api_key: 'sk-chat',
              options: { custom_host: `${upstream.url}/v1` },
              rate_limits: [{ type: 'requests', unit: 'rpm', value: 1000 }],
            },
            embedder: {
              provider: 'openai',
              api_key: 'sk-embed',
              options: { custom_host: `${embeddings.url}/v1` },
            },
          },
          semantic_cache: { virtual_key: 'embedder', model: 'text-embedding-3-small', retention_seconds: 60 },
        }),
      );
      // Cache, vectors, breakers and limits all in Redis, under this run's own prefix.
      const prefix = `pk-test:${runId}:`;
      const env = {
        PK_CACHE_STORE: 'redis',
        PK_BREAKER_STORE: 'redis',
        PK_LIMITS_STORE: 'redis',
        PK_REDIS_URL: 'redis://127.0.0.1:6379',
        PK_REDIS_KEY_PREFIX: prefix,
        PK_SETTINGS: settingsPath,
      };
      /** A chat through `gateway` with the `openai` SDK and portkey-ai's headers for `config`. */
      const chatThrough = (
        gateway: GatewayProcess,
        config: Record<string, unknown>,
        model: string,
        text: string,
      ) =>
        new OpenAI({
          apiKey: 'unused',
          baseURL: `${gateway.url}/v1`,
          defaultHeaders: createHeaders({ config }),
          maxRetries: 0,
        }).chat.completions
          .create({ model, messages: [{ role: 'user', content: text }] })
          .withResponse();
      const semanticAsk = async (gateway: GatewayProcess, text: string) => {
        const { data, response } = await chatThrough(
          gateway,
          { virtual_key: 'chat', cache: { mode: 'semantic', max_age: 120 } },
          'gpt-4o-mini',
          text,
        );
        expect(data.choices[0]?.message.content).toBe('The capital of France is Paris.');
        return response.headers.get('x-portkey-cache-status');
      };
      const redis = new Redis('redis://127.0.0.1:6379');
      const unprefixedBefore = new Set(await redis.keys('pk:*'));
      cleanUps.push(async () => {
        const created = await redis.keys(`${prefix}*`);
        if (created.length > 0) await redis.del(...created);
        await redis.quit();
      });
      const first = await startGateway(env);
      const second = await startGateway(env);
      gateways.push(first, second);
      expect(await semanticAsk(first, original)).toBe('SEMANTIC MISS');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await semanticAsk(second, similar)).toBe('SEMANTIC HIT');
      const third = await startGateway(env);
      gateways.push(third);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await semanticAsk(third, similar)).toBe('SEMANTIC HIT');
      // A target that fails counts against its breaker, in Redis too.
      const breakerConfig = {
        strategy: { mode: 'fallback', cb_config: { failure_threshold: 5, cooldown_interval: 60_000 } },
        targets: [{ virtual_key: 'chat' }],
      };
      const failing = await chatThrough(first, breakerConfig, 'fail-500', 'hi').catch(
        (error: unknown) => error,
      );
      expect(failing).toBeInstanceOf(OpenAI.APIError);
      expect((failing as InstanceType<typeof OpenAI.APIError>).status).toBe(500);
      // The upstream was asked twice with the chat key (the first miss, the failing request): hits never reach it.
      expect(
        upstream.received.filter((request) => request.headers.authorization === 'Bearer sk-chat'),
      ).toHaveLength(2);
      const kinds = new Set(
        (await redis.keys(`${prefix}*`)).map((key) => key.slice(prefix.length).split(/[:{]/)[0]),
      );
      expect([...kinds].sort()).toEqual(['breaker', 'c', 'limits', 'sv']);
      const unprefixed = (await redis.keys('pk:*')).filter((key) => !unprefixedBefore.has(key));
      expect(unprefixed).toEqual([]);
    } finally {
      await embeddings.close();
    }
  }, 60_000);
});
