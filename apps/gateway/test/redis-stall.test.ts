import type { ChildProcess } from 'node:child_process';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { createRedisLimitStore } from '../src/limits/redis-limit-store.js';
import { createRedisClient } from '../src/stores/redis-client.js';
import { RedisStalledError } from '../src/stores/redis-stall-guard.js';
import { type GatewayProcess, startGateway } from './server-process.js';
import { textLine } from './support/output-lines.js';
import { hasRedisServerBinary, startRedisServer } from './support/redis-server.js';

// A Redis that hangs (SIGSTOP: connections stay open, nothing answers) rather than one that is down:
// after the first command times out the gateway stops asking it for a while, so the cache and the
// breakers take their down path at once instead of each request waiting for a command timeout.
// The test runs its own redis-server on a free port: the machine's shared Redis is never stopped.
const hasRedisServer = hasRedisServerBinary();
if (!hasRedisServer) {
  if (process.env.CI === 'true') throw new Error('redis-stall: the redis-server binary is missing (CI=true)');
  console.warn('redis-stall: skipped, no redis-server binary on PATH');
}

let upstream: MockOpenAI;
let server: ChildProcess | undefined;
let redisPort = 0;
let gateway: GatewayProcess | undefined;
const runId = `${Date.now()}-${process.pid}`;

beforeAll(async () => {
  if (!hasRedisServer) return;
  upstream = await startMockOpenAI({ record: true });
  const redis = await startRedisServer();
  server = redis.child;
  redisPort = redis.port;
  gateway = await startGateway({
    PK_CACHE_STORE: 'redis',
    PK_BREAKER_STORE: 'redis',
    PK_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
  });
});
afterAll(async () => {
  server?.kill('SIGKILL');
  gateway?.child.kill('SIGKILL');
  await upstream?.close();
});

/** One chat completion through the openai SDK, with the Redis cache and a breaker config. */
async function ask(content: string) {
  const client = new OpenAI({
    apiKey: 'sk-redis-stall',
    baseURL: `${gateway?.url}/v1`,
    maxRetries: 0,
    defaultHeaders: {
      'x-portkey-config': JSON.stringify({
        cache: { mode: 'simple', max_age: 3600 },
        strategy: { mode: 'fallback', cb_config: { failure_threshold: 2 } },
        targets: [{ provider: 'openai', api_key: 'sk-redis-stall', custom_host: `${upstream.url}/v1` }],
      }),
    },
  });
  const started = performance.now();
  const { data, response } = await client.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] })
    .withResponse();
  return {
    ms: performance.now() - started,
    text: data.choices[0]?.message.content,
    cacheStatus: response.headers.get('x-portkey-cache-status'),
    cacheError: response.headers.get('x-pk-cache-error'),
  };
}

describe.runIf(hasRedisServer)('a Redis that hangs', () => {
  it('costs one slow request, then each is served at once without the cache until Redis answers again', async () => {
    const question = `stall ${runId}`;
    expect((await ask(question)).cacheStatus).toBe('MISS');
    expect((await ask(question)).cacheStatus).toBe('HIT');

    server?.kill('SIGSTOP');
    onTestFinished(() => {
      server?.kill('SIGCONT');
    });
    const sentBefore = upstream.requests.get('/v1/chat/completions') ?? 0;
    // The first request waits for its commands' timeouts (cache 250 ms, breakers 200 ms).
    const first = await ask(question);
    expect(first).toMatchObject({ cacheStatus: 'DISABLED', cacheError: 'store-unavailable' });
    const next = [];
    for (let index = 0; index < 10; index += 1) next.push(await ask(question));
    for (const result of next) {
      expect(result).toMatchObject({ cacheStatus: 'DISABLED', cacheError: 'store-unavailable' });
      expect(result.text).toBeTruthy();
      expect(result.ms).toBeLessThan(50);
    }
    // Served by the provider, as with Redis down: 11 requests, 11 upstream calls.
    expect((upstream.requests.get('/v1/chat/completions') ?? 0) - sentBefore).toBe(11);

    server?.kill('SIGCONT');
    const deadline = Date.now() + 5000;
    let status: string | null = null;
    while (Date.now() < deadline) {
      status = (await ask(question)).cacheStatus;
      if (status === 'HIT') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe('HIT');
    await gateway?.waitForLine(textLine('serving without the cache'));
  }, 30_000);

  it('the limits store waits for one timeout, then fails at once (its on_store_failure answer) until Redis answers', async () => {
    const client = createRedisClient(`redis://127.0.0.1:${redisPort}`, { commandTimeoutMs: 300 });
    await new Promise((resolve) => client.once('ready', resolve));
    const store = createRedisLimitStore({ client, prefix: `pk-test-stall:${runId}:` });
    const hold = {
      subject: 'vk:stall',
      windows: [{ id: 'rpm', windowMs: 60_000, limit: 100, amount: 1 }],
      periodId: 'all',
      usageTtlMs: 0,
    };
    const timed = async (work: () => Promise<unknown>) => {
      const started = performance.now();
      const error = await work().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      return { error, ms: performance.now() - started };
    };
    try {
      expect((await store.admit([hold], 'r0', Date.now(), 60_000))[0]?.ok).toBe(true);
      server?.kill('SIGSTOP');
      const first = await timed(() => store.admit([hold], 'r1', Date.now(), 60_000));
      expect((first.error as Error).message).toBe('Command timed out');
      expect(first.ms).toBeGreaterThanOrEqual(290);
      for (let index = 0; index < 5; index += 1) {
        const next = await timed(() => store.admit([hold], `r${index + 2}`, Date.now(), 60_000));
        expect(next.error).toBeInstanceOf(RedisStalledError);
        expect(next.ms).toBeLessThan(20);
      }
      server?.kill('SIGCONT');
      // The pause (1 s) ends; the next admission is the probe, and Redis answers it.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await store.admit([hold], 'r9', Date.now(), 60_000))[0]?.ok).toBe(true);
    } finally {
      server?.kill('SIGCONT');
      client.disconnect();
    }
  });
});
