import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeInspectableBreakerStoreContract } from '@pk/config/testing';
import type { Redis } from 'ioredis';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { breakerStoreFromEnvironment } from '../src/stores/breaker-store-from-environment.js';
import { createRedisBreakerStore } from '../src/stores/redis-breaker-store.js';
import { createRedisClient } from '../src/stores/redis-client.js';
import { type GatewayProcess, startGateway } from './server-process.js';
import { closedPort } from './support/network-faults.js';
import { logLineWhere, writeMarkerLine } from './support/output-lines.js';
import {
  chatCompletion,
  type MockReply,
  type ProviderMock,
  startProviderMock,
} from './support/recording-provider-mock.js';
import { requireRedis } from './support/services.js';
import { temporaryDir } from './support/temporary-dir.js';

// The Redis breaker store against the real Redis on 127.0.0.1:6379: the engine's store contract,
// two gateway processes sharing an open breaker, and the fallback when Redis is unreachable.
const runs = await requireRedis('breaker-redis');
const runId = `${Date.now()}-${process.pid}`;
const prefix = `pk-test:${runId}:breaker:`;
let client: Redis;
let stores = 0;
/** Breaker keys the gateway processes created (default prefix), deleted at the end. */
const gatewayKeys: string[] = [];

beforeAll(async () => {
  if (!runs) return;
  client = createRedisClient('redis://127.0.0.1:6379', { commandTimeoutMs: 2000 });
  // No offline queue: commands sent before the connection is ready would fail.
  await new Promise((resolve) => client.once('ready', resolve));
});
afterAll(async () => {
  if (!runs) return;
  const keys = [...(await client.keys(`${prefix}*`)), ...gatewayKeys];
  if (keys.length > 0) await client.del(...keys);
  client.disconnect();
});

describe.runIf(runs)('Redis breaker store', () => {
  // Each store gets its own prefix: a fresh, empty store per contract test.
  describeInspectableBreakerStoreContract(
    'redis',
    () => {
      stores += 1;
      return createRedisBreakerStore(client, { prefix: `${prefix}${stores}:` });
    },
    { describe, it, expect },
  );

  it('keeps one breaker in one hash whose key carries a Cluster hash tag, with a TTL', async () => {
    const store = createRedisBreakerStore(client, { prefix: `${prefix}tag:` });
    await store.record('pc-1:targets[0]', {
      failed: true,
      nowMs: 1_000,
      rule: { failureThreshold: 1, minimumRequests: 5, cooldownMs: 30_000 },
    });
    const key = `${prefix}tag:{pc-1:targets[0]}`;
    expect(await client.hgetall(key)).toEqual({ f: '1', s: '0', c: '30000', w: '1000', u: '31000' });
    const ttl = await client.pttl(key);
    expect(ttl).toBeGreaterThan(60_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
  });
});

describe('Redis breaker store unreachable', () => {
  it('falls back to in-process state, keeps answering, and warns once per 10 s', async () => {
    const warnings: string[] = [];
    let now = 0;
    const chosen = breakerStoreFromEnvironment(
      { PK_BREAKER_STORE: 'redis', PK_REDIS_URL: `redis://127.0.0.1:${await closedPort()}` },
      (message) => warnings.push(message),
      () => now,
    );
    const rule = { failureThreshold: 3, minimumRequests: 5, cooldownMs: 30_000 };
    const started = performance.now();
    for (let index = 0; index < 3; index += 1) {
      await chosen.store.record('k', { failed: true, nowMs: 1_000 + index, rule });
    }
    expect((await chosen.store.read(['k'], 2_000))[0]?.open).toBe(true); // counted in-process
    expect(performance.now() - started).toBeLessThan(1_000); // failing fast, never queueing
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/circuit-breaker Redis unavailable/);
    now = 9_999;
    await chosen.store.read(['k'], 2_000);
    expect(warnings).toHaveLength(1);
    now = 10_001;
    await chosen.store.read(['k'], 2_000);
    expect(warnings).toHaveLength(2);
    await chosen.close();
  });
});

const APP_KEY = 'pk-breaker-redis-app-key';
const OPS_KEY = 'pk-breaker-redis-ops-key';

/** A settings file with an app key, an admin key, the virtual key `mock` at `upstreamUrl`, and `configs`. */
function writeSettings(upstreamUrl: string, configs: Record<string, unknown> = {}): string {
  const settingsPath = join(temporaryDir('pk-breaker-'), 'pk.json');
  writeFileSync(
    settingsPath,
    JSON.stringify({
      gateway_keys: [
        { id: 'app', key: APP_KEY },
        { id: 'ops', key: OPS_KEY, role: 'admin' },
      ],
      virtual_keys: {
        mock: { provider: 'openai', api_key: 'sk-breaker', options: { custom_host: `${upstreamUrl}/v1` } },
      },
      configs,
    }),
  );
  return settingsPath;
}

describe.runIf(runs)('two gateway processes', () => {
  let upstream: MockOpenAI;
  const gateways: GatewayProcess[] = [];
  beforeAll(async () => {
    upstream = await startMockOpenAI();
    const settingsPath = writeSettings(upstream.url, {
      [`pc-cb-${runId}`]: {
        strategy: {
          mode: 'fallback',
          cb_config: { failure_threshold: 2, cooldown_interval: 60_000, on_all_open: 'fail_fast' },
        },
        // The breaker key is the saved config's slug, unique per run: runs never share a breaker.
        targets: [{ virtual_key: 'mock', override_params: { user: `breaker-test-${runId}` } }],
      },
    });
    const env = { PK_BREAKER_STORE: 'redis', PK_REDIS_URL: 'redis://127.0.0.1:6379' };
    gateways.push(await startGateway(env, ['--settings', settingsPath]));
    gateways.push(await startGateway(env, ['--settings', settingsPath]));
  }, 30_000);
  afterAll(async () => {
    for (const gateway of gateways) gateway.child.kill('SIGKILL');
    await upstream?.close();
  });

  const ask = async (gateway: GatewayProcess | undefined, model: string) => {
    const response = await fetch(`${gateway?.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-portkey-api-key': APP_KEY,
        'x-portkey-config': `pc-cb-${runId}`,
      },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
    return { status: response.status, body: (await response.json()) as { error?: { code?: string } } };
  };

  it('see the same open breaker', async () => {
    const keysBefore = new Set(await client.keys('pk:breaker:*'));
    expect((await ask(gateways[1], 'gpt-4o-mini')).status).toBe(200);
    expect((await ask(gateways[0], 'fail-500')).status).toBe(500);
    expect((await ask(gateways[0], 'fail-500')).status).toBe(500); // the breaker opens here, in A
    const before = upstream.requests.get('/v1/chat/completions') ?? 0;
    const fromB = await ask(gateways[1], 'gpt-4o-mini');
    expect(fromB.status).toBe(503);
    expect(fromB.body.error?.code).toBe('PK_ERR_CIRCUIT_OPEN');
    expect(upstream.requests.get('/v1/chat/completions') ?? 0).toBe(before);
    const created = (await client.keys('pk:breaker:*')).filter((key) => !keysBefore.has(key));
    gatewayKeys.push(...created);
    expect(created).toHaveLength(1); // the one breaker, shared through Redis
  });

  it('list the breaker A opened on B, and B closes it for A', async () => {
    const admin = (gateway: GatewayProcess | undefined, path: string, method = 'GET') =>
      fetch(`${gateway?.url}/v1${path}`, { method, headers: { 'x-portkey-api-key': OPS_KEY } });
    const listed = (await (await admin(gateways[1], '/breakers?state=open')).json()) as {
      breaker_store: string;
      data: { id: string; state: string; failures: number; config: unknown; target: unknown }[];
    };
    expect(listed.breaker_store).toBe('redis');
    const ours = listed.data.filter((breaker) => breaker.id === `saved:app:pc-cb-${runId}:config.targets[0]`);
    expect(ours).toMatchObject([
      {
        state: 'open',
        failures: 2,
        config: { type: 'saved', slug: `pc-cb-${runId}` },
        target: { virtual_key: 'mock', provider: 'openai' },
      },
    ]);
    const closed = await admin(gateways[1], `/breakers/${encodeURIComponent(ours[0]?.id ?? '')}`, 'DELETE');
    expect(await closed.json()).toMatchObject({ state: 'closed', was_open: true });
    // A's next request reaches the provider again: the breaker it opened is closed for every replica.
    const before = upstream.requests.get('/v1/chat/completions') ?? 0;
    expect((await ask(gateways[0], 'gpt-4o-mini')).status).toBe(200);
    expect(upstream.requests.get('/v1/chat/completions') ?? 0).toBe(before + 1);
    const afterwards = (await (await admin(gateways[0], '/breakers')).json()) as { data: { id: string }[] };
    expect(afterwards.data.map((breaker) => breaker.id)).not.toContain(ours[0]?.id);
  });
});

describe.runIf(runs)('a half-open breaker shared by two gateway processes', () => {
  // Fallback [primary with a breaker, backup]; the test ends a cooldown by moving the breaker's
  // `u` (end of cooldown) into the past in Redis, since cooldown_interval is at least 30 s.
  const slug = `pc-probe-${runId}`;
  const primary = `probe-primary-${runId}`;
  const backup = `probe-backup-${runId}`;
  const redisKey = `pk:breaker:{saved:app:${slug}:config.targets[0]}`;
  let mock: ProviderMock;
  let primaryReply: MockReply = { status: 500, json: { error: { message: 'down' } } };
  const gateways: GatewayProcess[] = [];
  beforeAll(async () => {
    mock = await startProviderMock();
    mock.script(primary, () => primaryReply);
    const target = (model: string) => ({ virtual_key: 'mock', override_params: { model } });
    const settingsPath = writeSettings(mock.url, {
      [slug]: {
        strategy: { mode: 'fallback', cb_config: { failure_threshold: 1, cooldown_interval: 30_000 } },
        targets: [target(primary), target(backup)],
      },
    });
    gatewayKeys.push(redisKey);
    const env = { PK_BREAKER_STORE: 'redis', PK_REDIS_URL: 'redis://127.0.0.1:6379' };
    gateways.push(await startGateway(env, ['--settings', settingsPath]));
    gateways.push(await startGateway(env, ['--settings', settingsPath]));
  }, 30_000);
  afterAll(async () => {
    for (const gateway of gateways) gateway.child.kill('SIGKILL');
    await mock?.close();
  });

  const clients = () =>
    gateways.map(
      (gateway) =>
        new OpenAI({
          baseURL: `${gateway.url}/v1`,
          apiKey: 'unused',
          maxRetries: 0,
          defaultHeaders: { 'x-portkey-api-key': APP_KEY, 'x-portkey-config': slug },
        }),
    );
  /** `count` concurrent requests, spread over both processes: the option index that answered each. */
  const burst = async (count: number): Promise<(string | null)[]> => {
    const [a, b] = clients();
    return Promise.all(
      Array.from({ length: count }, async (_, index) => {
        const client = index % 2 === 0 ? a : b;
        const { response } = await client!.chat.completions
          .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
          .withResponse();
        return response.headers.get('x-portkey-last-used-option-index');
      }),
    );
  };
  const endCooldown = () => client.hset(redisKey, 'u', String(Date.now() - 1));
  it('let exactly one request probe the target after the cooldown; its failure reopens the breaker at once', async () => {
    expect(await burst(1)).toEqual(['config.targets[1]']); // the primary's 500 opens its breaker
    expect(mock.forModel(primary)).toHaveLength(1);
    await endCooldown();
    // The probe’s answer is slow (4 s, for a loaded machine), so every other request starts while it is under way.
    primaryReply = { status: 503, delayMs: 4_000, json: { error: { message: 'still down' } } };
    const backupBefore = mock.forModel(backup).length;
    const answered = burst(6);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Half-open, with the probe under way (field `p`: when it expires).
    expect(Number(await client.hget(redisKey, 'p'))).toBeGreaterThan(Date.now());
    expect(await answered).toEqual(Array(6).fill('config.targets[1]'));
    expect(mock.forModel(primary)).toHaveLength(2); // the one probe
    expect(mock.forModel(backup).length - backupBefore).toBe(6);
    // Reopened for a whole cooldown from the probe's failure: the next requests skip the primary.
    expect(Number(await client.hget(redisKey, 'u'))).toBeGreaterThan(Date.now() + 25_000);
    expect(await burst(4)).toEqual(Array(4).fill('config.targets[1]'));
    expect(mock.forModel(primary)).toHaveLength(2);
  }, 60_000);

  it('close the breaker on the probe’s success: the next requests reach the target again', async () => {
    await endCooldown();
    primaryReply = { json: chatCompletion(primary), delayMs: 4_000 };
    const backupBefore = mock.forModel(backup).length;
    const answered = await burst(6);
    expect(answered.filter((option) => option === 'config.targets[0]')).toHaveLength(1);
    expect(answered.filter((option) => option === 'config.targets[1]')).toHaveLength(5);
    expect(mock.forModel(primary)).toHaveLength(3);
    expect(mock.forModel(backup).length - backupBefore).toBe(5);
    expect(await client.hget(redisKey, 'u')).toBeNull();
    primaryReply = { json: chatCompletion(primary) };
    expect(await burst(4)).toEqual(Array(4).fill('config.targets[0]'));
    expect(mock.forModel(primary)).toHaveLength(7);
  }, 60_000);
});

describe('the breaker routes with Redis unreachable', () => {
  it('answer 503 naming the breaker store; requests are still served', async () => {
    const port = await closedPort();
    const upstreamDown = await startMockOpenAI();
    const settingsPath = writeSettings(upstreamDown.url);
    const gateway = await startGateway(
      { PK_BREAKER_STORE: 'redis', PK_REDIS_URL: `redis://127.0.0.1:${port}` },
      ['--settings', settingsPath],
    );
    try {
      for (const method of ['GET', 'DELETE']) {
        const path = method === 'GET' ? '/v1/breakers' : '/v1/breakers/saved%3Aapp%3Apc-x%3Aconfig';
        const response = await fetch(`${gateway.url}${path}`, {
          method,
          headers: { 'x-portkey-api-key': OPS_KEY },
        });
        expect(response.status).toBe(503);
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('PK_ERR_STORE_UNAVAILABLE');
        // What failed, not the Redis client's internals ("Stream isn't writeable and enableOfflineQueue …").
        expect(body.error.message).toBe(
          "the circuit-breaker store (Redis) is unavailable; requests are still served with this process's breakers",
        );
      }
      // The detail is in the server log (written in batches: it may take a moment).
      const isUnavailableLine = logLineWhere((line) => line.msg === 'circuit-breaker store unavailable');
      await gateway.waitForLines(isUnavailableLine, { count: 2 });
      await writeMarkerLine(gateway);
      const logged = gateway.lines().filter(isUnavailableLine) as {
        level?: number;
        err?: { message?: string };
      }[];
      expect(logged).toHaveLength(2);
      expect(logged[0]?.level).toBe(40);
      expect(logged[0]?.err?.message).toBeTruthy();
      const chat = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-portkey-api-key': APP_KEY,
          'x-portkey-config': JSON.stringify({
            strategy: { mode: 'fallback', cb_config: { failure_threshold: 2 } },
            targets: [{ virtual_key: 'mock' }],
          }),
        },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(chat.status).toBe(200);
    } finally {
      gateway.child.kill('SIGKILL');
      await upstreamDown.close();
    }
  }, 30_000);
});
