import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type RunningGateway, startGatewayApp } from './support/gateway-harness.js';

// The simple cache through the gateway, on the embedded in-memory store.
let upstream: MockOpenAI;
let gateway: RunningGateway;
beforeAll(async () => {
  upstream = await startMockOpenAI({ record: true, chunks: 3 });
  gateway = await startGatewayApp({
    gateway_keys: [
      { id: 'team-a', key: 'pk-a' },
      { id: 'team-b', key: 'pk-b' },
    ],
    virtual_keys: {
      mock: { provider: 'openai', api_key: 'sk-cache', options: { custom_host: `${upstream.url}/v1` } },
    },
  });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

let question = 0;
/** A question no other test asked, so entries never leak between tests. */
const freshMessages = () => [{ role: 'user', content: `cache question ${++question}` }];
const cached = { virtual_key: 'mock', cache: { mode: 'simple', max_age: 3600 } };

async function ask(options: {
  messages: unknown;
  key?: string;
  stream?: boolean;
  includeUsage?: boolean;
  model?: string;
  headers?: Record<string, string>;
  config?: unknown;
}) {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-portkey-api-key': options.key ?? 'pk-a',
      'x-portkey-config': JSON.stringify(options.config ?? cached),
      ...options.headers,
    },
    body: JSON.stringify({
      model: options.model ?? 'gpt-4o-mini',
      messages: options.messages,
      ...(options.stream ? { stream: true } : {}),
      ...(options.includeUsage ? { stream_options: { include_usage: true } } : {}),
    }),
  });
  return {
    status: response.status,
    cacheStatus: response.headers.get('x-portkey-cache-status'),
    text: await response.text(),
  };
}
const contentOf = (sse: string) =>
  [...sse.matchAll(/"content":"([^"]*)"/g)].map((match) => match[1]).join('');

describe('simple cache through the gateway', () => {
  it('MISS then HIT; the upstream is called once', async () => {
    const messages = freshMessages();
    const before = upstream.received.length;
    const first = await ask({ messages });
    const second = await ask({ messages });
    expect([first.cacheStatus, second.cacheStatus]).toEqual(['MISS', 'HIT']);
    expect(second.text).toBe(first.text);
    expect(upstream.received.length - before).toBe(1);
  });

  it('DISABLED without a cache config', async () => {
    const result = await ask({ messages: freshMessages(), config: { virtual_key: 'mock' } });
    expect(result.cacheStatus).toBe('DISABLED');
  });

  it('a streamed request hits an entry stored by a non-streamed one, replayed as valid SSE', async () => {
    const messages = freshMessages();
    await ask({ messages });
    const before = upstream.received.length;
    const streamed = await ask({ messages, stream: true, includeUsage: true });
    expect(streamed.cacheStatus).toBe('HIT');
    expect(upstream.received.length).toBe(before);
    expect(contentOf(streamed.text)).toBe('The capital of France is Paris.');
    expect(streamed.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(streamed.text).toContain('"usage"');
  });

  it('a streamed miss is stored once complete, and a non-streamed request hits it', async () => {
    const messages = freshMessages();
    const streamed = await ask({ messages, stream: true });
    expect(streamed.cacheStatus).toBe('MISS');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const before = upstream.received.length;
    const json = await ask({ messages });
    expect(json.cacheStatus).toBe('HIT');
    expect(upstream.received.length).toBe(before);
    const body = JSON.parse(json.text);
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0].message.content).toBe('The capital of France is Paris.');
    expect(body.usage.total_tokens).toBe(21);
  });

  it('x-portkey-cache-force-refresh: true calls the provider and replaces the entry (REFRESH)', async () => {
    const messages = freshMessages();
    await ask({ messages });
    const before = upstream.received.length;
    const refreshed = await ask({ messages, headers: { 'x-portkey-cache-force-refresh': 'true' } });
    expect(refreshed.cacheStatus).toBe('REFRESH');
    expect(upstream.received.length - before).toBe(1);
    expect((await ask({ messages })).cacheStatus).toBe('HIT');
  });

  it('a namespace separates entries; metadata partitions when there is none', async () => {
    const messages = freshMessages();
    await ask({ messages, headers: { 'x-portkey-cache-namespace': 'user-1' } });
    expect((await ask({ messages, headers: { 'x-portkey-cache-namespace': 'user-2' } })).cacheStatus).toBe(
      'MISS',
    );
    expect((await ask({ messages, headers: { 'x-portkey-cache-namespace': 'user-1' } })).cacheStatus).toBe(
      'HIT',
    );
    const other = freshMessages();
    await ask({ messages: other, headers: { 'x-portkey-metadata': '{"_user":"a"}' } });
    expect(
      (await ask({ messages: other, headers: { 'x-portkey-metadata': '{"_user":"b"}' } })).cacheStatus,
    ).toBe('MISS');
  });

  it('two gateway keys never share an entry', async () => {
    const messages = freshMessages();
    await ask({ messages, key: 'pk-a' });
    expect((await ask({ messages, key: 'pk-b' })).cacheStatus).toBe('MISS');
    expect((await ask({ messages, key: 'pk-a' })).cacheStatus).toBe('HIT');
  });

  it('never stores an error answer', async () => {
    const messages = freshMessages();
    const first = await ask({ messages, model: 'fail-500' });
    expect(first.status).toBe(500);
    const second = await ask({ messages, model: 'fail-500' });
    expect(second.status).toBe(500);
    expect(second.cacheStatus).toBe('MISS');
  });

  it('a fallback target answers from its own cache entry', async () => {
    const messages = freshMessages();
    const config = {
      strategy: { mode: 'fallback' },
      cache: { mode: 'simple' },
      targets: [
        { virtual_key: 'mock', override_params: { model: 'fail-503' } },
        { virtual_key: 'mock', override_params: { model: 'gpt-4o-mini' } },
      ],
    };
    expect((await ask({ messages, config })).cacheStatus).toBe('MISS');
    const hit = await ask({ messages, config });
    expect(hit.status).toBe(200);
    expect(hit.cacheStatus).toBe('HIT');
  });
});
