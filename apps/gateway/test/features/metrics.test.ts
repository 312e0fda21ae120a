import { cost } from '@pk/prices';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, rejectionOf, startFeatureGateway } from '../support/feature-gateway.js';
import { announcedMetricsUrl } from '../support/metrics-url.js';
import { logLineWhere, textLine } from '../support/output-lines.js';
import {
  parsePrometheusText,
  requestSeriesCount,
  type Sample,
  sampleValue,
} from '../support/prometheus-text.js';
import { chatChunks, chatCompletion } from '../support/provider-answers.js';
import { type ProviderMock, startProviderMock } from '../support/recording-provider-mock.js';

// Feature suite: Prometheus metrics (issue 19; gateway README "Metrics"), through the built gateway
// process and the official SDK: `/metrics` alone on PK_METRICS_PORT, or on the main port for a key
// with the `metrics` scope; counters and histograms move by what the requests did; labels stay bounded.
const USER_KEY = 'pk-metrics-user';
const SCRAPER_KEY = 'pk-metrics-scraper';
const ADMIN_KEY = 'pk-metrics-admin';
const STORED = 'sk-metrics-stored';
let mock: ProviderMock;
let gateway: FeatureGateway;
let metricsUrl: string;
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];

beforeAll(async () => {
  mock = await startProviderMock();
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [
        { id: 'team-metrics', key: USER_KEY },
        { id: 'prometheus', key: SCRAPER_KEY, scopes: ['metrics'] },
        { id: 'ops', key: ADMIN_KEY, role: 'admin' },
      ],
      virtual_keys: {
        'openai-a': { provider: 'openai', api_key: STORED, options: { custom_host: `${mock.url}/v1` } },
      },
    },
    env: { PK_METRICS_PORT: '0' },
  });
  metricsUrl = announcedMetricsUrl(gateway.process.output());
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
  for (const secret of [USER_KEY, SCRAPER_KEY, ADMIN_KEY, STORED])
    expect(gateway.process.output()).not.toContain(secret);
});

async function scrape(): Promise<Sample[]> {
  const response = await fetch(metricsUrl);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return parsePrometheusText(await response.text());
}

const isRequestLine = logLineWhere((line) => line.msg === 'request');

/** Waits for `count` more request lines than the `since` written before: metrics are counted at the same moment. */
async function settled(count: number, since: number): Promise<void> {
  await gateway.process.waitForLines(isRequestLine, { count: since + count });
}
const requestLines = () => gateway.logLines().filter(isRequestLine).length;

const portkey = (options: Record<string, unknown> = {}) =>
  new Portkey({ baseURL: gateway.base, apiKey: USER_KEY, virtualKey: 'openai-a', maxRetries: 0, ...options });

describe('counters and histograms move by what the requests did', () => {
  it('chat completions, a stream and a fallback', async () => {
    const before = await scrape();
    const lines = requestLines();
    for (let index = 0; index < 3; index += 1) {
      const completion = await portkey().chat.completions.create({ model: 'gpt-4o-mini', messages });
      expect(completion.choices[0]?.message?.content).toContain('Paris');
    }
    const stream = await portkey().chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _chunk of stream) {
      // drained
    }
    const config = {
      strategy: { mode: 'fallback' },
      targets: [
        { virtual_key: 'openai-a', override_params: { model: 'fail-503' } },
        { virtual_key: 'openai-a', override_params: { model: 'gpt-4o-mini' } },
      ],
    };
    const fallback = await new Portkey({
      baseURL: gateway.base,
      apiKey: USER_KEY,
      config,
      maxRetries: 0,
    }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
    });
    expect(fallback.choices[0]?.message?.content).toContain('Paris');
    await settled(5, lines);
    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);

    const answered = { provider: 'openai', model: 'gpt-4o-mini', status_class: '2xx' };
    // Three JSON answers and the stream through the virtual key header; the fallback's virtual key comes from its target.
    expect(
      moved('pk_requests_total', { ...answered, cache_status: 'disabled', virtual_key: 'openai-a' }),
    ).toBe(5);
    // The mock reports 12 prompt and 9 completion tokens per answer.
    expect(moved('pk_tokens_total', { provider: 'openai', model: 'gpt-4o-mini', type: 'input' })).toBe(60);
    expect(moved('pk_tokens_total', { provider: 'openai', model: 'gpt-4o-mini', type: 'output' })).toBe(45);
    const each = cost({
      provider: 'openai',
      model: 'gpt-4o-mini',
      usage: { prompt_tokens: 12, completion_tokens: 9 },
    });
    expect(each.cost_status).toBe('priced');
    expect(moved('pk_cost_usd_total', { provider: 'openai', model: 'gpt-4o-mini' })).toBeCloseTo(
      5 * (each.cost ?? 0),
      12,
    );
    expect(moved('pk_request_duration_seconds_count', { provider: 'openai', status_class: '2xx' })).toBe(5);
    expect(
      moved('pk_request_duration_seconds_bucket', { provider: 'openai', status_class: '2xx', le: '+Inf' }),
    ).toBe(5);
    expect(
      moved('pk_request_duration_seconds_sum', { provider: 'openai', status_class: '2xx' }),
    ).toBeGreaterThan(0);
    expect(moved('pk_gateway_overhead_seconds_count', { provider: 'openai' })).toBe(5);
    expect(moved('pk_first_byte_seconds_count', { provider: 'openai', stream: 'false' })).toBe(4);
    expect(moved('pk_first_byte_seconds_count', { provider: 'openai', stream: 'true' })).toBe(1);
    // The fallback: one failed attempt (503) then an answer; one move, labelled by the 503 that made it.
    expect(moved('pk_fallbacks_total', { status_class: '5xx' })).toBe(1);
    expect(moved('pk_provider_attempts_total', { provider: 'openai', status_class: '5xx' })).toBe(1);
    expect(moved('pk_provider_attempts_total', { provider: 'openai', status_class: '2xx' })).toBe(5);
    // Overhead is sub-millisecond territory: buckets below 1 ms exist and are cumulative.
    const overheadBuckets = after.filter(
      (sample) => sample.name === 'pk_gateway_overhead_seconds_bucket' && sample.labels.provider === 'openai',
    );
    expect(overheadBuckets.map((sample) => sample.labels.le)).toContain('0.0005');
    const values = overheadBuckets.map((sample) => sample.value);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
    // Process metrics and the stdout log queue.
    expect(sampleValue(after, 'pk_process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(after, 'pk_log_dropped_total', { queue: 'stdout' })).toBe(0);
    // The request log store's queue (on by default with the SQLite store): reported, nothing dropped.
    expect(
      after.some((sample) => sample.name === 'pk_log_queue_depth' && sample.labels.queue === 'log_store'),
    ).toBe(true);
    expect(sampleValue(after, 'pk_log_dropped_total', { queue: 'log_store' })).toBe(0);
  });

  it('a failed request counts as 4xx with no provider, and retries are counted', async () => {
    const before = await scrape();
    const lines = requestLines();
    const refused = await rejectionOf(
      portkey({ virtualKey: 'no-such-key' }).chat.completions.create({ model: 'gpt-4o-mini', messages }),
    );
    expect(refused.status).toBeGreaterThanOrEqual(400);
    const config = {
      retry: { attempts: 2, on_status_codes: [503] },
      virtual_key: 'openai-a',
      override_params: { model: 'fail-503' },
    };
    const failed = await rejectionOf(
      new Portkey({ baseURL: gateway.base, apiKey: USER_KEY, config, maxRetries: 0 }).chat.completions.create(
        { model: 'x', messages },
      ),
    );
    expect(failed.status).toBe(503);
    await settled(2, lines);
    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(moved('pk_request_duration_seconds_count', { provider: 'none', status_class: '4xx' })).toBe(1);
    expect(moved('pk_request_duration_seconds_count', { provider: 'openai', status_class: '5xx' })).toBe(1);
    expect(moved('pk_retries_total', { provider: 'openai' })).toBe(2);
    expect(moved('pk_provider_attempts_total', { provider: 'openai', status_class: '5xx' })).toBe(3);
  });

  it('an answer an output guardrail denied (446) counts its provider, model, tokens and cost', async () => {
    const answer = {
      ...chatCompletion('gpt-4o-mini'),
      usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
    };
    (answer.choices[0] as { message: { content: string } }).message.content = 'Apple out';
    const asked = [{ role: 'user' as const, content: 'Name a fruit company.' }];
    // This question alone gets the answer the guardrail denies; every other the default.
    mock.script('gpt-4o-mini', (request) =>
      JSON.stringify(request.body?.messages) === JSON.stringify(asked) ? { json: answer } : undefined,
    );
    const before = await scrape();
    const lines = requestLines();
    const config = {
      virtual_key: 'openai-a',
      output_guardrails: [{ 'default.contains': { operator: 'none', words: ['Apple'] }, deny: true }],
    };
    const denied = await rejectionOf(
      new Portkey({ baseURL: gateway.base, apiKey: USER_KEY, config, maxRetries: 0 }).chat.completions.create(
        { model: 'gpt-4o-mini', messages: asked },
      ),
    );
    expect(denied.status).toBe(446);
    await settled(1, lines);
    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    const model = { provider: 'openai', model: 'gpt-4o-mini' };
    expect(moved('pk_requests_total', { ...model, status_class: '4xx' })).toBe(1);
    expect(moved('pk_tokens_total', { ...model, type: 'input' })).toBe(11);
    expect(moved('pk_tokens_total', { ...model, type: 'output' })).toBe(7);
    const billed = cost({ ...model, usage: { prompt_tokens: 11, completion_tokens: 7 } }).cost ?? 0;
    expect(billed).toBeGreaterThan(0);
    expect(moved('pk_cost_usd_total', model)).toBeCloseTo(billed, 12);
  });

  it('a request a config’s input guardrail denied counts with no provider, as a limit’s refusal does: none answered', async () => {
    const before = await scrape();
    const lines = requestLines();
    const sent = mock.received.length;
    const config = {
      virtual_key: 'openai-a',
      input_guardrails: [{ 'default.contains': { operator: 'none', words: ['Apple'] }, deny: true }],
    };
    const denied = await rejectionOf(
      new Portkey({ baseURL: gateway.base, apiKey: USER_KEY, config, maxRetries: 0 }).chat.completions.create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Tell me about Apple.' }] },
      ),
    );
    expect(denied.status).toBe(446);
    expect(mock.received.length).toBe(sent);
    await settled(1, lines);
    const after = await scrape();
    const moved = (labels: Record<string, string>) =>
      sampleValue(after, 'pk_requests_total', labels) - sampleValue(before, 'pk_requests_total', labels);
    // Its model is still labelled as its target's provider prices it, and its virtual key is named.
    expect(
      moved({ provider: 'none', model: 'gpt-4o-mini', status_class: '4xx', virtual_key: 'openai-a' }),
    ).toBe(1);
    expect(moved({ provider: 'openai', status_class: '4xx' })).toBe(0);
  });

  it('a stream an output guardrail denied part-way counts as a failed stream, for its guardrail', async () => {
    const asked = [{ role: 'user' as const, content: 'Name a fruit company, streamed.' }];
    mock.script('gpt-4o-mini', (request) =>
      JSON.stringify(request.body?.messages) === JSON.stringify(asked)
        ? { sse: chatChunks('gpt-4o-mini', { text: `${'Fine words. '.repeat(20)}Apple out` }) }
        : undefined,
    );
    const before = await scrape();
    const lines = requestLines();
    const config = {
      virtual_key: 'openai-a',
      output_guardrails: [{ 'default.contains': { operator: 'none', words: ['Apple'] }, deny: true }],
    };
    const stream = await new Portkey({
      baseURL: gateway.base,
      apiKey: USER_KEY,
      config,
      maxRetries: 0,
    }).chat.completions.create({ model: 'gpt-4o-mini', messages: asked, stream: true });
    await expect(
      (async () => {
        for await (const _chunk of stream) {
          // drained
        }
      })(),
    ).rejects.toThrow();
    await settled(1, lines);
    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(moved('pk_streams_failed_total', { provider: 'openai', reason: 'guardrail_denied' })).toBe(1);
    expect(moved('pk_streams_failed_total', { provider: 'openai', reason: 'provider_error' })).toBe(0);
  });

  it('a request refused for its gateway key counts as 4xx too, and breaks no other subscriber', async () => {
    const before = await scrape();
    const lines = requestLines();
    for (const apiKey of ['pk-wrong-key', undefined]) {
      const response = await fetch(`${gateway.base}/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(apiKey === undefined ? {} : { 'x-portkey-api-key': apiKey }),
          'x-portkey-virtual-key': 'openai-a',
        },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages }),
      });
      expect(response.status).toBe(401);
    }
    await settled(2, lines);
    const after = await scrape();
    expect(
      sampleValue(after, 'pk_request_duration_seconds_count', { provider: 'none', status_class: '4xx' }) -
        sampleValue(before, 'pk_request_duration_seconds_count', { provider: 'none', status_class: '4xx' }),
    ).toBe(2);
    expect(gateway.process.output()).not.toContain('request-end subscriber failed');
  });
});

describe('what counts as a request', () => {
  const total = (samples: Sample[], name: string) =>
    samples.filter((sample) => sample.name === name).reduce((sum, sample) => sum + sample.value, 0);

  it('probes, scrapes, the admin and logs APIs and unrouted paths are not requests; a proxied one is', async () => {
    const before = await scrape();
    const lines = requestLines();
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    const scraped = await fetch(`${gateway.url}/metrics`, { headers: { 'x-portkey-api-key': SCRAPER_KEY } });
    expect(scraped.status).toBe(200);
    await fetch(`${gateway.base}/logs`, { headers: { 'x-portkey-api-key': USER_KEY } });
    await fetch(`${gateway.base}/admin/keys`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    // (Under /v1 an unknown path is the pass-through route, a proxied request.)
    await fetch(`${gateway.url}/no-such-route`, {
      method: 'POST',
      headers: { 'x-portkey-api-key': USER_KEY },
    });
    const completion = await portkey().chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.choices[0]?.message?.content).toContain('Paris');
    await settled(6, lines);
    const after = await scrape();
    expect(total(after, 'pk_requests_total') - total(before, 'pk_requests_total')).toBe(1);
    expect(
      total(after, 'pk_request_duration_seconds_count') - total(before, 'pk_request_duration_seconds_count'),
    ).toBe(1);
  });

  it('a cache hit through a config’s virtual key is labelled with it; a fallback after a 446 counts as 4xx', async () => {
    const cached = new Portkey({
      baseURL: gateway.base,
      apiKey: USER_KEY,
      config: { cache: { mode: 'simple' }, virtual_key: 'openai-a' },
      maxRetries: 0,
    });
    const question = [{ role: 'user' as const, content: 'Cache me, for the metrics.' }];
    await cached.chat.completions.create({ model: 'gpt-4o-mini', messages: question });
    const before = await scrape();
    const lines = requestLines();
    await cached.chat.completions.create({ model: 'gpt-4o-mini', messages: question });
    const asked = [{ role: 'user' as const, content: 'Name a fruit company, then fall back.' }];
    const denied = { ...chatCompletion('gpt-4o-mini', 'Apple out') };
    mock.script('gpt-4o-mini', (request) =>
      JSON.stringify(request.body?.messages) === JSON.stringify(asked) ? { json: denied } : undefined,
    );
    const config = {
      strategy: { mode: 'fallback', on_status_codes: [446] },
      targets: [
        {
          virtual_key: 'openai-a',
          output_guardrails: [{ 'default.contains': { operator: 'none', words: ['Apple'] }, deny: true }],
        },
        { virtual_key: 'openai-a', override_params: { model: 'gpt-4o' } },
      ],
    };
    const fellBack = await new Portkey({
      baseURL: gateway.base,
      apiKey: USER_KEY,
      config,
      maxRetries: 0,
    }).chat.completions.create({ model: 'gpt-4o-mini', messages: asked });
    expect(fellBack.choices[0]?.message?.content).toContain('Paris');
    await settled(2, lines);
    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(
      moved('pk_requests_total', {
        provider: 'openai',
        model: 'gpt-4o-mini',
        status_class: '2xx',
        cache_status: 'hit',
        virtual_key: 'openai-a',
      }),
    ).toBe(1);
    expect(moved('pk_fallbacks_total', { status_class: '4xx' })).toBe(1);
    expect(moved('pk_fallbacks_total', { status_class: '2xx' })).toBe(0);
  });
});

describe('who may scrape', () => {
  it('pk_fallbacks_total’s HELP says it is labelled by the failed attempt, as the README says', async () => {
    const text = await (await fetch(metricsUrl)).text();
    const help = text.split('\n').find((line) => line.startsWith('# HELP pk_fallbacks_total '));
    expect(help).toBe(
      '# HELP pk_fallbacks_total Moves to another target of a config (a fallback), by the status class of the failed attempt that made the move (not of the answer the client got).',
    );
  });

  it('the main port serves /metrics to a key with the metrics scope and to an admin key, nobody else', async () => {
    const at = `${gateway.url}/metrics`;
    const scoped = await fetch(at, { headers: { 'x-portkey-api-key': SCRAPER_KEY } });
    expect(scoped.status).toBe(200);
    expect(await scoped.text()).toContain('pk_requests_total');
    const admin = await fetch(at, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(admin.status).toBe(200);
    const user = await fetch(at, { headers: { 'x-portkey-api-key': USER_KEY } });
    expect(user.status).toBe(403);
    expect(await user.json()).toMatchObject({ error: { code: 'PK_ERR_FORBIDDEN' } });
    const anonymous = await fetch(at);
    expect(anonymous.status).toBe(401);
    // Never sent to a provider, whatever the method.
    const before = mock.received.length;
    const posted = await fetch(at, { method: 'POST', headers: { 'x-portkey-api-key': SCRAPER_KEY } });
    expect(posted.status).toBe(404);
    expect(mock.received.length).toBe(before);
  });

  it('PK_METRICS_PORT serves /metrics alone, on loopback, without a key', async () => {
    expect(new URL(metricsUrl).hostname).toBe('127.0.0.1');
    const other = await fetch(metricsUrl.replace('/metrics', '/v1/chat/completions'), {
      method: 'POST',
      body: '{}',
    });
    expect(other.status).toBe(404);
    const posted = await fetch(metricsUrl, { method: 'POST' });
    expect(posted.status).toBe(405);
    const head = await fetch(metricsUrl, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });
});

describe('PK_METRICS=0', () => {
  it('nothing is counted or served, and prom-client is not even loaded', async () => {
    const spy = new URL('../__fixtures__/module-spy.cjs', import.meta.url).pathname;
    const off = await startFeatureGateway({
      mock,
      settings: { gateway_keys: [{ id: 'prometheus', key: SCRAPER_KEY, scopes: ['metrics'] }] },
      env: { PK_METRICS: '0', NODE_OPTIONS: `--require ${spy}` },
    });
    try {
      const response = await fetch(`${off.url}/metrics`, { headers: { 'x-portkey-api-key': SCRAPER_KEY } });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'PK_ERR_NOT_FOUND' } });
      const fromLine = off.process.lineCount();
      off.process.child.kill('SIGUSR2');
      const report = await off.process.waitForLine(textLine(/^pk-module-spy \[/), { fromLine });
      expect(JSON.parse(String(report).slice('pk-module-spy '.length))).toEqual([]);
    } finally {
      await off.stop();
    }
  });
});

describe('label values are bounded', () => {
  it('1,000 distinct model names and metadata values add a bounded number of series', async () => {
    const before = await scrape();
    const lines = requestLines();
    const send = async (index: number): Promise<void> => {
      const response = await fetch(`${gateway.base}/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-portkey-api-key': USER_KEY,
          'x-portkey-virtual-key': 'openai-a',
          'x-portkey-metadata': JSON.stringify({ _user: `user-${index}`, ticket: `ticket-${index}` }),
          'x-portkey-trace-id': `trace-${index}`,
        },
        body: JSON.stringify({ model: `tenant-model-${index}`, messages }),
      });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    };
    // The first 20 names create whatever series requests of unpriced models need (the `other` model's
    // requests and tokens, the unpriced counter, and, when this test runs alone, the histograms);
    // the next 980 names, metadata values, users and trace ids must add none.
    await Promise.all(Array.from({ length: 20 }, (_, offset) => send(offset)));
    await settled(20, lines);
    const afterFirst = await scrape();
    for (let batch = 20; batch < 1000; batch += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, offset) => send(batch + offset)));
    }
    await settled(1000, lines);
    const after = await scrape();
    const moved = (name: string, labels: Record<string, string>) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(
      moved('pk_requests_total', {
        provider: 'openai',
        model: 'other',
        status_class: '2xx',
        virtual_key: 'openai-a',
      }),
    ).toBe(1000);
    expect(requestSeriesCount(after)).toBe(requestSeriesCount(afterFirst));
    // And the first ones added a bounded number: the histograms' buckets and a few counters.
    expect(requestSeriesCount(afterFirst) - requestSeriesCount(before)).toBeLessThanOrEqual(60);
    const text = JSON.stringify(after);
    for (const leak of ['tenant-model-', 'user-1', 'ticket-', 'trace-']) expect(text).not.toContain(leak);
  }, 60_000);
});
