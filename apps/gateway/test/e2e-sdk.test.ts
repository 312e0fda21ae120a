import OpenAI from 'openai';
import { createHeaders, Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type RunningGateway, startGatewayApp } from './support/gateway-harness.js';
import { requestLineOf } from './support/output-lines.js';

// End to end: the official portkey-ai SDK and the openai SDK + createHeaders, unchanged, against the
// gateway on a real port, in front of mock OpenAI upstreams on 127.0.0.1.
let upstream: MockOpenAI;
let gateway: RunningGateway;
const GATEWAY_KEY = 'pk-e2e-gateway-key';
const PROVIDER_KEY = 'sk-e2e-provider-key';
const STORED_KEY = 'sk-e2e-stored-virtual-key';
const CONFIG_KEY = 'sk-e2e-inline-config-key';
const SECRETS = [GATEWAY_KEY, PROVIDER_KEY, STORED_KEY, CONFIG_KEY];
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];

beforeAll(async () => {
  upstream = await startMockOpenAI({ record: true, chunks: 4 });
  gateway = await startGatewayApp(
    {
      gateway_keys: [
        { id: 'team-a', key: 'env:PK_E2E_KEY' },
        { id: 'limited', key: 'pk-limited-key', virtual_keys: ['openai-prod'] },
      ],
      virtual_keys: {
        'openai-prod': {
          provider: 'openai',
          api_key: 'env:PK_E2E_STORED',
          options: { custom_host: `${upstream.url}/v1` },
        },
        'openai-other': {
          provider: 'openai',
          api_key: 'other-stored',
          options: { custom_host: `${upstream.url}/v1` },
        },
      },
      configs: {
        'pc-e2e-fallback': {
          strategy: { mode: 'fallback' },
          targets: [
            { virtual_key: 'openai-prod', override_params: { model: 'fail-503' } },
            { virtual_key: 'openai-prod', override_params: { model: 'gpt-4o-mini' } },
          ],
        },
      },
      trusted_custom_hosts: [],
    },
    { PK_E2E_KEY: GATEWAY_KEY, PK_E2E_STORED: STORED_KEY },
  );
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
  // No credential from headers, configs or settings ever reaches a log line.
  for (const secret of SECRETS) expect(gateway.logs()).not.toContain(secret);
});

const base = (): string => `${gateway.url}/v1`;
const directHost = (): string => `${upstream.url}/v1`;
const lastReceived = () => upstream.received.at(-1);

/** The official SDK's `getHeaders()`: every `x-portkey-*` response header without its prefix. */
function portkeyHeadersOf(completion: { getHeaders?: () => unknown }): Record<string, string> {
  return (completion.getHeaders?.() ?? {}) as Record<string, string>;
}

function portkey(options: Record<string, unknown> = {}): Portkey {
  return new Portkey({ baseURL: base(), apiKey: GATEWAY_KEY, ...options });
}

describe('portkey-ai SDK against pk', () => {
  it('chat with provider + Authorization + custom host; getHeaders() shows the trace', async () => {
    const client = portkey({
      provider: 'openai',
      Authorization: `Bearer ${PROVIDER_KEY}`,
      customHost: directHost(),
      traceID: 'e2e-trace-1',
    });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
    expect(completion.usage?.total_tokens).toBe(21);
    const headers = portkeyHeadersOf(completion);
    expect(headers).toMatchObject({
      'trace-id': 'e2e-trace-1',
      provider: 'openai',
      'last-used-option-index': 'config',
      'retry-attempt-count': '0',
      'cache-status': 'DISABLED',
    });
    expect(lastReceived()?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    expect(lastReceived()?.headers['x-portkey-api-key']).toBeUndefined();
  });

  it('streams with for await', async () => {
    const client = portkey({ virtualKey: 'openai-prod' });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices?.[0]?.delta?.content ?? '';
    expect(text).toBe('The capital of France is Paris.');
    expect(lastReceived()?.headers.authorization).toBe(`Bearer ${STORED_KEY}`);
  });

  it('falls back from a failing target to the next (saved config id); headers show the path', async () => {
    const client = portkey({ config: 'pc-e2e-fallback' });
    const completion = await client.chat.completions.create({ model: 'ignored', messages });
    expect(completion.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
    expect(portkeyHeadersOf(completion)['last-used-option-index']).toBe('config.targets[1]');
  });

  it('virtual key given as an @id provider, and as an @id/model', async () => {
    const byProvider = await portkey({ provider: '@openai-prod' }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
    });
    expect(byProvider.choices?.[0]?.message?.content).toContain('Paris');
    const byModel = await portkey().chat.completions.create({ model: '@openai-prod/gpt-4o-mini', messages });
    expect(byModel.choices?.[0]?.message?.content).toContain('Paris');
    expect(lastReceived()?.body.model).toBe('gpt-4o-mini');
  });

  it('loadbalance never picks a weight-0 target', async () => {
    const config = {
      strategy: { mode: 'loadbalance' },
      targets: [
        { virtual_key: 'openai-prod', weight: 0, override_params: { model: 'fail-500' } },
        { virtual_key: 'openai-prod', weight: 1 },
      ],
    };
    for (let index = 0; index < 5; index += 1) {
      const completion = await portkey({ config }).chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
      });
      expect(portkeyHeadersOf(completion)['last-used-option-index']).toBe('config.targets[1]');
    }
  });

  it('retry.attempts 2 against an always-500 upstream: exactly 3 upstream calls, no client-side multiplication', async () => {
    const before = upstream.received.length;
    const client = portkey({
      config: {
        retry: { attempts: 2, backoff: { initial_ms: 1 } },
        virtual_key: 'openai-prod',
        override_params: { model: 'fail-500' },
      },
    });
    await expect(client.chat.completions.create({ model: 'x', messages })).rejects.toThrow();
    expect(upstream.received.length - before).toBe(3);
  });

  it('request timeout → 408 timeout_error', async () => {
    const client = portkey({ virtualKey: 'openai-prod', requestTimeout: 200 });
    const error = await client.chat.completions
      .create({ model: 'slow-2000', messages })
      .catch((caught: unknown) => caught);
    expect((error as { status?: number }).status).toBe(408);
    expect(String((error as Error).message)).toContain('timeout');
  });

  it('invalid config → 400 naming the path; an unknown guardrail id → 400 naming it', async () => {
    const invalid = await portkey({
      config: {
        strategy: { mode: 'fallback' },
        targets: [{ virtual_key: 'openai-prod', retry: { attempts: -1 } }],
      },
    })
      .chat.completions.create({ model: 'gpt-4o-mini', messages })
      .catch((caught: unknown) => caught);
    expect((invalid as { status?: number }).status).toBe(400);
    expect(String((invalid as Error).message)).toContain('config.targets[0].retry.attempts');
    const hooks = await portkey({ config: { virtual_key: 'openai-prod', input_guardrails: ['pg-xyz'] } })
      .chat.completions.create({ model: 'gpt-4o-mini', messages })
      .catch((caught: unknown) => caught);
    expect((hooks as { status?: number }).status).toBe(400);
    expect(String((hooks as Error).message)).toContain(
      'config.input_guardrails[0]: no guardrail has the id \\"pg-xyz\\"',
    );
  });

  it('metadata and trace id: echoed and logged', async () => {
    const completion = await portkey({
      virtualKey: 'openai-prod',
      traceID: 'e2e-meta-trace',
      metadata: { _user: 'user-123', environment: 'production' },
    }).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(portkeyHeadersOf(completion)['trace-id']).toBe('e2e-meta-trace');
    const line = await gateway.waitForLine(requestLineOf('e2e-meta-trace'));
    expect(line.metadata).toMatchObject({ _user: 'user-123' });
  });

  it('a gateway key limited to one virtual key gets 403 for another', async () => {
    const client = new Portkey({ baseURL: base(), apiKey: 'pk-limited-key', virtualKey: 'openai-other' });
    const error = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages })
      .catch((caught: unknown) => caught);
    expect((error as { status?: number }).status).toBe(403);
  });
});

describe('openai SDK + createHeaders against pk', () => {
  function openai(headers: Record<string, unknown>): OpenAI {
    return new OpenAI({
      baseURL: base(),
      apiKey: GATEWAY_KEY,
      defaultHeaders: createHeaders({ apiKey: GATEWAY_KEY, ...headers }),
    });
  }

  it('chat, plain and streamed, with a virtual key: the Portkey key in Authorization is never forwarded', async () => {
    const client = openai({ virtualKey: 'openai-prod' });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
    expect(lastReceived()?.headers.authorization).toBe(`Bearer ${STORED_KEY}`);
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usageChunks = 0;
    for await (const chunk of stream) {
      text += chunk.choices?.[0]?.delta?.content ?? '';
      if (chunk.usage) usageChunks += 1;
    }
    expect(text).toBe('The capital of France is Paris.');
    expect(usageChunks).toBe(1);
  });

  it('embeddings as floats and as base64 (the openai SDK default) decode to the same vector', async () => {
    const client = openai({ virtualKey: 'openai-prod' });
    const floats = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'hello',
      encoding_format: 'float',
    });
    const decoded = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
    expect(floats.data[0]?.embedding).toEqual([0.0023064255, -0.009327292, 0.015797347]);
    const expected = floats.data[0]?.embedding ?? [];
    for (const [index, value] of (decoded.data[0]?.embedding ?? []).entries()) {
      expect(value).toBeCloseTo(expected[index] ?? Number.NaN, 6);
    }
    expect(decoded.data[0]?.embedding).toHaveLength(expected.length);
  });

  it('config as JSON with credentials inline, and a forward header reaching the upstream', async () => {
    const client = openai({
      config: { provider: 'openai', api_key: CONFIG_KEY, custom_host: directHost() },
      forwardHeaders: ['x-team'],
    });
    const completion = await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages },
      { headers: { 'x-team': 'blue', connection: 'keep-alive' } },
    );
    expect(completion.choices?.[0]?.message?.content).toContain('Paris');
    expect(lastReceived()?.headers['x-team']).toBe('blue');
    expect(lastReceived()?.headers.authorization).toBe(`Bearer ${CONFIG_KEY}`);
  });

  it('retry.attempts 2 against an always-500 upstream: exactly 3 upstream calls (x-should-retry: false)', async () => {
    const before = upstream.received.length;
    const client = openai({
      config: { retry: { attempts: 2, backoff: { initial_ms: 1 } }, virtual_key: 'openai-prod' },
    });
    const error = await client.chat.completions
      .create({ model: 'fail-500', messages })
      .catch((caught: unknown) => caught);
    expect((error as { status?: number }).status).toBe(500);
    expect(upstream.received.length - before).toBe(3);
  });

  it('a stored credential is never sent to a host the caller chose', async () => {
    const before = upstream.received.length;
    const client = openai({ virtualKey: 'openai-prod', customHost: 'https://attacker.example.com/v1' });
    const error = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages })
      .catch((caught: unknown) => caught);
    expect((error as { status?: number }).status).toBe(400);
    expect((error as { code?: string }).code).toBe('PK_ERR_CUSTOM_HOST_NOT_ALLOWED');
    expect(upstream.received.length).toBe(before);
  });
});
