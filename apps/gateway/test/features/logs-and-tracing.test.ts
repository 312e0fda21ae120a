import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type FeatureGateway,
  portkeyHeadersOf,
  postJson,
  startFeatureGateway,
} from '../support/feature-gateway.js';
import { writeMarkerLine } from '../support/output-lines.js';
import { chatChunks, type ProviderMock, startProviderMock } from '../support/recording-provider-mock.js';

// Feature suite: trace ids, metadata and the one log line per request (seed headers document:
// `x-portkey-trace-id`, `x-portkey-metadata` with `_user`; the SDK guide's trace ids, custom
// metadata and per-request options; gateway README "Logs"), through the built gateway process.
const GATEWAY_KEY = 'pk-features-logs';
const STORED = 'sk-features-logs-stored';
const PROVIDER_KEY = 'sk-features-logs-provider';
let mock: ProviderMock;
let gateway: FeatureGateway;
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];

beforeAll(async () => {
  mock = await startProviderMock();
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [{ id: 'team-logs', key: GATEWAY_KEY }],
      virtual_keys: {
        'openai-a': { provider: 'openai', api_key: STORED, options: { custom_host: `${mock.url}/v1` } },
      },
    },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
  // No credential from headers, configs or settings ever reaches a log line.
  for (const secret of [GATEWAY_KEY, STORED, PROVIDER_KEY])
    expect(gateway.process.output()).not.toContain(secret);
});

const headers = (extra: Record<string, string> = {}) => ({
  'x-portkey-api-key': GATEWAY_KEY,
  'x-portkey-virtual-key': 'openai-a',
  ...extra,
});

describe('trace ids', () => {
  it('x-portkey-trace-id is echoed on the answer and written on the request’s log line', async () => {
    const response = await postJson(
      `${gateway.base}/chat/completions`,
      { model: 'gpt-4o-mini', messages },
      headers({ 'x-portkey-trace-id': 'checkout-42' }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-portkey-trace-id')).toBe('checkout-42');
    const [line] = await gateway.waitForRequestLines('checkout-42');
    expect(line).toMatchObject({
      status: 200,
      tenant: 'team-logs',
      provider: 'openai',
      targetPath: 'config',
    });
    expect(mock.received.at(-1)?.headers['x-portkey-trace-id']).toBeUndefined();
  });

  it('without one, the gateway makes a trace id (a UUID), or takes the W3C traceparent’s', async () => {
    const generated = await postJson(
      `${gateway.base}/chat/completions`,
      { model: 'gpt-4o-mini', messages },
      headers(),
    );
    const traceId = generated.headers.get('x-portkey-trace-id') ?? '';
    expect(traceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await gateway.waitForRequestLines(traceId)).toHaveLength(1);
    const fromTraceparent = await postJson(
      `${gateway.base}/chat/completions`,
      { model: 'gpt-4o-mini', messages },
      headers({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }),
    );
    expect(fromTraceparent.headers.get('x-portkey-trace-id')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(mock.received.at(-1)?.body).toMatchObject({ model: 'gpt-4o-mini' });
  });

  it('per-request options of the SDK (trace id, metadata with _user) reach the log line', async () => {
    const client = new Portkey({ baseURL: gateway.base, apiKey: GATEWAY_KEY, virtualKey: 'openai-a' });
    const completion = await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages },
      { traceID: 'sdk-trace-7', metadata: { _user: 'user-123', environment: 'production' } },
    );
    expect(portkeyHeadersOf(completion)['trace-id']).toBe('sdk-trace-7');
    const [line] = await gateway.waitForRequestLines('sdk-trace-7');
    expect(line?.metadata).toEqual({ _user: 'user-123', environment: 'production' });
    expect(line?.usage).toMatchObject({ total_tokens: 21 });
    expect(mock.received.at(-1)?.headers.authorization).toBe(`Bearer ${STORED}`);
  });
});

describe('one log line per request', () => {
  it('a failed request has its line too: status, error code, no secret', async () => {
    const response = await postJson(
      `${gateway.base}/chat/completions`,
      { model: 'gpt-4o-mini', messages },
      {
        'x-portkey-api-key': GATEWAY_KEY,
        'x-portkey-provider': 'openai',
        authorization: `Bearer ${PROVIDER_KEY}`,
        'x-portkey-custom-host': `${mock.url}/v1`,
        'x-portkey-trace-id': 'failing-request',
        'x-portkey-config': '{"retry":{"attempts":-1}}',
      },
    );
    expect(response.status).toBe(400);
    const lines = await gateway.waitForRequestLines('failing-request');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ status: 400, method: 'POST', path: '/v1/chat/completions' });
    expect(mock.received.at(-1)?.headers.authorization).not.toBe(`Bearer ${PROVIDER_KEY}`);
  });

  it('[defect 8] a stream the client abandons ends with exactly one line: 499, the target path, the chunks so far', async () => {
    mock.script('abandoned-stream', (request) => ({
      sse: chatChunks(request.model, { pieces: 30, text: 'x'.repeat(300) }),
      chunkDelayMs: 40,
    }));
    const controller = new AbortController();
    const response = await fetch(`${gateway.base}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...headers({ 'x-portkey-trace-id': 'abandoned-stream' }),
      },
      body: JSON.stringify({ model: 'abandoned-stream', messages, stream: true }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let text = '';
    while ((text.match(/"content":"x+"/g) ?? []).length < 3) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    const lines = await gateway.waitForRequestLines('abandoned-stream');
    await writeMarkerLine(gateway.process);
    expect(gateway.requestLines('abandoned-stream')).toHaveLength(1);
    expect(lines[0]).toMatchObject({ status: 499, targetPath: 'config', provider: 'openai', stream: true });
    expect(lines[0]?.streamChunks).toBeGreaterThanOrEqual(3);
    expect(lines[0]?.streamChunks).toBeLessThan(30);
    expect(mock.forModel('abandoned-stream')).toHaveLength(1);
  });

  it('[defect 8] a request abandoned while the gateway waits to retry ends with one 499 line and the path so far', async () => {
    const config = {
      strategy: { mode: 'fallback' },
      targets: [
        { virtual_key: 'openai-a', override_params: { model: 'fail-503' } },
        {
          virtual_key: 'openai-a',
          override_params: { model: 'fail-500' },
          retry: { attempts: 3, backoff: { initial_ms: 5000 } },
        },
      ],
    };
    const failedBefore = mock.forModel('fail-500').length;
    const controller = new AbortController();
    const pending = fetch(`${gateway.base}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-portkey-api-key': GATEWAY_KEY,
        'x-portkey-config': JSON.stringify(config),
        'x-portkey-trace-id': 'abandoned-retry',
      },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages }),
      signal: controller.signal,
    }).catch(() => undefined);
    // Abandoned once the second target's first attempt failed: the gateway waits 5 s to retry it.
    await vi.waitFor(() => expect(mock.forModel('fail-500')).toHaveLength(failedBefore + 1), {
      timeout: 10_000,
    });
    controller.abort();
    await pending;
    const lines = await gateway.waitForRequestLines('abandoned-retry');
    await writeMarkerLine(gateway.process);
    expect(gateway.requestLines('abandoned-retry')).toHaveLength(1);
    expect(lines[0]).toMatchObject({ status: 499, targetPath: 'config.targets[1]', attempts: 2 });
  });
});

describe('end-of-request facts (what the log store, metrics and limits read)', () => {
  it('a fallback with retries: every attempt with its status, latency and error code; cost of the answer', async () => {
    const config = {
      strategy: { mode: 'fallback' },
      targets: [
        {
          virtual_key: 'openai-a',
          override_params: { model: 'fail-503' },
          retry: { attempts: 2, on_status_codes: [503] },
        },
        { virtual_key: 'openai-a', override_params: { model: 'gpt-4o-mini' } },
      ],
    };
    const response = await postJson(
      `${gateway.base}/chat/completions`,
      { model: 'gpt-4o-mini', messages },
      {
        'x-portkey-api-key': GATEWAY_KEY,
        'x-portkey-config': JSON.stringify(config),
        'x-portkey-trace-id': 'facts-fallback',
        'x-portkey-span-id': 'span-1',
        'x-portkey-parent-span-id': 'span-0',
        'x-portkey-span-name': 'checkout',
      },
    );
    expect(response.status).toBe(200);
    const [line] = await gateway.waitForRequestLines('facts-fallback');
    const attempts = line?.attemptLog as { targetPath: string; status: number; latencyMs: number }[];
    expect(attempts.map((entry) => [entry.targetPath, entry.status])).toEqual([
      ['config.targets[0]', 503],
      ['config.targets[0]', 503],
      ['config.targets[0]', 503],
      ['config.targets[1]', 200],
    ]);
    for (const entry of attempts) {
      expect(entry).toMatchObject({ provider: 'openai', startedAt: expect.any(Number) });
      expect(entry.latencyMs).toBeGreaterThanOrEqual(0);
    }
    expect(line).toMatchObject({
      targetPath: 'config.targets[1]',
      virtualKey: 'openai-a',
      answeredModel: 'gpt-4o-mini',
      costStatus: 'priced',
      spanId: 'span-1',
      parentSpanId: 'span-0',
      spanName: 'checkout',
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) },
    });
    expect(line?.cost).toBeGreaterThan(0);
    expect(line?.firstByteMs).toBeGreaterThan(0);
    expect(line?.overheadMs).toBeGreaterThanOrEqual(0);
  });

  it('an unknown model has cost null and cost status unknown_price, never 0', async () => {
    const response = await postJson(
      `${gateway.base}/chat/completions`,
      { model: 'pk-unpriced-model-1', messages },
      headers({ 'x-portkey-trace-id': 'facts-unpriced' }),
    );
    expect(response.status).toBe(200);
    const [line] = await gateway.waitForRequestLines('facts-unpriced');
    expect(line).toMatchObject({ cost: null, costStatus: 'unknown_price' });
  });

  it('a stream: time to its first chunk, usage and cost once it ended', async () => {
    const client = new Portkey({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      virtualKey: 'openai-a',
      traceID: 'facts-stream',
    });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _chunk of stream) {
      // read to the end
    }
    const [line] = await gateway.waitForRequestLines('facts-stream');
    expect(line).toMatchObject({ stream: true, costStatus: 'priced', attemptLog: [{ status: 200 }] });
    expect(line?.firstByteMs).toBeGreaterThan(0);
  });
});
