import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '@pk/store';
import type { Redis } from 'ioredis';
import OpenAI from 'openai';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient } from '../../src/stores/redis-client.js';
import { type FeatureGateway, startFeatureGateway } from '../support/feature-gateway.js';
import { chatChunks } from '../support/provider-answers.js';
import { type ProviderMock, startProviderMock } from '../support/recording-provider-mock.js';
import { requireRedis } from '../support/services.js';
import { type EngineSetup, setUpEngine, temporaryDataDir } from '../support/store-fixtures.js';

// Feature suite: budgets across their monthly reset, with the gateway processes' clock (only theirs:
// a module preloaded into each) set a few seconds before a month's end. A stream admitted in one month
// that ends in the next is charged to the first; a restart (memory limits store, SQLite) or a Redis
// that lost the counters (two replicas, PostgreSQL) must show the new month as the running gateways
// did, not charge it the old month's stream.
const postgresUp = await (async () => {
  const { requirePostgres } = await import('@pk/store/testing');
  return requirePostgres('budgets across a reset on PostgreSQL');
})();
const redisUp = await requireRedis('budgets across a reset with Redis');
const ADMIN = 'pk-boundary-admin';
const USER = 'pk-boundary-user';
const dataDir = temporaryDataDir();
let mock: ProviderMock;

/**
 * A module that sets `Date.now()` and `new Date()` of the process it is preloaded into `offsetMs`
 * ahead of this process's clock; timers and the monotonic clock are untouched.
 */
function shiftedClock(name: string, offsetMs: number): string {
  const path = join(dataDir.path, `${name}.mjs`);
  writeFileSync(
    path,
    `const RealDate = globalThis.Date;
const offset = ${offsetMs};
class ShiftedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offset);
    else super(...args);
  }
  static now() {
    return RealDate.now() + offset;
  }
}
globalThis.Date = ShiftedDate;
`,
  );
  return path;
}

beforeAll(async () => {
  mock = await startProviderMock();
});
afterAll(async () => {
  await mock?.close();
  dataDir.remove();
});

const settings = () => ({
  gateway_keys: [
    { id: 'admin', key: ADMIN, role: 'admin' },
    { id: 'user', key: USER },
  ],
  virtual_keys: {
    monthly: {
      provider: 'openai',
      api_key: 'sk-boundary',
      options: { custom_host: `${mock.url}/v1` },
      usage_limits: { credit_limit: 100_000, type: 'tokens', periodic_reset: 'monthly' },
    },
  },
});

const clientOf = (gateway: FeatureGateway) =>
  new OpenAI({
    baseURL: gateway.base,
    apiKey: USER,
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-api-key': USER, 'x-portkey-virtual-key': 'monthly' },
  });

/** A stream through `gateway` that ends `pastMs` after `endMs` on the gateways' clock, its usage (21 tokens) last. */
async function streamAcross(gateway: FeatureGateway, model: string, gatewayNow: () => number, endMs: number) {
  const frames = chatChunks(model, { usage: true });
  mock.script(model, [
    { sse: frames, chunkDelayMs: Math.ceil((endMs + 1_500 - gatewayNow()) / frames.length) },
  ]);
  const stream = await clientOf(gateway).chat.completions.create({
    model,
    max_tokens: 50,
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'hi' }],
  });
  let usage: unknown;
  for await (const chunk of stream) usage ??= chunk.usage ?? undefined;
  expect(usage).toMatchObject({ total_tokens: 21 });
}

async function usageOf(gateway: FeatureGateway): Promise<Record<string, unknown>> {
  const key = (await new Portkey({ apiKey: ADMIN, baseURL: gateway.base }).virtualKeys.retrieve({
    slug: 'monthly',
  })) as unknown as { current_usage: Record<string, unknown> };
  return key.current_usage;
}

describe('a monthly budget across 2027-01-01 00:00 UTC, one process (memory store, SQLite)', () => {
  it('a stream admitted in December and ended in January is December’s, before and after a restart', async () => {
    const midnight = Date.parse('2027-01-01T00:00:00Z');
    // The gateway starts 8 s before midnight.
    const offset = midnight - 8_000 - Date.now();
    const gatewayNow = () => Date.now() + offset;
    const clock = shiftedClock('december', offset);
    const store = temporaryDataDir();
    const start = () =>
      startFeatureGateway({
        mock,
        settings: settings(),
        env: { PK_DATA_DIR: store.path, NODE_OPTIONS: `--import ${clock}` },
      });
    const first = await start();
    try {
      // Still December on the gateway's clock (its start took less than 7 s).
      expect(gatewayNow()).toBeLessThan(midnight - 1_000);
      expect(await usageOf(first)).toMatchObject({ period_start: '2026-12-01T00:00:00.000Z', tokens: 0 });
      await streamAcross(first, 'december-model', gatewayNow, midnight);
      expect(gatewayNow()).toBeGreaterThan(midnight);
      // The running gateway: January has spent nothing (the stream was held, and charged, in December).
      expect(await usageOf(first)).toMatchObject({
        period_start: '2027-01-01T00:00:00.000Z',
        period_end: '2027-02-01T00:00:00.000Z',
        tokens: 0,
      });
    } finally {
      // SIGTERM writes the last spend to the data store.
      first.process.child.kill('SIGTERM');
      await first.process.exited;
      await first.stop();
    }
    const second = await start();
    try {
      // Restarted, the budget's January is the same: December's stream is not spent again.
      expect(await usageOf(second)).toMatchObject({ period_start: '2027-01-01T00:00:00.000Z', tokens: 0 });
    } finally {
      await second.stop();
      store.remove();
    }
  }, 40_000);
});

describe.runIf(postgresUp && redisUp)(
  'a monthly budget across 2027-02-01 00:00 UTC, two replicas (Redis, PostgreSQL)',
  () => {
    let setup: EngineSetup;
    let redis: Redis;
    const prefix = `pk-test-boundary:${Date.now()}-${process.pid}:limits:`;
    beforeAll(async () => {
      setup = await setUpEngine('postgres');
      redis = createRedisClient('redis://127.0.0.1:6379', { commandTimeoutMs: 2000 });
      await once(redis, 'ready');
    }, 30_000);
    afterAll(async () => {
      await setup?.cleanup();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    });

    it('both replicas move to February together; counters Redis lost are seeded without January’s stream', async () => {
      const midnight = Date.parse('2027-02-01T00:00:00Z');
      // The replicas start 12 s before midnight (both on the same clock).
      const offset = midnight - 12_000 - Date.now();
      const gatewayNow = () => Date.now() + offset;
      const clock = shiftedClock('january', offset);
      const env = {
        ...setup.env,
        PK_LIMITS_STORE: 'redis',
        PK_LIMITS_KEY_PREFIX: prefix,
        PK_LIMITS_TIMEOUT_MS: '5000',
        NODE_OPTIONS: `--import ${clock}`,
      };
      const [a, b] = await Promise.all([
        startFeatureGateway({ mock, settings: settings(), env }),
        startFeatureGateway({ mock, settings: settings(), env }),
      ]);
      try {
        expect(gatewayNow()).toBeLessThan(midnight - 1_000);
        // Replica A streams from January into February; replica B answers in February.
        await streamAcross(a, 'january-model', gatewayNow, midnight);
        expect(gatewayNow()).toBeGreaterThan(midnight);
        await clientOf(b).chat.completions.create({
          model: 'february-model',
          max_tokens: 5,
          messages: [{ role: 'user', content: 'hi' }],
        });
        for (const replica of [a, b])
          await expect
            .poll(() => usageOf(replica))
            .toMatchObject({
              period_start: '2027-02-01T00:00:00.000Z',
              tokens: 21,
              requests: 1,
            });
        // Both requests' spend is in PostgreSQL (written within a second).
        const store = await openStore({ ...setup.storeOptions, serve: false });
        try {
          const rows = async () =>
            (await store.db.selectFrom('limit_spend').select(['day', 'tokens']).execute()) as {
              tokens: number;
            }[];
          const end = Date.now() + 5_000;
          while ((await rows()).reduce((sum, row) => sum + Number(row.tokens), 0) < 42 && Date.now() < end)
            await new Promise((resolve) => setTimeout(resolve, 50));
          expect((await rows()).reduce((sum, row) => sum + Number(row.tokens), 0)).toBe(42);
        } finally {
          await store.close();
        }
        // Redis loses the counters (a restart without persistence): February is seeded from the days,
        // and is what it was, 21 tokens, on either replica: not 42.
        const keys = await redis.keys(`${prefix}*`);
        expect(keys.length).toBeGreaterThan(0);
        await redis.del(...keys);
        for (const replica of [b, a])
          await expect
            .poll(() => usageOf(replica))
            .toMatchObject({
              period_start: '2027-02-01T00:00:00.000Z',
              tokens: 21,
              requests: 1,
            });
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
    }, 60_000);
  },
);
