import { createServer, type IncomingMessage, type Server } from 'node:http';
import {
  type AddressInfo,
  connect,
  createServer as createNetServer,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UpstreamError } from '../spec/upstream-error.js';
import { callProvider } from './call-provider.js';
import type { Transport } from './transport.js';
import { createUndiciTransportFromEnvironment } from './transport-from-environment.js';

// Real proxies on 127.0.0.1 in front of a real OpenAI-format upstream: one that closes the socket on
// CONNECT, one that never answers it, one that tunnels.

const chatCompletion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1700000000,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'through' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
};

let upstream: Server;
let upstreamUrl = '';
const upstreamRequests: string[] = [];

beforeAll(async () => {
  upstream = createServer((request, response) => {
    upstreamRequests.push(`${request.method} ${request.url}`);
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(chatCompletion));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

/** A TCP proxy that counts CONNECT requests and, per `mode`, closes the socket or stays silent. */
interface FaultyProxy {
  readonly port: number;
  readonly connects: number;
  close(): Promise<void>;
}

async function startFaultyProxy(mode: 'close' | 'silent'): Promise<FaultyProxy> {
  let connects = 0;
  const sockets = new Set<Socket>();
  const server: NetServer = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      connects += chunk.toString('latin1').split('CONNECT ').length - 1;
      if (mode === 'close') socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connects() {
      return connects;
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** An HTTP proxy that opens the tunnels it is asked for (to 127.0.0.1 only). */
async function startTunnellingProxy(): Promise<{ port: number; tunnels: string[]; close(): Promise<void> }> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_request, response) => response.writeHead(405).end());
  server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
    tunnels.push(request.url ?? '');
    const [host, port] = (request.url ?? '').split(':');
    if (host !== '127.0.0.1') {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const target = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) target.write(head);
      target.pipe(client).pipe(target);
    });
    for (const socket of [client, target]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    tunnels,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const resource of opened.splice(0).reverse()) await resource.close();
});

/** A transport whose `HTTP_PROXY` is the proxy on `proxyPort` (with credentials); closed after the test. */
function proxiedTransport(proxyPort: number, options: { connectTimeoutMs?: number } = {}): Transport {
  const transport = createUndiciTransportFromEnvironment(options, {
    HTTP_PROXY: `http://pk-user:s3cret-proxy-password@127.0.0.1:${proxyPort}`,
  });
  let closed: Promise<void> | undefined;
  const closeOnce = () => {
    closed ??= transport.close();
    return closed;
  };
  opened.push({ close: closeOnce });
  return { ...transport, close: closeOnce };
}

const call = (transport: Transport, signal?: AbortSignal) =>
  callProvider({
    target: { provider: 'openai', api_key: 'sk-test', custom_host: `${upstreamUrl}/v1` },
    request: {
      endpoint: 'chat.completions',
      body: { model: 'm', messages: [{ role: 'user', content: 'x' }] },
    },
    transport,
    signal,
  });

describe('a provider call through a proxy', () => {
  it('fails at once with a 502 naming the proxy (not its password) when the proxy closes on CONNECT, and sends no second CONNECT', async () => {
    const proxy = await startFaultyProxy('close');
    opened.push(proxy);
    const transport = proxiedTransport(proxy.port);
    const before = upstreamRequests.length;
    const started = performance.now();
    const outcome = await call(transport, AbortSignal.timeout(5000));
    expect(performance.now() - started).toBeLessThan(3000);
    if (outcome.ok) throw new Error('expected a failure');
    const error = outcome.error as UpstreamError;
    expect(error).toMatchObject({ status: 502, code: 'PK_ERR_UPSTREAM_UNAVAILABLE', retryable: true });
    expect(error.toEnvelope().error.message).toBe(
      `the provider could not be reached through the proxy http://127.0.0.1:${proxy.port} (UND_ERR_SOCKET)`,
    );
    expect(JSON.stringify(error.toEnvelope())).not.toMatch(/s3cret|pk-user/);
    await sleep(300);
    expect(proxy.connects).toBe(1);
    expect(upstreamRequests.length).toBe(before);
  });

  it('settles with the signal’s timeout when the proxy never answers CONNECT, and close() is prompt', async () => {
    const proxy = await startFaultyProxy('silent');
    opened.push(proxy);
    const transport = proxiedTransport(proxy.port);
    const started = performance.now();
    const outcome = await call(transport, AbortSignal.timeout(300));
    expect(performance.now() - started).toBeLessThan(2000);
    if (outcome.ok) throw new Error('expected a failure');
    expect(outcome.error).toMatchObject({ status: 408, code: 'PK_ERR_TIMEOUT' });
    const closing = performance.now();
    await transport.close();
    expect(performance.now() - closing).toBeLessThan(1000);
    expect(proxy.connects).toBe(1);
  });

  it('gives up on a tunnel the proxy does not open within the connect timeout, without a signal', async () => {
    const proxy = await startFaultyProxy('silent');
    opened.push(proxy);
    const transport = proxiedTransport(proxy.port, { connectTimeoutMs: 300 });
    const outcome = await call(transport);
    if (outcome.ok) throw new Error('expected a failure');
    expect(outcome.error.toEnvelope().error).toMatchObject({
      code: 'PK_ERR_UPSTREAM_UNAVAILABLE',
      message: `the provider could not be reached through the proxy http://127.0.0.1:${proxy.port} (not open within 300 ms)`,
    });
    expect(outcome.error.status).toBe(502);
    expect(proxy.connects).toBe(1);
  });

  it('twelve calls waiting for their tunnels at once make Node warn of no listener leak', async () => {
    // Each tunnel being opened listens to the transport's one closing signal until it settles:
    // more than Node's default of 10 at once (a burst through a slow proxy) is load, not a leak.
    const proxy = await startFaultyProxy('silent');
    opened.push(proxy);
    const transport = proxiedTransport(proxy.port);
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(`${warning.name}: ${warning.message}`);
    };
    process.on('warning', onWarning);
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 12 }, () => call(transport, AbortSignal.timeout(500))),
      );
      await sleep(50);
      expect(outcomes.map((outcome) => (outcome.ok ? 'ok' : outcome.error.code))).toEqual(
        Array.from({ length: 12 }, () => 'PK_ERR_TIMEOUT'),
      );
      expect(proxy.connects).toBe(12);
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('reaches the provider through a proxy that tunnels', async () => {
    const proxy = await startTunnellingProxy();
    opened.push(proxy);
    const transport = proxiedTransport(proxy.port);
    const before = upstreamRequests.length;
    for (let index = 0; index < 2; index += 1) {
      const outcome = await call(transport, AbortSignal.timeout(5000));
      if (!outcome.ok || outcome.value.kind !== 'json') throw new Error('expected a JSON answer');
      expect(outcome.value.body).toMatchObject({ choices: [{ message: { content: 'through' } }] });
    }
    expect(upstreamRequests.slice(before)).toEqual([
      'POST /v1/chat/completions',
      'POST /v1/chat/completions',
    ]);
    expect(new Set(proxy.tunnels)).toEqual(new Set([`127.0.0.1:${new URL(upstreamUrl).port}`]));
  });
});
