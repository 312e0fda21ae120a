import { once } from 'node:events';
import type { Redis } from 'ioredis';
import OpenAI from 'openai';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient } from '../../src/stores/redis-client.js';
import { type FeatureGateway, startFeatureGateway } from '../support/feature-gateway.js';
import { type ProviderMock, startProviderMock } from '../support/recording-provider-mock.js';
import { hasRedisServerBinary, type RedisServerProcess, startRedisServer } from '../support/redis-server.js';
import { type EngineSetup, setUpEngine } from '../support/store-fixtures.js';

// Feature suite: budgets on two replicas sharing PostgreSQL and a redis-server of the test's own (a
// free port, no persistence; restarted and paused here, never the machine's shared Redis). They hold
// when that Redis restarts and forgets every counter, when it pauses and settlements time out, and
// with a model priced only by the settings file's `prices:`. Keys are created with the portkey-ai
// SDK, requests sent with the openai SDK to the recording provider mock (21 tokens per answer).
const postgresUp = await (async () => {
  const { requirePostgres } = await import('@pk/store/testing');
  return requirePostgres('budgets on a Redis that restarts');
})();
const ADMIN = 'pk-mending-admin';
const USER = 'pk-mending-user';
/** $0.01 per token: a 21-token answer costs $0.21. `@pk/prices` does not know the model. */
const PRICED_MODEL = 'pk-settings-priced-model';
const settings = {
  gateway_keys: [
    { id: 'admin', key: ADMIN, role: 'admin' },
    { id: 'user', key: USER },
  ],
  prices: { openai: { [PRICED_MODEL]: { input: 10_000, output: 10_000 } } },
};

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 8000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(postgresUp && hasRedisServerBinary())(
  'budgets on two replicas sharing a Redis of their own',
  () => {
    let mock: ProviderMock;
    let setup: EngineSetup;
    let redisServer: RedisServerProcess;
    let redis: Redis;
    let gateways: FeatureGateway[] = [];
    beforeAll(async () => {
      mock = await startProviderMock();
      setup = await setUpEngine('postgres');
      redisServer = await startRedisServer();
      redis = createRedisClient(redisServer.url, { commandTimeoutMs: 5000 });
      await once(redis, 'ready');
      const env = {
        ...setup.env,
        PK_LIMITS_STORE: 'redis',
        PK_REDIS_URL: redisServer.url,
        PK_REPLICAS: '2',
      };
      // One after the other: the first migrates the database.
      gateways = [await startFeatureGateway({ mock, settings, env })];
      gateways.push(await startFeatureGateway({ mock, settings, env }));
    }, 60_000);
    afterAll(async () => {
      await Promise.all(gateways.map((gateway) => gateway.stop()));
      redis?.disconnect();
      redisServer?.child.kill('SIGKILL');
      await setup?.cleanup();
      await mock?.close();
    });

    const admin = () => new Portkey({ apiKey: ADMIN, baseURL: (gateways[0] as FeatureGateway).base });
    const clientOf = (gateway: FeatureGateway, virtualKey: string) =>
      new OpenAI({
        baseURL: gateway.base,
        apiKey: USER,
        maxRetries: 0,
        defaultHeaders: { 'x-portkey-api-key': USER, 'x-portkey-virtual-key': virtualKey },
      });
    async function createKey(usageLimits: Record<string, unknown>): Promise<{ slug: string; id: string }> {
      const created = await admin().virtualKeys.create({
        name: `mending ${Date.now()}`,
        provider: 'openai',
        key: 'sk-mending-upstream',
        custom_host: `${mock.url}/v1`,
        usage_limits: usageLimits,
      });
      // Both replicas see the new key within a second (their catalog snapshots).
      await sleep(1200);
      return { slug: created.slug as string, id: created.id as string };
    }
    async function usageOf(gateway: FeatureGateway, slug: string): Promise<Record<string, unknown>> {
      // pk answers Portkey's `current_usage`, which the SDK's type does not declare.
      const key = (await new Portkey({ apiKey: ADMIN, baseURL: gateway.base }).virtualKeys.retrieve({
        slug,
      })) as unknown as { status: string; current_usage: Record<string, unknown> };
      return { status: key.status, ...key.current_usage };
    }
    const ask = (gateway: FeatureGateway, slug: string, model: string, maxTokens = 5) =>
      clientOf(gateway, slug)
        .chat.completions.create({
          model,
          max_tokens: maxTokens,
          messages: [{ role: 'user', content: 'hi' }],
        })
        .then(
          () => 200,
          (error: { status?: number }) => error.status ?? 0,
        );

    it('a restart of Redis (no persistence) does not re-open an exhausted budget: its counters are seeded from limit_spend', async () => {
      const { slug } = await createKey({ credit_limit: 100, type: 'tokens' });
      const model = 'restart-model';
      let served = 0;
      let status = 200;
      for (; served < 20; served += 1) {
        status = await ask(gateways[served % 2] as FeatureGateway, slug, model);
        if (status !== 200) break;
      }
      expect(status).toBe(412);
      expect(served).toBeGreaterThan(0);
      expect(mock.forModel(model)).toHaveLength(served);
      // The data store has the spend within a second (each replica writes its own every second).
      await sleep(1500);

      redisServer.child.kill('SIGKILL');
      await once(redisServer.child, 'exit');
      redisServer = await startRedisServer({ port: redisServer.port });
      // Until the replicas have reconnected, the budget (on_store_failure: closed) answers 503.
      const answers: number[] = [];
      for (const [index] of Array.from({ length: 6 }).entries()) {
        const gateway = gateways[index % 2] as FeatureGateway;
        answers.push(
          await until(
            () => ask(gateway, slug, model),
            (answer) => answer !== 503,
          ),
        );
      }
      expect(answers).toEqual([412, 412, 412, 412, 412, 412]);
      expect(mock.forModel(model)).toHaveLength(served);
      expect(await usageOf(gateways[1] as FeatureGateway, slug)).toMatchObject({
        status: 'exhausted',
        tokens: served * 21,
        requests: served,
      });
    }, 60_000);

    it('after a restart of Redis the admin API reads a budget’s usage from limit_spend before any request seeds it', async () => {
      const { slug } = await createKey({ credit_limit: 100, type: 'tokens' });
      const model = 'read-after-restart-model';
      let served = 0;
      for (; served < 20; served += 1)
        if ((await ask(gateways[served % 2] as FeatureGateway, slug, model)) !== 200) break;
      expect(served).toBeGreaterThan(0);
      await sleep(1500);

      redisServer.child.kill('SIGKILL');
      await once(redisServer.child, 'exit');
      redisServer = await startRedisServer({ port: redisServer.port });
      // No request is sent: the first figures read once the replica is back come from the ledger.
      const usage = await until(
        () => usageOf(gateways[0] as FeatureGateway, slug),
        (figures) => figures.tracked === true,
      );
      expect(usage).toMatchObject({ tokens: served * 21, requests: served });
      // What is enforced is what was read: the next request is refused, nothing reaches the provider,
      // and the figures stay those of the ledger (a seeding is never counted twice).
      expect(await ask(gateways[1] as FeatureGateway, slug, model)).toBe(412);
      expect(mock.forModel(model)).toHaveLength(served);
      expect(await usageOf(gateways[0] as FeatureGateway, slug)).toMatchObject({
        status: 'exhausted',
        tokens: served * 21,
        requests: served,
      });
    }, 60_000);

    it('settlements that time out or are failed at once while Redis pauses are reconciled from limit_spend, their holds given back', async () => {
      const { slug, id } = await createKey({ credit_limit: 1000, type: 'tokens' });
      const gateway = gateways[0] as FeatureGateway;
      // Two requests whose answers come 1.5 s and 2.3 s later; Redis pauses from 1.2 s to 2.2 s: the
      // first settlement times out (500 ms), the second meets the pause that timeout starts (1 s).
      const first = ask(gateway, slug, 'slow-1500');
      const second = ask(gateway, slug, 'slow-2300');
      await sleep(1200);
      await redis.call('CLIENT', 'PAUSE', '1000', 'ALL');
      expect([await first, await second]).toEqual([200, 200]);
      const usage = await until(
        () => usageOf(gateways[1] as FeatureGateway, slug),
        (figures) => figures.requests === 2,
      );
      expect(usage).toMatchObject({ tokens: 42, requests: 2 });
      // Nothing stays held: the next requests have the whole remaining budget, not 10 minutes less.
      expect(
        await until(
          () => redis.hget(`pk:limits:{vk:${id}}:u:all`, 'held'),
          (held) => held === '0',
        ),
      ).toBe('0');
    }, 30_000);

    it('holds and settlements price a model with the settings’ prices: a $1 budget under 30 concurrent requests spends at most $1', async () => {
      const { slug } = await createKey({ credit_limit: 1, type: 'cost' });
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, index) =>
          ask(gateways[index % 2] as FeatureGateway, slug, PRICED_MODEL, 9),
        ),
      );
      const served = answers.filter((answer) => answer === 200).length;
      expect(served).toBeGreaterThan(0);
      expect(answers.filter((answer) => answer !== 200)).toEqual(Array(30 - served).fill(412));
      expect(mock.forModel(PRICED_MODEL)).toHaveLength(served);
      // 21 tokens at $0.01: $0.21 each, so at most 4 fit in $1 (without the settings' price, $0 each).
      expect(served).toBeLessThanOrEqual(4);
      const usage = await until(
        () => usageOf(gateways[0] as FeatureGateway, slug),
        (figures) => figures.requests === served,
      );
      expect(usage.cost_usd).toBeCloseTo(served * 0.21, 6);
    }, 30_000);
  },
);
