import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureGateway } from './support/feature-gateway.js';
import { type LoggedGateway, startLoggedGateway } from './support/logged-gateway.js';
import { announcedMetricsUrl } from './support/metrics-url.js';
import { parsePrometheusText, sampleValue } from './support/prometheus-text.js';
import { openAIError } from './support/provider-answers.js';
import { chatCompletion, type ProviderMock } from './support/recording-provider-mock.js';

// Identical cache misses in flight at the same time share one provider call (request coalescing):
// through the built gateway, with the official `openai` client, against a provider mock that
// answers slowly; read back through the log API (GET /v1/logs).
const USER_KEY = 'pk-single-flight-user';
const ADMIN_KEY = 'pk-single-flight-admin';
const BURST = 10;
const config = JSON.stringify({ virtual_key: 'openai-a', cache: { mode: 'simple', max_age: 3600 } });

let harness: LoggedGateway;
let mock: ProviderMock;
let gateway: FeatureGateway;
let metricsUrl: string;

beforeAll(async () => {
  harness = await startLoggedGateway({
    user: { id: 'flight-user', key: USER_KEY },
    admin: { id: 'flight-admin', key: ADMIN_KEY },
    virtualKeys: (provider) => ({
      'openai-a': {
        provider: 'openai',
        api_key: 'sk-flight',
        options: { custom_host: `${provider.url}/v1` },
      },
    }),
    env: { PK_METRICS_PORT: '0' },
  });
  ({ mock, gateway } = harness);
  metricsUrl = announcedMetricsUrl(gateway.process.output());
}, 60_000);
afterAll(async () => {
  await harness?.stop();
});

type LogRecord = Record<string, unknown>;

/** Requests answered with a 2xx and this cache status, as `/metrics` counts them. */
async function answeredWith(cacheStatus: 'hit' | 'miss'): Promise<number> {
  const samples = parsePrometheusText(await (await fetch(metricsUrl)).text());
  return sampleValue(samples, 'pk_requests_total', { status_class: '2xx', cache_status: cacheStatus });
}

/** The stored records whose metadata names this burst, once `count` of them were written. */
async function recordsOf(burst: string, count: number): Promise<LogRecord[]> {
  const until = Date.now() + 10_000;
  for (;;) {
    const records =
      (await harness.adminGet<{ data?: LogRecord[] }>(`/logs?metadata.burst=${burst}&limit=50`)).data ?? [];
    if (records.length >= count || Date.now() > until) return records;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Fires the burst: one client per request, each with its own trace id and metadata, one cache key. */
function fire(burst: string, model: string) {
  return Promise.allSettled(
    Array.from({ length: BURST }, async (_, index) => {
      const traceId = `${burst}-${index}`;
      const client = new OpenAI({
        baseURL: gateway.base,
        apiKey: 'unused',
        maxRetries: 0,
        defaultHeaders: {
          'x-portkey-api-key': USER_KEY,
          'x-portkey-config': config,
          'x-portkey-trace-id': traceId,
          // The metadata differs per request: the namespace keeps them under one key.
          'x-portkey-cache-namespace': burst,
          'x-portkey-metadata': JSON.stringify({ burst, caller: String(index) }),
        },
      });
      const { data, response } = await client.chat.completions
        .create({ model, messages: [{ role: 'user', content: `What is popular in ${burst}?` }] })
        .withResponse();
      return { traceId, data, cacheStatus: response.headers.get('x-portkey-cache-status') };
    }),
  );
}

describe('identical cache misses in flight share one provider call', () => {
  it('10 identical requests at once: the provider is called once, 9 are HITs, 10 records', async () => {
    mock.script('herd-slow', (request) => ({ json: chatCompletion(request.model), delayMs: 300 }));
    const results = await fire('burst-ok', 'herd-slow');
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    const answers = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    expect(mock.forModel('herd-slow')).toHaveLength(1);
    // Every client got the same completion, the one the provider gave.
    expect(new Set(answers.map((answer) => answer.data.id)).size).toBe(1);
    expect(answers[0]?.data.choices[0]?.message.content).toBe('The capital of France is Paris.');
    expect(answers.map((answer) => answer.cacheStatus).sort()).toEqual([
      'HIT',
      'HIT',
      'HIT',
      'HIT',
      'HIT',
      'HIT',
      'HIT',
      'HIT',
      'HIT',
      'MISS',
    ]);
    // Each waiter has its own record: its trace id, its metadata, its cache status.
    const records = await recordsOf('burst-ok', BURST);
    expect(records).toHaveLength(BURST);
    // And counts as a cache hit in the metrics (nothing else was asked of this gateway yet).
    expect(await answeredWith('hit')).toBe(BURST - 1);
    expect(await answeredWith('miss')).toBe(1);
    const byTrace = new Map(records.map((record) => [record.trace_id, record]));
    for (const answer of answers) {
      const record = byTrace.get(answer.traceId) ?? {};
      expect(record.cache_status).toBe(answer.cacheStatus);
      expect(record.status).toBe(200);
      expect(record.metadata).toMatchObject({ burst: 'burst-ok', caller: answer.traceId.split('-').at(-1) });
    }
  });

  it('a leader answered 500 hands it to nobody: the others call the provider themselves', async () => {
    mock.script('herd-fails-first', (request, index) =>
      index === 0
        ? { status: 500, json: openAIError(500, 'The server had an error'), delayMs: 300 }
        : { json: chatCompletion(request.model), delayMs: 100 },
    );
    const results = await fire('burst-500', 'herd-fails-first');
    const failed = results.filter((result) => result.status === 'rejected');
    // Only the request whose own call failed got the 500.
    expect(failed).toHaveLength(1);
    expect((failed[0] as PromiseRejectedResult).reason).toMatchObject({ status: 500 });
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(BURST - 1);
    // After the failure the provider was asked again (each waiter on its own, or a new leader).
    expect(mock.forModel('herd-fails-first').length).toBeGreaterThan(1);
    expect(await recordsOf('burst-500', BURST)).toHaveLength(BURST);
  });

  it('the first request’s client leaves: its waiters are not cancelled, they call the provider themselves', async () => {
    mock.script('herd-leader-leaves', (request) => ({ json: chatCompletion(request.model), delayMs: 1000 }));
    const question = [{ role: 'user' as const, content: 'Who leaves first?' }];
    const headers = {
      'content-type': 'application/json',
      'x-portkey-api-key': USER_KEY,
      'x-portkey-config': config,
    };
    const leaving = new AbortController();
    const leader = fetch(`${gateway.base}/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: 'herd-leader-leaves', messages: question }),
      signal: leaving.signal,
    }).catch((error: unknown) => error);
    // The first request is at the provider (so it leads) before the others come.
    const until = Date.now() + 5000;
    while (mock.forModel('herd-leader-leaves').length === 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const client = new OpenAI({
      baseURL: gateway.base,
      apiKey: 'unused',
      maxRetries: 0,
      defaultHeaders: headers,
    });
    const waiters = Array.from({ length: 3 }, () =>
      client.chat.completions.create({ model: 'herd-leader-leaves', messages: question }).withResponse(),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    leaving.abort();
    expect(await leader).toBeInstanceOf(Error);
    const answered = await Promise.all(waiters);
    for (const { data } of answered)
      expect(data.choices[0]?.message.content).toBe('The capital of France is Paris.');
    // The provider was asked again after the first request left: its answer never came.
    expect(mock.forModel('herd-leader-leaves').length).toBeGreaterThan(1);
  });
});
