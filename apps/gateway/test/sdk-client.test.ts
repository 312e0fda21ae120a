import { createHeaders, PORTKEY_GATEWAY_URL, Portkey } from '@pk/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type RunningGateway, startGatewayApp } from './support/gateway-harness.js';

// @pk/sdk against the gateway on a real port, in front of a mock OpenAI upstream on 127.0.0.1.
const GATEWAY_KEY = 'pk-sdk-client-key';
const STORED_KEY = 'sk-sdk-client-stored';
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];
let upstream: MockOpenAI;
let gateway: RunningGateway;

beforeAll(async () => {
  upstream = await startMockOpenAI({ record: true, chunks: 4 });
  gateway = await startGatewayApp({
    gateway_keys: [{ id: 'sdk', key: GATEWAY_KEY }],
    virtual_keys: {
      'openai-prod': {
        provider: 'openai',
        api_key: STORED_KEY,
        options: { custom_host: `${upstream.url}/v1` },
      },
    },
  });
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

const portkey = (options: ConstructorParameters<typeof Portkey>[0] = {}) =>
  new Portkey({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, ...options });
const lastReceived = () => upstream.received.at(-1);

describe('@pk/sdk against the gateway', () => {
  it('a virtual key: the Portkey key in Authorization never reaches the provider; getHeaders() shows the trace', async () => {
    const completion = await portkey({
      virtualKey: 'openai-prod',
      traceId: 'sdk-trace-1',
    }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
    });
    expect(completion.choices[0]?.message.content).toBe('The capital of France is Paris.');
    expect(completion.getHeaders()).toMatchObject({
      'trace-id': 'sdk-trace-1',
      provider: 'openai',
      'last-used-option-index': 'config',
      'retry-attempt-count': '0',
    });
    expect(lastReceived()?.headers.authorization).toBe(`Bearer ${STORED_KEY}`);
    expect(JSON.stringify(lastReceived()?.headers)).not.toContain(GATEWAY_KEY);
  });

  it('no double retries: a gateway that retried twice means three upstream calls, not nine', async () => {
    const before = upstream.received.length;
    const error = await portkey({
      config: { retry: { attempts: 2, backoff: { initial_ms: 1 } }, virtual_key: 'openai-prod' },
    })
      .chat.completions.create({ model: 'fail-500', messages })
      .catch((caught: unknown) => caught);
    expect((error as { status?: number }).status).toBe(500);
    expect(upstream.received.length - before).toBe(3);
  });

  it('after withOptions({ traceId: "a" }) and a call on the new client, the original carries no trace id "a"', async () => {
    const original = portkey({ virtualKey: 'openai-prod' });
    const traced = await original
      .withOptions({ traceId: 'a' })
      .chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(traced.getHeaders()['trace-id']).toBe('a');
    expect(lastReceived()?.headers['x-portkey-trace-id']).toBeUndefined(); // never forwarded upstream
    const plain = await original.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(plain.getHeaders()['trace-id']).not.toBe('a');
  });

  it('per-call options: the config and trace id of one call only', async () => {
    const client = portkey({ virtualKey: 'openai-prod' });
    const once = await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages },
      { traceId: 'once', config: { retry: { attempts: 1 }, virtual_key: 'openai-prod' } },
    );
    expect(once.getHeaders()['trace-id']).toBe('once');
    const next = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(next.getHeaders()['trace-id']).not.toBe('once');
  });

  it('streams and embeddings (base64 by default) through the gateway', async () => {
    const client = portkey({ virtualKey: 'openai-prod' });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('The capital of France is Paris.');
    const embedding = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
    expect(embedding.data[0]?.embedding[0]).toBeCloseTo(0.0023064255, 6);
    expect(embedding.getHeaders().provider).toBe('openai');
  });

  it('createHeaders with the plain openai client', async () => {
    expect(PORTKEY_GATEWAY_URL).toBe('http://localhost:8787/v1');
    const openai = new OpenAI({
      apiKey: GATEWAY_KEY,
      baseURL: `${gateway.url}/v1`,
      defaultHeaders: createHeaders({ apiKey: GATEWAY_KEY, virtualKey: 'openai-prod' }),
    });
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.choices[0]?.message.content).toContain('Paris');
    expect(lastReceived()?.headers.authorization).toBe(`Bearer ${STORED_KEY}`);
  });

  it('an invalid config is refused on the client with the message the gateway would give', async () => {
    const before = upstream.received.length;
    const config = JSON.parse(
      '{"strategy":{"mode":"fallback"},"targets":[{"virtual_key":"openai-prod","retry":{"attempts":-1}}]}',
    );
    expect(() => portkey({ config })).toThrow('config.targets[0].retry.attempts');
    expect(upstream.received.length).toBe(before);
  });
});
