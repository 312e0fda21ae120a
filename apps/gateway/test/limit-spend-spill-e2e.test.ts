import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { textLine } from './support/output-lines.js';
import {
  type PostgresCluster,
  postgresClusterUnavailable,
  startPostgresCluster,
} from './support/postgres-cluster.js';
import { MOCK_ANSWER, type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';
import {
  freePort,
  hasRedisServerBinary,
  type RedisServerProcess,
  startRedisServer,
} from './support/redis-server.js';

// A replica on a PostgreSQL and a Redis of this test's own gets SIGTERM while PostgreSQL is down:
// the budget's spend it could not write to `limit_spend` (PostgreSQL's durable copy, what a Redis
// that lost its data reseeds from) goes to limit-spend-spill.jsonl beside the request log's spill
// file, and the next start adds it to `limit_spend` once. A start that finds the file again (a
// crash between the replay's commit and the file's removal) adds nothing twice. The machine's
// shared PostgreSQL and Redis are never touched.
const missing = hasRedisServerBinary() ? postgresClusterUnavailable() : 'no redis-server on PATH';
if (missing !== undefined) {
  if (process.env.CI === 'true')
    throw new Error(`limits' spend spill: ${missing} (CI=true makes this a failure)`);
  console.warn(`limits' spend spill: skipped, ${missing}`);
}

const KEY = 'pk-spend-spill-user';
const UPSTREAM_SECRET = 'sk-spend-spill-upstream-secret-51c2';

describe.runIf(missing === undefined)('limits’ spend across a SIGTERM with PostgreSQL down', () => {
  let mock: ProviderMock;
  let redis: RedisServerProcess;
  let cluster: PostgresCluster;
  let dataDir: string;
  const gateways: FeatureGateway[] = [];

  const start = async (): Promise<FeatureGateway> => {
    const gateway = await startFeatureGateway({
      mock,
      settings: {
        gateway_keys: [{ id: 'spend-spill-user', key: KEY }],
        virtual_keys: {
          'vk-budget': {
            provider: 'openai',
            api_key: UPSTREAM_SECRET,
            options: { custom_host: `${mock.url}/v1` },
            usage_limits: { credit_limit: 1000, periodic_reset: 'monthly' },
          },
        },
      },
      env: {
        PK_DATA_DIR: dataDir,
        PK_DATABASE_URL: cluster.url,
        PK_MASTER_KEY: 'env:PK_TEST_MASTER',
        PK_TEST_MASTER: Buffer.alloc(32, 5).toString('base64'),
        PK_REDIS_URL: redis.url,
        PK_LIMITS_STORE: 'redis',
      },
    });
    gateways.push(gateway);
    return gateway;
  };

  /** One answered request through the SDK on the budgeted virtual key. */
  const ask = async (gateway: FeatureGateway, content: string): Promise<void> => {
    const client = new Portkey({
      baseURL: gateway.base,
      apiKey: KEY,
      virtualKey: 'vk-budget',
      maxRetries: 0,
    });
    const answer = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content }],
    });
    expect(answer.choices?.[0]?.message?.content).toBe(MOCK_ANSWER);
  };

  /** `limit_spend`'s sums for the budget: requests and micro-USD. */
  const stored = async () => {
    const [row] = await cluster.query(
      "select coalesce(sum(requests), 0), coalesce(sum(cost_micros), 0) from limit_spend where subject = 'vk:vk-budget'",
    );
    return { requests: Number(row?.[0]), costMicros: Number(row?.[1]) };
  };

  const until = async (check: () => Promise<boolean>, what: string): Promise<void> => {
    const end = Date.now() + 15_000;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  beforeAll(async () => {
    mock = await startProviderMock();
    redis = await startRedisServer({ port: await freePort() });
    cluster = await startPostgresCluster(`pkspill${process.pid}`);
    dataDir = mkdtempSync(join(tmpdir(), 'pk-spend-spill-'));
  }, 120_000);
  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop().catch(() => undefined);
    redis?.child.kill('SIGKILL');
    await cluster?.drop();
    await mock?.close();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('spend not written at SIGTERM is kept in limit-spend-spill.jsonl and added to limit_spend once at the next start, not again at the one after', async () => {
    const first = await start();
    // Written while PostgreSQL is up: the spend per request, as the store has it.
    for (const index of [1, 2]) await ask(first, `before ${index}`);
    await until(async () => (await stored()).requests === 2, 'the first spend in limit_spend');
    const perRequest = (await stored()).costMicros / 2;
    expect(perRequest).toBeGreaterThan(0);

    await cluster.stop('fast');
    for (const index of [1, 2, 3, 4, 5]) await ask(first, `while down ${index}`);
    first.process.child.kill('SIGTERM');
    expect(await first.process.exited).toBe(0);
    const spillFile = join(dataDir, 'limit-spend-spill.jsonl');
    expect(first.process.output()).toContain(`limits' spend not written at close (5 requests, `);
    expect(first.process.output()).toContain(`kept in ${spillFile}, added to the store at the next start`);
    expect(first.process.output()).not.toContain(
      'budgets and rate limits stored in the database will not count it',
    );
    const text = readFileSync(spillFile, 'utf8');
    expect(statSync(spillFile).mode & 0o777).toBe(0o600);
    expect(text).not.toContain(UPSTREAM_SECRET);
    expect(text).not.toContain(KEY);
    const lines = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      {
        id: expect.any(String),
        subject: 'vk:vk-budget',
        day: Math.floor(Date.now() / 86_400_000),
        cost_micros: expect.any(Number),
        tokens: expect.any(Number),
        requests: 5,
      },
    ]);
    const spilled = lines[0] as { cost_micros: number };
    expect(Math.abs(spilled.cost_micros - perRequest * 5)).toBeLessThanOrEqual(2);
    const full = { requests: 7, costMicros: perRequest * 2 + spilled.cost_micros };
    const kept = join(dataDir, 'kept-spill.jsonl');
    copyFileSync(spillFile, kept);

    await cluster.start();
    const second = await start();
    await second.process.waitForLine(textLine(/limits' spend spill: 1 subject-day\(s\) added to the store/), {
      description: 'the spill added to limit_spend',
    });
    expect(second.process.output()).not.toContain('added already');
    expect(existsSync(spillFile)).toBe(false);
    expect(await stored()).toEqual(full);
    await second.stop();

    // The same file found again (a crash after the replay's commit, before its removal): nothing added.
    copyFileSync(kept, spillFile);
    const third = await start();
    await third.process.waitForLine(
      textLine(/limits' spend spill: 0 subject-day\(s\) added to the store, 1 added already/),
      { description: 'the spill found added already' },
    );
    expect(existsSync(spillFile)).toBe(false);
    expect(await stored()).toEqual(full);
  }, 120_000);
});
