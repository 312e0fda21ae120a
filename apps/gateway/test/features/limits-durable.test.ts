import { once } from 'node:events';
import { openStore, type Store, utcDayOf } from '@pk/store';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import OpenAI from 'openai';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient } from '../../src/stores/redis-client.js';
import { sdkError } from '../support/admin-harness.js';
import { type FeatureGateway, startFeatureGateway } from '../support/feature-gateway.js';
import { type ProviderMock, startProviderMock } from '../support/recording-provider-mock.js';
import { requireRedis } from '../support/services.js';
import { type EngineSetup, setUpEngine } from '../support/store-fixtures.js';

// Feature suite: budgets are recovered from the data store's per-day spend (decision 0012), so a
// restart of a one-process gateway (memory limits store, SQLite) does not forget them, and a change
// of a budget's reset period (memory store on SQLite; Redis store on PostgreSQL) shows and enforces
// the new period's spend. Virtual keys are stored ones, created and changed through the portkey-ai
// SDK; requests go through the openai SDK to the recording provider mock (21 tokens per answer).
const postgresUp = await (async () => {
  const { requirePostgres } = await import('@pk/store/testing');
  return requirePostgres('durable budgets on PostgreSQL');
})();
const redisUp = await requireRedis('durable budgets with Redis');
const ADMIN = 'pk-durable-admin';
const USER = 'pk-durable-user';
const DAY = 86_400_000;
const settings = {
  gateway_keys: [
    { id: 'admin', key: ADMIN, role: 'admin' },
    { id: 'user', key: USER },
  ],
};
let mock: ProviderMock;

beforeAll(async () => {
  mock = await startProviderMock();
});
afterAll(async () => mock?.close());

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The UTC starts of the current month and week (Monday), written out here independently of the gateway. */
function periodStarts(nowMs: number): { month: number; week: number } {
  const now = new Date(nowMs);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return {
    month: Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1),
    week: today - ((now.getUTCDay() + 6) % 7) * DAY,
  };
}

const clientOf = (gateway: FeatureGateway, virtualKey: string) =>
  new OpenAI({
    baseURL: gateway.base,
    apiKey: USER,
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-api-key': USER, 'x-portkey-virtual-key': virtualKey },
  });
const adminOf = (gateway: FeatureGateway) => new Portkey({ apiKey: ADMIN, baseURL: gateway.base });

async function usageOf(gateway: FeatureGateway, slug: string): Promise<Record<string, unknown>> {
  // pk answers Portkey's `current_usage`, which the SDK's type does not declare.
  const key = (await adminOf(gateway).virtualKeys.retrieve({ slug })) as unknown as {
    status: string;
    current_usage: Record<string, unknown>;
  };
  return { status: key.status, ...key.current_usage };
}

/** Spend recorded on other days, as an earlier run of the gateway would have left it. */
async function recordEarlierSpend(
  setup: EngineSetup,
  subject: string,
  days: readonly { readonly atMs: number; readonly tokens: number }[],
): Promise<void> {
  const store = await openStore({ ...setup.storeOptions, serve: false });
  try {
    await store.db
      .insertInto('limit_spend')
      .values(
        days.map((day) => ({
          subject,
          day: utcDayOf(day.atMs),
          cost_micros: 0,
          tokens: day.tokens,
          requests: 1,
        })),
      )
      .execute();
  } finally {
    await store.close();
  }
}

/**
 * monthly → weekly → monthly on a key that spent 42 tokens today, with 1,000 tokens recorded the day
 * before the month began and 300 the day before the week began: each period shows (and counts) its
 * own days.
 */
async function togglePeriods(gateway: FeatureGateway, setup: EngineSetup): Promise<void> {
  const admin = adminOf(gateway);
  const created = await admin.virtualKeys.create({
    name: 'toggled budget',
    provider: 'openai',
    key: 'sk-durable-toggle',
    custom_host: `${mock.url}/v1`,
    usage_limits: { credit_limit: 100_000, type: 'tokens', periodic_reset: 'monthly' },
  });
  const slug = created.slug as string;
  const app = clientOf(gateway, slug);
  for (let index = 0; index < 2; index += 1)
    await app.chat.completions.create({
      model: 'toggle-model',
      max_tokens: 20,
      messages: [{ role: 'user', content: 'hi' }],
    });
  const starts = periodStarts(Date.now());
  const beforeMonth = { atMs: starts.month - DAY, tokens: 1000 };
  const beforeWeek = { atMs: starts.week - DAY, tokens: 300 };
  await recordEarlierSpend(setup, `vk:${created.id as string}`, [beforeMonth, beforeWeek]);
  const inPeriod = (start: number) =>
    42 +
    [beforeMonth, beforeWeek].filter((day) => day.atMs >= start).reduce((sum, day) => sum + day.tokens, 0);

  expect(
    await until(
      () => usageOf(gateway, slug),
      (usage) => usage.tokens === 42,
    ),
  ).toMatchObject({
    tokens: 42,
    requests: 2,
  });
  const weekly = { credit_limit: 100_000, type: 'tokens', periodic_reset: 'weekly' };
  await admin.virtualKeys.update({ slug, usage_limits: weekly });
  // The answer to the update comes after the new snapshot: a read right after it waits for the
  // new period's figures.
  const week = await usageOf(gateway, slug);
  expect(week).toMatchObject({
    period_start: new Date(starts.week).toISOString(),
    tokens: inPeriod(starts.week),
  });
  await admin.virtualKeys.update({
    slug,
    usage_limits: { credit_limit: 100_000, type: 'tokens', periodic_reset: 'monthly' },
  });
  const month = await usageOf(gateway, slug);
  expect(month).toMatchObject({
    period_start: new Date(starts.month).toISOString(),
    tokens: inPeriod(starts.month),
  });
  // Toggling the period does not re-open a used-up budget: with 105 tokens left in each period, a
  // request that may use its prompt's bound + 120 (~138) is refused before the provider; counted from
  // zero it would pass.
  await admin.virtualKeys.update({
    slug,
    usage_limits: { credit_limit: inPeriod(starts.month) + 105, type: 'tokens', periodic_reset: 'monthly' },
  });
  await admin.virtualKeys.update({
    slug,
    usage_limits: { credit_limit: inPeriod(starts.week) + 105, type: 'tokens', periodic_reset: 'weekly' },
  });
  await until(
    () => usageOf(gateway, slug),
    (usage) => usage.tokens === inPeriod(starts.week),
  );
  const sent = mock.forModel('toggle-model').length;
  const refused = await app.chat.completions
    .create({ model: 'toggle-model', max_tokens: 120, messages: [{ role: 'user', content: 'hi' }] })
    .catch((error: unknown) => error);
  expect(refused).toMatchObject({ status: 412, error: { code: 'PK_ERR_BUDGET_EXCEEDED' } });
  expect(mock.forModel('toggle-model')).toHaveLength(sent);
}

describe('budgets of one process (memory store, SQLite) survive a restart and a change of period', () => {
  let setup: EngineSetup;
  let gateway: FeatureGateway;
  beforeAll(async () => {
    setup = await setUpEngine('sqlite');
    gateway = await startFeatureGateway({ mock, settings, env: setup.env });
  });
  afterAll(async () => {
    await gateway?.stop();
    await setup?.cleanup();
  });

  it('a restart keeps what a key spent: current_usage still shows it, and a request that no longer fits is still refused', async () => {
    const admin = adminOf(gateway);
    const created = await admin.virtualKeys.create({
      name: 'oatok',
      provider: 'openai',
      key: 'sk-durable-restart',
      custom_host: `${mock.url}/v1`,
      usage_limits: { credit_limit: 160, type: 'tokens', periodic_reset: 'monthly' },
    });
    const slug = created.slug as string;
    const app = clientOf(gateway, slug);
    const ask = (maxTokens: number) =>
      app.chat.completions.create({
        model: 'restart-model',
        max_tokens: maxTokens,
        messages: [{ role: 'user', content: 'hi' }],
      });
    await ask(5);
    await ask(5);
    // 42 used: a request that may use its prompt's bound + 120 (~138) no longer fits in 160.
    await expect(ask(120)).rejects.toMatchObject({ status: 412 });
    expect(await usageOf(gateway, slug)).toMatchObject({ status: 'exhausted', tokens: 42, requests: 2 });

    // SIGTERM (a deploy), then the same data directory.
    gateway.process.child.kill('SIGTERM');
    await gateway.process.exited;
    await gateway.stop();
    gateway = await startFeatureGateway({ mock, settings, env: setup.env });

    expect(await usageOf(gateway, slug)).toMatchObject({ tracked: true, tokens: 42, requests: 2 });
    const sent = mock.forModel('restart-model').length;
    await expect(
      clientOf(gateway, slug).chat.completions.create({
        model: 'restart-model',
        max_tokens: 120,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    ).rejects.toMatchObject({ status: 412, error: { code: 'PK_ERR_BUDGET_EXCEEDED' } });
    expect(mock.forModel('restart-model')).toHaveLength(sent);
    expect(await usageOf(gateway, slug)).toMatchObject({ status: 'exhausted', tokens: 42 });
  });

  it('monthly → weekly → monthly shows this week’s, then this month’s spend, and toggling never re-opens a used-up budget', async () => {
    await togglePeriods(gateway, setup);
  });

  it('a budget added to a key that had only a rate limit counts what the key used this period', async () => {
    const admin = adminOf(gateway);
    const created = await admin.virtualKeys.create({
      name: 'rl3',
      provider: 'openai',
      key: 'sk-durable-rate',
      custom_host: `${mock.url}/v1`,
      rate_limits: [{ type: 'requests', unit: 'rpm', value: 100 }],
    });
    const slug = created.slug as string;
    const app = clientOf(gateway, slug);
    for (let index = 0; index < 3; index += 1)
      await app.chat.completions.create({
        model: 'gpt-4o-mini',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
      });
    const before = await until(
      () => usageOf(gateway, slug),
      (usage) => usage.requests === 3,
    );
    expect(before).toMatchObject({ tracked: true, tokens: 63, requests: 3 });
    expect(before.cost_usd).toBeGreaterThan(0);
    await admin.virtualKeys.update({
      slug,
      usage_limits: { credit_limit: 10, type: 'cost', periodic_reset: 'monthly' },
    });
    const after = await until(
      () => usageOf(gateway, slug),
      (usage) => usage.period_end !== null && usage.requests === 3,
    );
    expect(after).toMatchObject({ tokens: 63, requests: 3, cost_usd: before.cost_usd });
  });
});

/** Runs `statement` on the gateway's SQLite file through a connection of the test's own. */
async function onDatabase(
  setup: EngineSetup,
  statement: (db: Store['db']) => Promise<unknown>,
): Promise<unknown> {
  const store = await openStore({ ...setup.storeOptions, serve: false });
  try {
    return await statement(store.db);
  } finally {
    await store.close();
  }
}

describe('reset_usage when the data store refuses the spend ledger’s write (SQLite, memory limits store)', () => {
  let setup: EngineSetup;
  let gateway: FeatureGateway;
  beforeAll(async () => {
    setup = await setUpEngine('sqlite');
    gateway = await startFeatureGateway({ mock, settings, env: setup.env });
  }, 30_000);
  afterAll(async () => {
    await gateway?.stop();
    await setup?.cleanup();
  });

  it('answers 503 PK_ERR_STORE_UNAVAILABLE naming the data store, not the limits store, and resets once it is back', async () => {
    const admin = adminOf(gateway);
    const created = await admin.virtualKeys.create({
      name: 'reset while down',
      provider: 'openai',
      key: 'sk-durable-reset',
      custom_host: `${mock.url}/v1`,
      usage_limits: { credit_limit: 100_000, type: 'tokens', periodic_reset: 'monthly' },
    });
    const slug = created.slug as string;
    await clientOf(gateway, slug).chat.completions.create({
      model: 'gpt-4o-mini',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(
      await until(
        () => usageOf(gateway, slug),
        (usage) => usage.requests === 1,
      ),
    ).toMatchObject({ requests: 1, tokens: 21 });

    // The day's spend is in the ledger (written off the request path, within a second) ...
    const subject = `vk:${created.id as string}`;
    const rows = async () =>
      (await onDatabase(setup, (db) =>
        db.selectFrom('limit_spend').selectAll().where('subject', '=', subject).execute(),
      )) as unknown[];
    expect(await until(rows, (found) => found.length === 1)).toHaveLength(1);
    // ... and the data store refuses to delete it (as a full disk or a failing database would): the
    // key is read and the limits store's counters reset, then the ledger's write fails.
    await onDatabase(setup, (db) =>
      sql`create trigger refuse_spend_delete before delete on limit_spend
          begin select raise(abort, 'database or disk is full'); end`.execute(db),
    );
    // Portkey's SDK sends `reset_usage` as it is; its type does not declare it.
    const refused = await sdkError(admin.virtualKeys.update({ slug, reset_usage: true } as never));
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({
      error: {
        code: 'PK_ERR_STORE_UNAVAILABLE',
        message: expect.stringMatching(/^its usage was not reset: the data store is unavailable \(/),
      },
    });
    expect(refused.message).not.toContain('limits store is unavailable');

    await onDatabase(setup, (db) => sql`drop trigger refuse_spend_delete`.execute(db));
    await admin.virtualKeys.update({ slug, reset_usage: true } as never);
    expect(await usageOf(gateway, slug)).toMatchObject({ requests: 0, tokens: 0 });
  }, 30_000);
});

describe.runIf(postgresUp && redisUp)('a change of period with PostgreSQL and the Redis limits store', () => {
  let setup: EngineSetup;
  let gateway: FeatureGateway;
  let redis: Redis;
  const prefix = `pk-test-durable:${Date.now()}-${process.pid}:limits:`;
  beforeAll(async () => {
    setup = await setUpEngine('postgres');
    redis = createRedisClient('redis://127.0.0.1:6379', { commandTimeoutMs: 2000 });
    await once(redis, 'ready');
    gateway = await startFeatureGateway({
      mock,
      settings,
      env: {
        ...setup.env,
        PK_LIMITS_STORE: 'redis',
        PK_LIMITS_KEY_PREFIX: prefix,
        PK_LIMITS_TIMEOUT_MS: '5000',
      },
    });
  }, 30_000);
  afterAll(async () => {
    await gateway?.stop();
    await setup?.cleanup();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('monthly → weekly → monthly shows this week’s, then this month’s spend, and toggling never re-opens a used-up budget', async () => {
    await togglePeriods(gateway, setup);
  });
});
