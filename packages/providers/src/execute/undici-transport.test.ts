import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { PkError } from '@pk/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../spec/upstream-error.js';
import { readSseEvents } from '../test-support/sse-client.js';
import { callProvider } from './call-provider.js';
import { createUndiciTransportFromEnvironment } from './transport-from-environment.js';
import { createUndiciTransport } from './undici-transport.js';
import { bodyText, discardBody } from './upstream-body.js';

let server: Server;
let origin = '';
const seen: { url: string; port: number; acceptEncoding: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push({
      url: request.url ?? '',
      port: request.socket.remotePort ?? 0,
      acceptEncoding: request.headers['accept-encoding'],
    });
    if (request.url === '/redirect') {
      response.writeHead(302, { location: '/elsewhere' }).end();
    } else if (request.url === '/gzip') {
      response
        .writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
        .end(gzipSync('{"zipped":true}'));
    } else if (request.url === '/slow') {
      setTimeout(() => response.writeHead(200).end('{}'), 2000);
    } else if (request.url === '/v1/chat/completions') {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(
        'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n',
      );
      setTimeout(() => response.socket?.destroy(), 20);
    } else {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const get = (url: string) => ({ url, method: 'GET', headers: {} });

describe('createUndiciTransport', () => {
  const transport = createUndiciTransport();
  afterAll(() => transport.close());

  it('keeps connections alive: sequential calls reuse pooled sockets', async () => {
    for (const path of ['/a', '/b', '/a', '/b', '/a', '/b']) {
      const response = await transport.send(get(`${origin}${path}`), { provider: 'p' });
      await new Response(response.body).text();
    }
    const ports = new Set(
      seen.filter((entry) => entry.url === '/a' || entry.url === '/b').map((entry) => entry.port),
    );
    expect(ports.size).toBeLessThan(6);
    expect(ports.size).toBeLessThanOrEqual(2);
  });

  it('sends each URL’s own path and query, past the number of URLs it keeps parsed', async () => {
    const paths = Array.from({ length: 300 }, (_, index) => `/q${index % 7}?api-version=${index}&x=%20y`);
    for (const path of [...paths, paths[0] as string, '/plain']) {
      const response = await transport.send(get(`${origin}${path}`), { provider: 'p' });
      await new Response(response.body).text();
      expect(seen.at(-1)?.url).toBe(path);
    }
  });

  it('never follows redirects and sends accept-encoding: identity, not the client value', async () => {
    const response = await transport.send(
      { url: `${origin}/redirect`, method: 'GET', headers: { 'accept-encoding': 'br' } },
      { provider: 'p' },
    );
    expect(response.status).toBe(302);
    discardBody(response.body);
    expect(seen.some((entry) => entry.url === '/elsewhere')).toBe(false);
    expect(seen.find((entry) => entry.url === '/redirect')?.acceptEncoding).toBe('identity');
  });

  it('decompresses gzip when compression is allowed', async () => {
    const compressed = createUndiciTransport({ acceptEncoding: 'compressed' });
    const response = await compressed.send(get(`${origin}/gzip`), { provider: 'p' });
    expect(JSON.parse(await bodyText(response.body))).toEqual({ zipped: true });
    expect(response.headers['content-encoding']).toBeUndefined();
    await compressed.close();
  });

  it('reports a fired timeout as a retryable 408 and the client leaving as a 499', async () => {
    const timedOut = await transport
      .send(get(`${origin}/slow`), { provider: 'p', signal: AbortSignal.timeout(50) })
      .catch((error: unknown) => error);
    expect(timedOut).toBeInstanceOf(UpstreamError);
    expect(timedOut).toMatchObject({ status: 408, retryable: true, code: 'PK_ERR_TIMEOUT' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const left = await transport
      .send(get(`${origin}/slow`), { provider: 'p', signal: controller.signal })
      .catch((error: unknown) => error);
    expect(left).toMatchObject({ status: 499, retryable: false });
    const deadline = new AbortController();
    deadline.abort(new PkError('PK_ERR_DEADLINE', 'deadline'));
    const late = await transport
      .send(get(`${origin}/a`), { provider: 'p', signal: deadline.signal })
      .catch((error: unknown) => error);
    expect(late).toMatchObject({ status: 504, code: 'PK_ERR_DEADLINE' });
  });

  it('reports a refused connection as a retryable 502 PK_ERR_UPSTREAM_UNAVAILABLE', async () => {
    const error = await transport
      .send(get('http://127.0.0.1:1/x'), { provider: 'p' })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      status: 502,
      retryable: true,
      connectionError: true,
      code: 'PK_ERR_UPSTREAM_UNAVAILABLE',
      provider: 'p',
    });
  });

  it('turns a connection reset mid-stream into an event: error frame', async () => {
    const outcome = await callProvider({
      target: { provider: 'openai', api_key: 'k', custom_host: `${origin}/v1` },
      request: { endpoint: 'chat.completions', body: { model: 'm', messages: [], stream: true } },
      transport,
    });
    if (!outcome.ok || outcome.value.kind !== 'stream') throw new Error('expected a stream');
    const events = await readSseEvents(outcome.value.stream);
    expect(events[0]?.data).toContain('"Hi"');
    expect(events.at(-1)?.event).toBe('error');
    expect(JSON.parse(events.at(-1)?.data ?? '{}').error.code).toBe('PK_ERR_STREAM_INTERRUPTED');
  });
});

describe('createUndiciTransportFromEnvironment', () => {
  it('uses the given proxy, and NO_PROXY bypasses it', async () => {
    const transport = createUndiciTransportFromEnvironment(
      {},
      { HTTP_PROXY: 'http://127.0.0.1:1', NO_PROXY: '127.0.0.1' },
    );
    const direct = await transport.send(get(`${origin}/a`), { provider: 'p' });
    expect(direct.status).toBe(200);
    discardBody(direct.body);
    const port = new URL(origin).port;
    const proxied = await transport
      .send(get(`http://localhost:${port}/a`), { provider: 'p' })
      .catch((error: unknown) => error);
    expect(proxied).toMatchObject({ status: 502, code: 'PK_ERR_UPSTREAM_UNAVAILABLE' });
    await transport.close();
  });

  it('reads an empty HTTP_PROXY as unset: http_proxy is used then', async () => {
    const transport = createUndiciTransportFromEnvironment(
      {},
      { HTTP_PROXY: '', http_proxy: 'http://127.0.0.1:1' },
    );
    const port = new URL(origin).port;
    const proxied = await transport
      .send(get(`http://localhost:${port}/a`), { provider: 'p' })
      .catch((error: unknown) => error);
    expect(proxied).toMatchObject({ status: 502, code: 'PK_ERR_UPSTREAM_UNAVAILABLE' });
    await transport.close();
  });

  it('refuses a proxy that is not a URL when the transport is made, without echoing it (it may hold a password)', () => {
    const made = () =>
      createUndiciTransportFromEnvironment({}, { HTTPS_PROXY: 'http://user:s3cret-password@[proxy:3128' });
    expect(made).toThrow('proxy: httpsProxy is not a URL (HTTPS_PROXY / HTTP_PROXY)');
    expect(() => made()).not.toThrow(/s3cret/);
  });

  it('prepare() builds the pool before the first call; the calls after it use it', async () => {
    const transport = createUndiciTransportFromEnvironment({}, {});
    transport.prepare?.();
    transport.prepare?.();
    const answer = await transport.send(get(`${origin}/a`), { provider: 'p' });
    expect(answer.status).toBe(200);
    discardBody(answer.body);
    await transport.close();
  });
});
