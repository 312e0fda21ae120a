import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { createHeaders } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, startFeatureGateway } from '../support/feature-gateway.js';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../support/otlp-receiver.js';
import { textLine } from '../support/output-lines.js';
import { chatChunksCutByServerError } from '../support/provider-answers.js';
import { type ProviderMock, startProviderMock } from '../support/recording-provider-mock.js';

// Feature suite: OpenTelemetry traces (issue 19; gateway README "Traces"), through the built gateway
// process and the official SDK: with OTEL_EXPORTER_OTLP_ENDPOINT, spans reach an OTLP/HTTP receiver
// in batches (a request span under the caller's traceparent, one child per provider attempt, GenAI
// attributes, no prompt text); without it, no OpenTelemetry module is loaded at all.
const GATEWAY_KEY = 'pk-traces-key';
const STORED = 'sk-traces-stored';
const PROMPT = 'What is the capital of France? (a prompt that must never reach a span)';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN = '00f067aa0ba902b7';
const SPY = new URL('../__fixtures__/module-spy.cjs', import.meta.url).pathname;
/** The built gateway's version: its spans' instrumentation scope version and `service.version`. */
const GATEWAY_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
let mock: ProviderMock;
let receiver: OtlpReceiver;

const settings = (mockUrl: string) => ({
  gateway_keys: [{ id: 'team-traces', key: GATEWAY_KEY }],
  virtual_keys: {
    'openai-a': { provider: 'openai', api_key: STORED, options: { custom_host: `${mockUrl}/v1` } },
  },
});

/** The `@opentelemetry` module files a gateway process has loaded, as the preloaded spy reports them. */
async function loadedOpenTelemetryModules(gateway: FeatureGateway): Promise<string[]> {
  const fromLine = gateway.process.lineCount();
  gateway.process.child.kill('SIGUSR2');
  const report = await gateway.process.waitForLine(textLine(/^pk-module-spy \[/), {
    fromLine,
    description: 'the module spy’s report',
  });
  return (JSON.parse(String(report).slice('pk-module-spy '.length)) as string[]).filter((file) =>
    file.includes('@opentelemetry'),
  );
}

beforeAll(async () => {
  mock = await startProviderMock();
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await mock?.close();
  await receiver?.close();
});

describe('with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  let gateway: FeatureGateway;
  beforeAll(async () => {
    gateway = await startFeatureGateway({
      mock,
      settings: settings(mock.url),
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_BSP_SCHEDULE_DELAY: '500',
        OTEL_SERVICE_NAME: 'pk-under-test',
        NODE_OPTIONS: `--require ${SPY}`,
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    for (const secret of [GATEWAY_KEY, STORED]) expect(receiver.rawBodies.join('\n')).not.toContain(secret);
  });

  async function spansOf(traceId: string, count: number): Promise<ReceivedSpan[]> {
    const until = Date.now() + 10_000;
    for (;;) {
      const found = receiver.spans.filter((span) => span.traceId === traceId);
      if (found.length >= count || Date.now() > until) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('a fallback request with a traceparent: its span under the caller’s, one child per attempt', async () => {
    const config = {
      strategy: { mode: 'fallback' },
      targets: [
        { virtual_key: 'openai-a', override_params: { model: 'fail-503' } },
        { virtual_key: 'openai-a', override_params: { model: 'gpt-4o-mini' } },
      ],
    };
    const client = new OpenAI({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      maxRetries: 0,
      defaultHeaders: {
        ...createHeaders({ apiKey: GATEWAY_KEY, config, metadata: { _user: 'alice', ticket: 'T-9' } }),
        traceparent: `00-${TRACE_ID}-${PARENT_SPAN}-01`,
      },
    });
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: PROMPT }],
    });
    expect(completion.choices[0]?.message?.content).toContain('Paris');
    expect(mock.received.slice(-2).map((request) => request.model)).toEqual(['fail-503', 'gpt-4o-mini']);

    const spans = await spansOf(TRACE_ID, 3);
    expect(spans).toHaveLength(3);
    const requestSpan = spans.find((span) => span.kind === 2);
    expect(requestSpan).toBeDefined();
    if (!requestSpan) return;
    expect(requestSpan.parentSpanId).toBe(PARENT_SPAN);
    expect(requestSpan.name).toBe('chat gpt-4o-mini');
    expect(requestSpan.statusCode).not.toBe(2);
    expect(requestSpan.scope).toBe('pk-gateway');
    expect(requestSpan.scopeVersion).toBe(GATEWAY_VERSION);
    expect(requestSpan.resource['service.version']).toBe(GATEWAY_VERSION);
    expect(requestSpan.resource['service.name']).toBe('pk-under-test');
    expect(requestSpan.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.provider.name': 'openai',
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 9,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.request.stream': false,
      'http.response.status_code': 200,
      'pk.trace_id': TRACE_ID,
      'pk.target_path': 'config.targets[1]',
      'pk.attempts': 2,
    });
    const children = spans
      .filter((span) => span.parentSpanId === requestSpan.spanId)
      .sort((a, b) => Number(a.startNs - b.startNs));
    expect(children).toHaveLength(2);
    const [failed, answered] = children;
    expect(failed).toMatchObject({
      kind: 3,
      statusCode: 2,
      attributes: {
        'gen_ai.provider.name': 'openai',
        'gen_ai.operation.name': 'chat',
        'pk.target_path': 'config.targets[0]',
        'http.response.status_code': 503,
        'pk.attempt': 1,
      },
    });
    // pk's code or the status, never the provider's own code (low-cardinality, as the README says).
    expect(failed?.attributes['error.type']).toBe('503');
    for (const child of children) expect(child.scopeVersion).toBe(GATEWAY_VERSION);
    expect(answered).toMatchObject({
      kind: 3,
      attributes: {
        'pk.target_path': 'config.targets[1]',
        'http.response.status_code': 200,
        'gen_ai.usage.input_tokens': 12,
        'pk.attempt': 2,
      },
    });
    // Children lie within the request's span, in the order they ran.
    for (const child of children) {
      expect(child.startNs >= requestSpan.startNs - 1_000_000n).toBe(true);
      expect(child.endNs <= requestSpan.endNs + 1_000_000n).toBe(true);
    }
    expect((failed?.endNs ?? 0n) <= (answered?.startNs ?? 0n) + 1_000_000n).toBe(true);
    // Never the prompt, the completion, a metadata value or the user.
    const exported = receiver.rawBodies.join('\n');
    for (const text of [PROMPT, 'capital of France', 'Paris', 'alice', 'T-9'])
      expect(exported).not.toContain(text);
  });

  it('each provider call carries a traceparent naming its attempt’s span, and the caller’s tracestate', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const client = new OpenAI({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      maxRetries: 0,
      defaultHeaders: {
        ...createHeaders({
          apiKey: GATEWAY_KEY,
          config: { retry: { attempts: 1, on_status_codes: [503] }, virtual_key: 'openai-a' },
        }),
        traceparent: `00-${traceId}-${PARENT_SPAN}-01`,
        tracestate: 'congo=t61rcWkgMzE',
      },
    });
    mock.script('propagated', (_request, index) =>
      index === 0
        ? { status: 503, json: { error: { message: 'overloaded', type: 'server_error' } } }
        : undefined,
    );
    await client.chat.completions.create({
      model: 'propagated',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const calls = mock.forModel('propagated');
    expect(calls).toHaveLength(2);
    const spans = await spansOf(traceId, 3);
    const requestSpan = spans.find((span) => span.kind === 2);
    expect(requestSpan?.parentSpanId).toBe(PARENT_SPAN);
    const attempts = spans
      .filter((span) => span.parentSpanId === requestSpan?.spanId)
      .sort((a, b) => Number(a.startNs - b.startNs));
    expect(attempts.map((span) => span.attributes['pk.attempt'])).toEqual([1, 2]);
    // Each call names its own attempt's span as the parent of whatever the provider traces.
    expect(calls.map((call) => call.headers.traceparent)).toEqual(
      attempts.map((span) => `00-${traceId}-${span.spanId}-01`),
    );
    expect(calls.map((call) => call.headers.tracestate)).toEqual(['congo=t61rcWkgMzE', 'congo=t61rcWkgMzE']);
  });

  it('without a traceparent, a call’s traceparent is in the request’s own trace, even for a trace id like checkout-42', async () => {
    const response = await fetch(`${gateway.base}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-portkey-api-key': GATEWAY_KEY,
        'x-portkey-virtual-key': 'openai-a',
        'x-portkey-trace-id': 'checkout-42',
      },
      body: JSON.stringify({ model: 'own-trace', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);
    const [call] = mock.forModel('own-trace');
    const match = /^00-([\da-f]{32})-([\da-f]{16})-01$/.exec(String(call?.headers.traceparent));
    expect(match).not.toBeNull();
    expect(call?.headers.tracestate).toBeUndefined();
    const spans = await spansOf(match?.[1] ?? '', 2);
    expect(spans).toHaveLength(2);
    const root = spans.find((span) => span.kind === 2);
    expect(root?.attributes['pk.trace_id']).toBe('checkout-42');
    expect(spans.find((span) => span.kind === 3)?.spanId).toBe(match?.[2]);
  });

  it('a stream that answered 200 and then ended with the provider’s error: the request span and its call are errors', async () => {
    mock.script('traces-errors-mid-stream', (request) => ({
      sse: chatChunksCutByServerError(request.model),
      chunkDelayMs: 50,
    }));
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const client = new OpenAI({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      maxRetries: 0,
      defaultHeaders: {
        ...createHeaders({ apiKey: GATEWAY_KEY, virtualKey: 'openai-a' }),
        traceparent: `00-${traceId}-${PARENT_SPAN}-01`,
      },
    });
    const stream = await client.chat.completions.create({
      model: 'traces-errors-mid-stream',
      messages: [{ role: 'user', content: PROMPT }],
      stream: true,
    });
    let text = '';
    const failure = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    })().then(
      () => undefined,
      (error: Error) => error,
    );
    expect(text).toBe('The capital of F');
    expect(failure?.message).toContain('The server had an error');
    expect(mock.forModel('traces-errors-mid-stream')[0]?.headers.authorization).toBe(`Bearer ${STORED}`);
    const spans = await spansOf(traceId, 2);
    expect(spans).toHaveLength(2);
    const requestSpan = spans.find((span) => span.kind === 2);
    const call = spans.find((span) => span.kind === 3);
    expect(requestSpan).toMatchObject({
      statusCode: 2,
      attributes: {
        'http.response.status_code': 200,
        'gen_ai.request.stream': true,
        'error.type': 'server_error',
      },
    });
    expect(call).toMatchObject({
      statusCode: 2,
      attributes: { 'http.response.status_code': 200, 'error.type': 'server_error' },
    });
  });

  it('without a traceparent, a request’s generated trace id (a UUID) is its OpenTelemetry trace id', async () => {
    const response = await fetch(`${gateway.base}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-portkey-api-key': GATEWAY_KEY,
        'x-portkey-virtual-key': 'openai-a',
      },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }] }),
    });
    expect(response.status).toBe(200);
    const pkTraceId = response.headers.get('x-portkey-trace-id') ?? '';
    expect(pkTraceId).toMatch(/^[0-9a-f-]{36}$/);
    const spans = await spansOf(pkTraceId.replaceAll('-', ''), 2);
    expect(spans).toHaveLength(2);
    const root = spans.find((span) => span.kind === 2);
    expect(root?.parentSpanId).toBe('');
    expect(root?.attributes['pk.trace_id']).toBe(pkTraceId);
  });

  it('spans are exported in batches, and the SDK was loaded', async () => {
    // Ten requests, one export request (or very few) with 20 spans: batched, not one POST per span.
    const exportsBefore = receiver.exports;
    const spansBefore = receiver.spans.length;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        fetch(`${gateway.base}/chat/completions`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-portkey-api-key': GATEWAY_KEY,
            'x-portkey-virtual-key': 'openai-a',
          },
          body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
        }).then((response) => response.arrayBuffer()),
      ),
    );
    const until = Date.now() + 10_000;
    while (receiver.spans.length < spansBefore + 20 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(receiver.spans.length - spansBefore).toBe(20);
    expect(receiver.exports - exportsBefore).toBeLessThanOrEqual(4);
    const loaded = await loadedOpenTelemetryModules(gateway);
    expect(loaded.some((file) => file.includes('@opentelemetry/sdk-trace'))).toBe(true);
  });
});

describe('without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('no @opentelemetry module is loaded, metrics included, and nothing is exported', async () => {
    const exportsBefore = receiver.exports;
    const gateway = await startFeatureGateway({
      mock,
      settings: settings(mock.url),
      env: { NODE_OPTIONS: `--require ${SPY}`, PK_METRICS_PORT: '0' },
    });
    try {
      const response = await fetch(`${gateway.base}/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-portkey-api-key': GATEWAY_KEY,
          'x-portkey-virtual-key': 'openai-a',
          traceparent: `00-${TRACE_ID}-${PARENT_SPAN}-01`,
        },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }] }),
      });
      expect(response.status).toBe(200);
      // Not tracing, pk sends providers no trace context of its own, nor the caller's.
      expect(mock.received.at(-1)?.headers).not.toHaveProperty('traceparent');
      // The metrics were collected (prom-client is loaded) and scraped, still without OpenTelemetry.
      const metricsUrl = /pk metrics on (http:\/\/\S+\/metrics)/.exec(gateway.process.output())?.[1] ?? '';
      const scrape = await fetch(metricsUrl);
      expect(await scrape.text()).toContain('pk_process_cpu_seconds_total');
      expect(await loadedOpenTelemetryModules(gateway)).toEqual([]);
      // Positive control: the spy does see CommonJS packages imported from ESM (prom-client here).
      gateway.process.child.kill('SIGUSR2');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(gateway.process.output()).toMatch(/pk-module-spy \[[^\n]*prom-client/);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(receiver.exports).toBe(exportsBefore);
    } finally {
      await gateway.stop();
    }
  });
});
