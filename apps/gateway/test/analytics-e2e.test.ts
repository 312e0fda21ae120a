import { requirePostgres } from '@pk/store/testing';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { sdkError } from './support/admin-harness.js';
import { addMockIntegration, type SdkGateway, startSdkGateway } from './support/sdk-gateway.js';

// Portkey's analytics graphs and groups through the official portkey-ai SDK against the built
// gateway, on SQLite and on PostgreSQL: chats are made through the gateway (two models, two teams,
// two users, one provider error), then `portkey.analytics.graphs.*` and `.groups.*` answer Portkey's
// shapes with the figures of those requests, narrowed by Portkey's filters.
const postgresUp = await requirePostgres('analytics end to end on PostgreSQL');

interface Graph {
  summary: Record<string, number>;
  data_points: ({ timestamp: string } & Record<string, number>)[];
  object: string;
}

interface LogRecord {
  cost: number | null;
  latency_ms: number;
}

describe.each(['sqlite', 'postgres'] as const)('analytics end to end on %s', (engine) => {
  const run = engine === 'sqlite' || postgresUp;
  let running: SdkGateway;
  let upstream: MockOpenAI;
  let app: Portkey;
  let range: { time_of_generation_min: string; time_of_generation_max: string };
  let records: LogRecord[];

  beforeAll(async () => {
    if (!run) return;
    upstream = await startMockOpenAI({ record: true });
    // Records written every 50 ms rather than every second: the waits for them end sooner.
    running = await startSdkGateway(engine, { env: { PK_LOG_STORE_FLUSH_MS: '50' } });
    await addMockIntegration(running, upstream.url, 'sk-analytics-0123456789');
    const started = Date.now();
    const chats = [
      ['gpt-4o-mini', 'a', 'ada'],
      ['gpt-4o-mini', 'a', 'ada'],
      ['gpt-4o-mini', 'b', 'bob'],
      ['gpt-4.1', 'a', 'bob'],
      ['fail-503', 'b', 'ada'],
    ] as const;
    for (const [model, team, user] of chats) {
      const client = new Portkey({ apiKey: running.userKey, metadata: { team, _user: user }, maxRetries: 0 });
      await client.chat.completions
        .create({ model: `@openai-prod/${model}`, messages: [{ role: 'user', content: 'hi' }] })
        .catch(() => undefined);
    }
    range = {
      time_of_generation_min: new Date(started - 60_000).toISOString(),
      time_of_generation_max: new Date(Date.now() + 60_000).toISOString(),
    };
    // Every chat reached the provider (the failure too: the mock answered it 503).
    expect(upstream.received.map((request) => (request.body as { model?: string }).model)).toEqual(
      chats.map(([model]) => model),
    );
    app = new Portkey({ apiKey: running.userKey });
    records = await vi.waitFor(
      async () => {
        const response = await fetch(`${running.gateway.url}/v1/logs?limit=10`, {
          headers: { 'x-portkey-api-key': running.userKey },
        });
        const data = ((await response.json()) as { data: LogRecord[] }).data;
        expect(data).toHaveLength(5);
        return data;
      },
      { timeout: 5000, interval: 100 },
    );
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
    await upstream?.close();
  });

  it.runIf(run)(
    'graphs: requests, cost, tokens, errors, users and latency of the range, minute by minute',
    async () => {
      const requests = (await app.analytics.graphs.requests(range)) as unknown as Graph;
      expect(requests.object).toBe('analytics-graph');
      expect(requests.summary).toEqual({ total: 5 });
      // A 2-minute range has minute buckets, every one of them present (zeros where nothing happened).
      expect(requests.data_points.length).toBeGreaterThanOrEqual(2);
      expect(requests.data_points.reduce((sum, point) => sum + (point.total ?? 0), 0)).toBe(5);
      for (const point of requests.data_points) expect(Date.parse(point.timestamp) % 60_000).toBe(0);

      const cost = (await app.analytics.graphs.cost(range)) as unknown as Graph;
      const cents = records.reduce((sum, record) => sum + (record.cost ?? 0), 0) * 100;
      expect(cost.summary.total).toBeCloseTo(cents, 10);
      expect(cost.summary.avg).toBeCloseTo(cents / 5, 10);

      const tokens = (await app.analytics.graphs.tokens(range)) as unknown as Graph;
      // Four answers of 21 tokens each; the failure has none.
      expect(tokens.summary).toEqual({ total: 84, avg: 16.8 });

      expect(((await app.analytics.graphs.errors(range)) as unknown as Graph).summary).toEqual({ total: 1 });
      expect(((await app.analytics.graphs.errors_rate(range)) as unknown as Graph).summary).toEqual({
        rate: 20,
      });
      expect(((await app.analytics.graphs.users(range)) as unknown as Graph).summary).toEqual({ total: 2 });

      const latency = (await app.analytics.graphs.latency(range)) as unknown as Graph;
      const sorted = records.map((record) => record.latency_ms).sort((a, b) => a - b);
      expect(latency.summary.p50).toBe(sorted[2]);
      expect(latency.summary.p99).toBe(sorted[4]);
      expect(latency.summary.avg).toBeCloseTo(sorted.reduce((a, b) => a + b, 0) / 5, 1);

      const perUser = (await app.analytics.graphs.usersRequests(range)) as unknown as Graph;
      expect(perUser.summary).toEqual({ total: 5, unique: 2, avg: 2.5 });

      // The failure by status code: over the range, and in its bucket.
      const codes = (await app.analytics.graphs.errors_status_code(range)) as unknown as {
        summary: Record<string, number>;
        data_points: { status_code: number; count: number }[];
      };
      expect(codes).toMatchObject({
        summary: { total_errors: 1, unique_error_codes: 1 },
        data_points: [{ status_code: 503, count: 1 }],
        object: 'analytics-graph',
      });
      const stacks = (await app.analytics.graphs.errors_stack(range)) as unknown as {
        summary: Record<string, number>;
        data_points: { timestamp: string; stats: { response_status_code: number; count: number }[] }[];
      };
      expect(stacks.summary).toEqual({ total: 1 });
      expect(stacks.data_points.flatMap((point) => point.stats)).toEqual([
        { response_status_code: 503, count: 1 },
      ]);
      expect(stacks.data_points.length).toBe(requests.data_points.length);

      // No cache hits: the cache's latency graph has nothing to average.
      const cacheLatency = (await app.analytics.graphs.cache_latency(range)) as unknown as Graph;
      expect(cacheLatency.summary).toEqual({});
      expect(cacheLatency.data_points.every((point) => point.avg === 0)).toBe(true);

      const hits = (await app.analytics.graphs.cache_hit_rate(range)) as unknown as Graph;
      expect(hits.summary).toEqual({ total: 0, rate: 0 });
      expect(Object.keys(hits.data_points[0] ?? {})).toEqual([
        'timestamp',
        'simple_hits',
        'semantic_hits',
        'rate',
      ]);
    },
  );

  it.runIf(run)('filters narrow every graph: metadata, provider__model, status, virtual key', async () => {
    const total = async (filters: Record<string, unknown>) =>
      ((await app.analytics.graphs.requests({ ...range, ...filters } as never)) as unknown as Graph).summary
        .total;
    expect(await total({ metadata: JSON.stringify({ team: 'a' }) })).toBe(3);
    expect(await total({ metadata: JSON.stringify({ team: 'b', _user: 'ada' }) })).toBe(1);
    expect(await total({ ai_org_model: 'openai__gpt-4o-mini' })).toBe(3);
    expect(await total({ status_code: '503' })).toBe(1);
    expect(await total({ virtual_keys: 'openai-prod' })).toBe(5);
    expect(await total({ virtual_keys: 'nobody' })).toBe(0);
  });

  it.runIf(run)('groups: requests and cost per model, per user and per metadata value', async () => {
    const models = (await app.analytics.groups.aiModels(range)) as unknown as {
      total: number;
      data: { ai_model: string; requests: number }[];
    };
    expect(models.total).toBe(3);
    expect(models.data.map((row) => [row.ai_model, row.requests])).toEqual([
      ['gpt-4o-mini', 3],
      ['fail-503', 1],
      ['gpt-4.1', 1],
    ]);
    const users = (await app.analytics.groups.users({ ...range, page_size: 1 } as never)) as unknown as {
      total: number;
      data: { user: string; requests: number }[];
    };
    expect(users).toMatchObject({ object: 'list', total: 2, data: [{ user: 'ada', requests: 3 }] });
    const teams = (await app.analytics.groups.metadata('team', range)) as unknown as {
      data: { metadata_value: string; requests: number; avg_tokens: number }[];
    };
    expect(teams.data.map((row) => [row.metadata_value, row.requests, row.avg_tokens])).toEqual([
      ['a', 3, 21],
      ['b', 2, 10.5],
    ]);
    // Requests without the key are no group.
    expect(
      ((await app.analytics.groups.metadata('absent', range)) as unknown as { total: number }).total,
    ).toBe(0);
  });

  it.runIf(run)(
    'refuses what it cannot chart exactly, naming it; graphs pk does not draw stay 501',
    async () => {
      expect(await sdkError(app.analytics.graphs.requests({} as never))).toMatchObject({
        status: 400,
        message: expect.stringContaining('time_of_generation_min is required'),
      });
      expect(await sdkError(app.analytics.graphs.requests({ ...range, cost_min: 1 } as never))).toMatchObject(
        {
          status: 400,
          message: expect.stringContaining('ranges'),
        },
      );
      expect(
        await sdkError(app.analytics.graphs.requests({ ...range, api_key_ids: 'k' } as never)),
      ).toMatchObject({
        status: 400,
        message: expect.stringContaining('api_key_ids is not a filter pk charts by'),
      });
      expect(
        await sdkError(app.analytics.graphs.requests({ ...range, metadata: '{team' } as never)),
      ).toMatchObject({
        status: 400,
        message: expect.stringContaining('metadata must be a JSON object'),
      });
      expect(await sdkError(app.analytics.groups.workspaces(range))).toMatchObject({ status: 501 });
    },
  );
});
