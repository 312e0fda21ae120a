import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cost } from '@pk/prices';
import OpenAI from 'openai';
import { createHeaders } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, rejectionOf, startFeatureGateway } from './support/feature-gateway.js';
import { announcedMetricsUrl } from './support/metrics-url.js';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from './support/otlp-receiver.js';
import { logLineWhere } from './support/output-lines.js';
import { parsePrometheusText, type Sample, sampleValue } from './support/prometheus-text.js';
import { chatCompletion, type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';

// What the three signals an operator watches (the stdout line, `/metrics`, the exported spans) say
// about the SAME request, through the built gateway and the official SDK: an attempt the gateway
// refused itself (a virtual key's rate limit or budget, a target's input guardrail) sent nothing to
// the provider, so no signal may count it as a call to one.
const KEY = 'pk-agreement-key';
const STORED = 'sk-agreement-stored';
const PROMPT = 'What is the capital of France?';
const SPAN_KIND = { internal: 1, server: 2, client: 3 };
let mock: ProviderMock;
let receiver: OtlpReceiver;
let gateway: FeatureGateway;
let metricsUrl: string;

beforeAll(async () => {
  mock = await startProviderMock();
  receiver = await startOtlpReceiver();
  const virtualKey = (extra: Record<string, unknown> = {}) => ({
    provider: 'openai',
    api_key: STORED,
    options: { custom_host: `${mock.url}/v1` },
    ...extra,
  });
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [{ id: 'agreement', key: KEY, role: 'admin' }],
      virtual_keys: {
        'openai-a': virtualKey(),
        'one-a-minute': virtualKey({ rate_limits: [{ type: 'requests', unit: 'rpm', value: 1 }] }),
        'hundred-tokens': virtualKey({ usage_limits: { credit_limit: 100, type: 'tokens' } }),
      },
    },
    env: { PK_METRICS_PORT: '0', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100' },
  });
  metricsUrl = announcedMetricsUrl(gateway.process.output());
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
  await receiver?.close();
  for (const secret of [KEY, STORED, PROMPT]) {
    expect(gateway.process.output()).not.toContain(secret);
    expect(receiver.rawBodies.join('\n')).not.toContain(secret);
  }
});

async function scrape(): Promise<Sample[]> {
  return parsePrometheusText(await (await fetch(metricsUrl)).text());
}
const isRequestLine = logLineWhere((line) => line.msg === 'request');

/** The spans of an OpenTelemetry trace id, once `count` have arrived (within 10 s). */
async function spansOf(traceId: string, count: number): Promise<ReceivedSpan[]> {
  const until = Date.now() + 10_000;
  for (;;) {
    const found = receiver.spans.filter((span) => span.traceId === traceId);
    if (found.length >= count || Date.now() > until) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs `call` with a fresh trace id (32 hex: the spans' trace id too); what every signal said of it. */
async function observed(call: (traceId: string) => Promise<unknown>, spanCount: number) {
  const traceId = randomBytes(16).toString('hex');
  const before = await scrape();
  const received = mock.received.length;
  const lines = gateway.logLines().filter(isRequestLine).length;
  const outcome = await call(traceId);
  await gateway.process.waitForLines(isRequestLine, { count: lines + 1 });
  const after = await scrape();
  const [line] = gateway.requestLines(traceId);
  return {
    outcome,
    line,
    sentToProvider: mock.received.length - received,
    moved: (name: string, labels: Record<string, string> = {}) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels),
    spans: await spansOf(traceId, spanCount),
  };
}

const openai = (traceId: string, config: unknown) =>
  new OpenAI({
    baseURL: gateway.base,
    apiKey: KEY,
    maxRetries: 0,
    defaultHeaders: createHeaders({ apiKey: KEY, traceId, config }),
  });
const messages = [{ role: 'user' as const, content: PROMPT }];

describe('an attempt the gateway refused itself is no call to a provider', () => {
  it('a virtual key’s rate limit: no provider attempt counted, no client span with a provider’s status', async () => {
    const config = { virtual_key: 'one-a-minute' };
    const first = await openai(randomBytes(16).toString('hex'), config).chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
    });
    expect(first.choices[0]?.message?.content).toContain('Paris');

    const seen = await observed(
      (traceId) =>
        rejectionOf(openai(traceId, config).chat.completions.create({ model: 'gpt-4o-mini', messages })),
      2,
    );
    expect(seen.outcome).toMatchObject({ status: 429, code: 'PK_ERR_RATE_LIMITED' });
    expect(seen.sentToProvider).toBe(0);
    expect(seen.line).toMatchObject({ status: 429, attempts: 0 });
    expect(seen.line?.attemptLog).toEqual([
      expect.objectContaining({ status: 429, errorCode: 'PK_ERR_RATE_LIMITED', notSent: true }),
    ]);
    expect(seen.moved('pk_requests_total', { status_class: '4xx', virtual_key: 'one-a-minute' })).toBe(1);
    expect(seen.moved('pk_provider_attempts_total', { provider: 'openai', status_class: '4xx' })).toBe(0);
    const refused = seen.spans.find((span) => span.kind !== SPAN_KIND.server);
    expect(refused).toMatchObject({
      kind: SPAN_KIND.internal,
      statusCode: 2,
      attributes: { 'error.type': 'PK_ERR_RATE_LIMITED', 'pk.attempt': 1 },
    });
    expect(refused?.attributes['http.response.status_code']).toBeUndefined();
  });

  it('a virtual key’s budget: the same', async () => {
    const seen = await observed(
      (traceId) =>
        rejectionOf(
          openai(traceId, { virtual_key: 'hundred-tokens' }).chat.completions.create({
            model: 'gpt-4o-mini',
            messages,
          }),
        ),
      2,
    );
    expect(seen.outcome).toMatchObject({ status: 412, code: 'PK_ERR_BUDGET_EXCEEDED' });
    expect(seen.sentToProvider).toBe(0);
    expect(seen.line).toMatchObject({ status: 412, attempts: 0 });
    expect(seen.line?.attemptLog).toEqual([expect.objectContaining({ status: 412, notSent: true })]);
    expect(seen.moved('pk_provider_attempts_total', { provider: 'openai', status_class: '4xx' })).toBe(0);
    const refused = seen.spans.find((span) => span.kind !== SPAN_KIND.server);
    expect(refused).toMatchObject({
      kind: SPAN_KIND.internal,
      attributes: { 'error.type': 'PK_ERR_BUDGET_EXCEEDED' },
    });
  });

  it('a target’s input guardrail denies, the fallback answers: one call, counted once by every signal', async () => {
    const config = {
      strategy: { mode: 'fallback', on_status_codes: [446] },
      targets: [
        {
          virtual_key: 'openai-a',
          input_guardrails: [{ 'default.contains': { operator: 'none', words: ['France'] }, deny: true }],
        },
        { virtual_key: 'openai-a' },
      ],
    };
    const seen = await observed(
      (traceId) => openai(traceId, config).chat.completions.create({ model: 'gpt-4o-mini', messages }),
      3,
    );
    expect((seen.outcome as OpenAI.ChatCompletion).choices[0]?.message?.content).toContain('Paris');
    expect(seen.sentToProvider).toBe(1);
    expect(seen.line).toMatchObject({ status: 200, attempts: 1, targetPath: 'config.targets[1]' });
    expect(seen.line?.attemptLog).toEqual([
      expect.objectContaining({ targetPath: 'config.targets[0]', status: 446, notSent: true }),
      expect.not.objectContaining({ notSent: true }),
    ]);
    expect(seen.moved('pk_provider_attempts_total', { provider: 'openai', status_class: '4xx' })).toBe(0);
    expect(seen.moved('pk_provider_attempts_total', { provider: 'openai', status_class: '2xx' })).toBe(1);
    // Still a move to another target, labelled by the denial that made it.
    expect(seen.moved('pk_fallbacks_total', { status_class: '4xx' })).toBe(1);
    const server = seen.spans.find((span) => span.kind === SPAN_KIND.server);
    expect(server?.attributes['pk.attempts']).toBe(1);
    const children = seen.spans
      .filter((span) => span.parentSpanId === server?.spanId)
      .sort((a, b) => (a.attributes['pk.attempt'] as number) - (b.attributes['pk.attempt'] as number));
    expect(children.map((span) => span.kind)).toEqual([SPAN_KIND.internal, SPAN_KIND.client]);
    expect(children[0]?.attributes['error.type']).toBe('PK_ERR_GUARDRAIL_DENIED');
    expect(children[1]?.attributes['http.response.status_code']).toBe(200);
  });
});

describe('span names stay bounded', () => {
  it('a path no route serves names its span by the method alone: the path is an attribute, never a name', async () => {
    const names: string[] = [];
    for (const suffix of ['wp-admin/setup.php', `scan-${randomBytes(6).toString('hex')}`]) {
      const traceId = randomBytes(16).toString('hex');
      const response = await fetch(`${gateway.url}/${suffix}`, {
        method: 'POST',
        headers: { 'x-portkey-api-key': KEY, 'x-portkey-trace-id': traceId },
      });
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('PK_ERR_NOT_FOUND');
      const [span] = await spansOf(traceId, 1);
      expect(span?.attributes).toMatchObject({
        'url.path': `/${suffix}`,
        'http.response.status_code': 404,
        'error.type': 'PK_ERR_NOT_FOUND',
      });
      expect(span?.attributes['http.route']).toBeUndefined();
      names.push(String(span?.name));
    }
    expect(names).toEqual(['POST', 'POST']);
    expect(mock.received.some((request) => request.path.includes('wp-admin'))).toBe(false);
  });

  it('a route’s span is named by its template, the path it was called with an attribute', async () => {
    const traceId = randomBytes(16).toString('hex');
    const response = await fetch(`${gateway.base}/virtual-keys/openai-a`, {
      headers: { 'x-portkey-api-key': KEY, 'x-portkey-trace-id': traceId },
    });
    expect(response.status).toBe(200);
    const [span] = await spansOf(traceId, 1);
    expect(span?.name).toBe('GET /v1/virtual-keys/:slug');
    expect(span?.attributes).toMatchObject({
      'url.path': '/v1/virtual-keys/openai-a',
      'http.route': '/v1/virtual-keys/:slug',
    });
  });
});

describe('tokens and cost are labelled by the model they were priced as', () => {
  it('a deployment name the table does not know, answered by a priced model: the metrics say that model, as the line does', async () => {
    // As an Azure deployment or an OpenAI-compatible proxy's alias answers: the model behind the name.
    mock.script('team-default', (request) => ({
      json: {
        ...chatCompletion('gpt-4o-2024-08-06'),
        usage: { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 },
      },
      ...(request.body?.model === 'team-default' ? {} : { status: 400 }),
    }));
    const seen = await observed(
      (traceId) =>
        openai(traceId, { virtual_key: 'openai-a' }).chat.completions.create({
          model: 'team-default',
          messages,
        }),
      2,
    );
    expect((seen.outcome as OpenAI.ChatCompletion).model).toBe('gpt-4o-2024-08-06');
    expect(seen.sentToProvider).toBe(1);
    const billed = cost({
      provider: 'openai',
      model: 'gpt-4o-2024-08-06',
      usage: { prompt_tokens: 1000, completion_tokens: 100 },
    }).cost;
    expect(billed).toBeGreaterThan(0);
    expect(seen.line).toMatchObject({
      model: 'team-default',
      answeredModel: 'gpt-4o-2024-08-06',
      costStatus: 'priced',
      cost: billed,
    });
    const gpt4o = { provider: 'openai', model: 'gpt-4o' };
    expect(seen.moved('pk_requests_total', { ...gpt4o, status_class: '2xx' })).toBe(1);
    expect(seen.moved('pk_tokens_total', { ...gpt4o, type: 'input' })).toBe(1000);
    expect(seen.moved('pk_tokens_total', { ...gpt4o, type: 'output' })).toBe(100);
    expect(seen.moved('pk_cost_usd_total', gpt4o)).toBeCloseTo(billed ?? 0, 12);
    // `other` is for models without a price: no cost is ever counted under it.
    expect(seen.moved('pk_cost_usd_total', { provider: 'openai', model: 'other' })).toBe(0);
    const server = seen.spans.find((span) => span.kind === SPAN_KIND.server);
    expect(server?.attributes).toMatchObject({
      'gen_ai.request.model': 'team-default',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'pk.cost_usd': billed,
    });
  });
});

describe('spans the collector refused', () => {
  const OTLP_TOKEN = 'otlp-agreement-token';
  let refusing: Server;
  let refusedExports = 0;
  let failing: FeatureGateway;
  let failingMetricsUrl: string;
  beforeAll(async () => {
    // A collector that refuses pk's token, as one with the wrong OTEL_EXPORTER_OTLP_HEADERS does.
    refusing = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        refusedExports += 1;
        response
          .writeHead(401, { 'content-type': 'application/json' })
          .end(JSON.stringify({ code: 16, message: `token ${OTLP_TOKEN} is not accepted here` }));
      });
    });
    refusing.listen(0, '127.0.0.1');
    await once(refusing, 'listening');
    const { port } = refusing.address() as AddressInfo;
    failing = await startFeatureGateway({
      mock,
      settings: {
        gateway_keys: [{ id: 'agreement', key: KEY }],
        virtual_keys: {
          'openai-a': { provider: 'openai', api_key: STORED, options: { custom_host: `${mock.url}/v1` } },
        },
      },
      env: {
        PK_METRICS_PORT: '0',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer ${OTLP_TOKEN}`,
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
    failingMetricsUrl = announcedMetricsUrl(failing.process.output());
  });
  afterAll(async () => {
    await failing?.stop();
    refusing?.close();
  });

  it('are counted in pk_spans_dropped_total and said once in a warning, which holds no credential', async () => {
    const client = new OpenAI({
      baseURL: failing.base,
      apiKey: KEY,
      maxRetries: 0,
      defaultHeaders: createHeaders({ apiKey: KEY, virtualKey: 'openai-a' }),
    });
    for (let batch = 0; batch < 2; batch += 1) {
      const exports = refusedExports;
      const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
      // Tracing never fails a request.
      expect(answer.choices[0]?.message?.content).toContain('Paris');
      const until = Date.now() + 10_000;
      while (refusedExports === exports && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(refusedExports).toBeGreaterThan(exports);
    }
    const warning = logLineWhere((line) => line.level === 40 && /spans/.test(String(line.msg)));
    const line = await failing.process.waitForLine(warning, { description: 'the span export warning' });
    expect(String((line as { msg?: unknown }).msg)).toContain('401');
    // Each request is a request span and an attempt span; both batches were refused.
    const until = Date.now() + 5_000;
    let dropped = 0;
    while (dropped < 4 && Date.now() < until) {
      const samples = parsePrometheusText(await (await fetch(failingMetricsUrl)).text());
      dropped = sampleValue(samples, 'pk_spans_dropped_total');
      if (dropped < 4) await new Promise((r) => setTimeout(r, 50));
    }
    expect(dropped).toBe(4);
    // Said once, not once per batch; neither pk's token nor the collector's answer is in any line.
    expect(failing.logLines().filter(warning)).toHaveLength(1);
    expect(failing.process.output()).not.toContain(OTLP_TOKEN);
    expect(failing.process.output()).not.toContain(KEY);
  });
});
