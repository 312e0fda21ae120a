import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type RunningGateway, startGatewayApp } from './support/gateway-harness.js';

// Upstream connections: a client that leaves closes the upstream socket at once, and the gateway
// reuses its keep-alive sockets (one for sequential requests, at most one per concurrent request).

/** An upstream whose sockets report when they close: streams chunks until closed, or (`x-test-slow: 1`) waits 5 s before its headers. */
async function startWatchedUpstream() {
  const closedAt: number[] = [];
  let opened = 0;
  let slowRequests = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    if (request.url === '/v1/chat/completions' && request.headers['x-test-slow'] === '1') {
      slowRequests += 1;
      setTimeout(() => response.writeHead(200).end('{}'), 5000).unref();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk =
      'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}]}\n\n';
    response.write(chunk);
    const timer = setInterval(() => response.write(chunk), 20);
    response.on('close', () => clearInterval(timer));
  });
  server.on('connection', (socket) => {
    opened += 1;
    socket.on('close', () => closedAt.push(performance.now()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    closedAt,
    opened: () => opened,
    slowRequests: () => slowRequests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let watched: Awaited<ReturnType<typeof startWatchedUpstream>>;
let mock: MockOpenAI;
let gateway: RunningGateway;

beforeAll(async () => {
  watched = await startWatchedUpstream();
  mock = await startMockOpenAI();
  gateway = await startGatewayApp({
    virtual_keys: {
      watched: { provider: 'openai', api_key: 'sk-w', options: { custom_host: `${watched.url}/v1` } },
      mock: { provider: 'openai', api_key: 'sk-m', options: { custom_host: `${mock.url}/v1` } },
    },
  });
});
afterAll(async () => {
  await gateway.close();
  await watched.close();
  await mock.close();
});

const chatInit = (virtualKey: string, body: Record<string, unknown>, signal?: AbortSignal): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-portkey-virtual-key': virtualKey },
  body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...body }),
  ...(signal ? { signal } : {}),
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const start = performance.now();
  while (!condition() && performance.now() - start < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('a client that goes away', () => {
  beforeAll(async () => {
    // One unmeasured abort first: the measurement is of the close path, not of its first compilation.
    const controller = new AbortController();
    const response = await fetch(
      `${gateway.url}/v1/chat/completions`,
      chatInit('watched', { stream: true }, controller.signal),
    );
    await response.body?.getReader().read();
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 100));
  });

  it('closes the upstream socket within 100 ms, mid-stream', async () => {
    const controller = new AbortController();
    const response = await fetch(
      `${gateway.url}/v1/chat/completions`,
      chatInit('watched', { stream: true }, controller.signal),
    );
    const reader = response.body?.getReader();
    await reader?.read(); // the stream is flowing
    const closedBefore = watched.closedAt.length;
    const abortedAt = performance.now();
    controller.abort();
    await waitFor(() => watched.closedAt.length > closedBefore, 1000);
    const closedAt = watched.closedAt[closedBefore];
    expect(closedAt).toBeDefined();
    expect((closedAt ?? Number.POSITIVE_INFINITY) - abortedAt).toBeLessThan(100);
  });

  it('closes the upstream socket within 100 ms, before the response headers', async () => {
    const controller = new AbortController();
    const init = chatInit('watched', {}, controller.signal);
    const pending = fetch(`${gateway.url}/v1/chat/completions`, {
      ...init,
      headers: {
        ...(init.headers as Record<string, string>),
        'x-portkey-forward-headers': 'x-test-slow',
        'x-test-slow': '1',
      },
    }).catch(() => undefined);
    const slowBefore = watched.slowRequests();
    await waitFor(() => watched.slowRequests() > slowBefore, 1000); // the request reached the upstream
    expect(watched.slowRequests()).toBe(slowBefore + 1);
    const closedBefore = watched.closedAt.length;
    const abortedAt = performance.now();
    controller.abort();
    await pending;
    await waitFor(() => watched.closedAt.length > closedBefore, 1000);
    const closedAt = watched.closedAt[closedBefore];
    expect(closedAt).toBeDefined();
    expect((closedAt ?? Number.POSITIVE_INFINITY) - abortedAt).toBeLessThan(100);
  });
});

describe('upstream connection reuse', () => {
  it('uses one upstream connection for 1,000 sequential requests', async () => {
    const before = mock.connections;
    for (let index = 0; index < 1000; index += 1) {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, chatInit('mock', {}));
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
    expect(mock.connections - before).toBeLessThanOrEqual(1);
  }, 60_000);

  it('uses at most 10 upstream connections at concurrency 10', async () => {
    const before = mock.connections;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < 500) {
        next += 1;
        const response = await fetch(`${gateway.url}/v1/chat/completions`, chatInit('mock', {}));
        expect(response.status).toBe(200);
        await response.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));
    expect(mock.connections - before).toBeLessThanOrEqual(10);
  }, 60_000);
});
