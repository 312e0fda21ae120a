import { requirePostgres } from '@pk/store/testing';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { addMockIntegration, type SdkGateway, startSdkGateway } from './support/sdk-gateway.js';

// Portkey's analytics of what happened to requests, through the official portkey-ai SDK against the
// built gateway on SQLite and PostgreSQL: requests a retry or a fallback rescued
// (`graphs.requests_rescued`), the cache summary (`summary.cache`) and the feedback graphs
// (`graphs.feedbacks*`). The requests really go through fallback and retry configs to a mock
// provider that fails on purpose, a simple cache answers a repeat, and feedback is given with
// `portkey.feedback.create`; the figures are checked against the logs API's records.
const postgresUp = await requirePostgres('analytics of outcomes end to end on PostgreSQL');

interface Graph {
  summary: Record<string, number>;
  data_points: Record<string, unknown>[];
  object: string;
}

interface LogRecord {
  trace_id: string;
  model: string | null;
  status: number;
  retries: number | null;
  cache_status: string | null;
  latency_ms: number;
  attempts: { target_path: string; status: number }[];
}

const retry = (attempts: number) => ({
  attempts,
  on_status_codes: [502, 503],
  backoff: { initial_ms: 5, factor: 1 },
});

describe.each(['sqlite', 'postgres'] as const)('analytics of outcomes end to end on %s', (engine) => {
  const run = engine === 'sqlite' || postgresUp;
  let running: SdkGateway;
  let upstream: MockOpenAI;
  let app: Portkey;
  let range: { time_of_generation_min: string; time_of_generation_max: string };
  let records: LogRecord[];
  const runId = `${engine}-${Date.now()}`;

  beforeAll(async () => {
    if (!run) return;
    upstream = await startMockOpenAI({ record: true });
    // Records written every 50 ms rather than every second: the waits for them end sooner.
    running = await startSdkGateway(engine, { env: { PK_LOG_STORE_FLUSH_MS: '50' } });
    await addMockIntegration(running, upstream.url, 'sk-outcomes-0123456789');
    const started = Date.now();
    const target = (model: string, extra: Record<string, unknown> = {}) => ({
      provider: '@openai-prod',
      override_params: { model },
      ...extra,
    });
    // trace, config, team: what each request goes through.
    const requests: [string, Record<string, unknown>, string][] = [
      // Rescued by a fallback: the first target always fails.
      [
        'fallback',
        { strategy: { mode: 'fallback' }, targets: [target('fail-503'), target('gpt-4o-mini')] },
        'a',
      ],
      // Rescued by two retries of its only target.
      ['retried', { retry: retry(3), ...target(`flaky-2-503-${runId}`) }, 'a'],
      // Both: the fallback target answers after one retry.
      [
        'both',
        {
          strategy: { mode: 'fallback' },
          targets: [target('fail-502'), target(`flaky-1-502-${runId}`, { retry: retry(2) })],
        },
        'b',
      ],
      // Neither: answered at once; and not rescued: every retry fails.
      ['plain', { provider: '@openai-prod' }, 'b'],
      ['lost', { retry: retry(1), ...target('fail-503') }, 'b'],
      // The simple cache: a miss, then a hit of the same request.
      ['cached-1', { cache: { mode: 'simple' }, ...target('gpt-4o-mini') }, 'a'],
      ['cached-2', { cache: { mode: 'simple' }, ...target('gpt-4o-mini') }, 'a'],
    ];
    for (const [trace, config, team] of requests) {
      const client = new Portkey({
        apiKey: running.userKey,
        config,
        traceID: `${trace}-${runId}`,
        metadata: { team },
        maxRetries: 0,
      });
      await client.chat.completions
        .create({
          model: trace === 'plain' ? 'gpt-4.1' : 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'hi' }],
        })
        .catch(() => undefined);
    }
    range = {
      time_of_generation_min: new Date(started - 60_000).toISOString(),
      time_of_generation_max: new Date(Date.now() + 60_000).toISOString(),
    };
    app = new Portkey({ apiKey: running.userKey });
    records = await vi.waitFor(
      async () => {
        const response = await fetch(`${running.gateway.url}/v1/logs?limit=20`, {
          headers: { 'x-portkey-api-key': running.userKey },
        });
        const data = ((await response.json()) as { data: LogRecord[] }).data;
        expect(data).toHaveLength(requests.length);
        return data;
      },
      { timeout: 5000, interval: 100 },
    );
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
    await upstream?.close();
  });

  const recordOf = (trace: string): LogRecord => {
    const found = records.find((record) => record.trace_id === `${trace}-${runId}`);
    if (!found) throw new Error(`no record of ${trace}`);
    return found;
  };

  it.runIf(run)('counts the requests a retry or a fallback rescued, by retries taken', async () => {
    // What the provider saw: the fallback's two calls, three of the retried one, four of `both`.
    const models = upstream.received.map((request) => (request.body as { model: string }).model);
    expect(models.filter((model) => model === `flaky-2-503-${runId}`)).toHaveLength(3);
    expect(models.filter((model) => model === `flaky-1-502-${runId}`)).toHaveLength(2);
    // The log says the same: retries of the answering target, the attempts in order.
    expect(recordOf('retried')).toMatchObject({ status: 200, retries: 2 });
    expect(recordOf('both')).toMatchObject({ status: 200, retries: 1 });
    expect(recordOf('fallback').attempts.map((attempt) => attempt.status)).toEqual([503, 200]);
    expect(recordOf('lost').status).toBe(503);

    const rescued = (await app.analytics.graphs.requests_rescued(range)) as unknown as Graph;
    expect(rescued.object).toBe('analytics-graph');
    expect(rescued.summary).toEqual({ retry: 2, fallback: 2 });
    const points = rescued.data_points as {
      timestamp: string;
      retry: { retry_success_count: number; count: number }[];
      fallback: number;
    }[];
    // Minute buckets over the 2-minute range, each present.
    expect(points.length).toBeGreaterThanOrEqual(2);
    expect(points.reduce((sum, point) => sum + point.fallback, 0)).toBe(2);
    expect(
      points.flatMap((point) => point.retry).sort((a, b) => a.retry_success_count - b.retry_success_count),
    ).toEqual([
      { retry_success_count: 1, count: 1 },
      { retry_success_count: 2, count: 1 },
    ]);
    // Narrowed like every graph: team b's rescued request is `both`.
    const teamB = (await app.analytics.graphs.requests_rescued({
      ...range,
      metadata: JSON.stringify({ team: 'b' }),
    } as never)) as unknown as Graph;
    expect(teamB.summary).toEqual({ retry: 1, fallback: 1 });
  });

  it.runIf(run)('summarises the cache: hits, their latency, and how much faster they were', async () => {
    expect(recordOf('cached-1').cache_status).toBe('MISS');
    expect(recordOf('cached-2').cache_status).toBe('HIT');
    const summary = (await app.analytics.summary.cache(range)) as unknown as {
      summary: Record<string, number>;
      object: string;
    };
    const hit = recordOf('cached-2').latency_ms;
    const others = records.filter((record) => record.cache_status !== 'HIT');
    const otherAverage = others.reduce((sum, record) => sum + record.latency_ms, 0) / others.length;
    expect(summary.object).toBe('analytics-summary');
    expect(summary.summary.hits).toBe(1);
    expect(summary.summary.total_requests).toBe(records.length);
    expect(summary.summary.avg_latency).toBeCloseTo(hit, 1);
    expect(summary.summary.cache_speedup).toBeCloseTo(((otherAverage - hit) / otherAverage) * 100, 0);
    // Narrowed: team b made no cached request.
    const teamB = (await app.analytics.summary.cache({
      ...range,
      metadata: JSON.stringify({ team: 'b' }),
    } as never)) as unknown as { summary: Record<string, number> };
    expect(teamB.summary).toEqual({ hits: 0, avg_latency: 0, total_requests: 3, cache_speedup: 0 });
  });

  it.runIf(run)('graphs the feedback given on traces: totals, scores, weighted and per model', async () => {
    const user = new Portkey({ apiKey: running.userKey });
    const given: [string, number, number][] = [
      ['fallback', 8, 1],
      ['fallback', 4, 0.5],
      ['retried', -6, 1],
      ['plain', 10, 0.25],
      // A trace the log has no record of: counted until a filter asks for records.
      ['elsewhere', 2, 1],
    ];
    for (const [trace, value, weight] of given)
      await user.feedback.create({ traceID: `${trace}-${runId}`, value, weight });

    const totals = (await app.analytics.graphs.feedbacks(range)) as unknown as Graph;
    expect(totals.object).toBe('analytics-graph');
    expect(totals.summary).toEqual({ total: 5 });
    expect(totals.data_points.reduce((sum, point) => sum + Number(point.total), 0)).toBe(5);
    expect(Object.keys(totals.data_points[0] ?? {})).toEqual(['timestamp', 'total']);

    const scores = (await app.analytics.graphs.feedbacks_score(range)) as unknown as Graph;
    expect(scores).toMatchObject({
      summary: { total: 5 },
      data_points: [
        { score: -6, total: 1 },
        { score: 2, total: 1 },
        { score: 4, total: 1 },
        { score: 8, total: 1 },
        { score: 10, total: 1 },
      ],
    });

    // value × weight: 8, 2, −6, 2.5, 2 → 1.7.
    const weighted = (await app.analytics.graphs.feedbacks_weighted(range)) as unknown as Graph;
    expect(weighted.summary).toEqual({ avg: 1.7 });
    expect(weighted.data_points.some((point) => point.avg !== 0)).toBe(true);

    // Per model of each trace's requests (the `elsewhere` trace has none).
    const perModel = (await app.analytics.graphs.feedback_ai_models(range)) as unknown as Graph;
    const byModel = Object.fromEntries(
      (perModel.data_points as { ai_model: string; total: number; avg_weighted_feedback: number }[]).map(
        (point) => [point.ai_model, [point.total, point.avg_weighted_feedback]],
      ),
    );
    const expected = new Map<string, number[]>();
    for (const [trace, value, weight] of given.filter(([trace]) => trace !== 'elsewhere')) {
      const model = recordOf(trace).model as string;
      expected.set(model, [...(expected.get(model) ?? []), value * weight]);
    }
    expect(byModel).toEqual(
      Object.fromEntries(
        [...expected].map(([model, values]) => [
          model,
          [values.length, Number((values.reduce((a, b) => a + b, 0) / values.length).toFixed(2))],
        ]),
      ),
    );
    // The log's model is the one called: a target's `override_params.model` (`retried` called its
    // flaky model, `fallback` gpt-4o-mini), else the body's (`plain` asked for gpt-4.1).
    expect(Object.keys(byModel).sort()).toEqual([`flaky-2-503-${runId}`, 'gpt-4.1', 'gpt-4o-mini']);

    // Narrowed by the records of their traces: team a's are the fallback's and the retried one's.
    const teamA = (await app.analytics.graphs.feedbacks({
      ...range,
      metadata: JSON.stringify({ team: 'a' }),
    } as never)) as unknown as Graph;
    expect(teamA.summary).toEqual({ total: 3 });
    // An admin key's graph is every tenant's: the same five here.
    const admin = new Portkey({ apiKey: running.adminKey });
    const everyone = (await admin.analytics.graphs.feedbacks(range)) as unknown as Graph;
    expect(everyone.summary.total).toBe(5);
  });
});
