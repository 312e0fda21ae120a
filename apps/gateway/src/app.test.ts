import { once } from 'node:events';
import { type AddressInfo, connect } from 'node:net';
import { buildSnapshot, type Catalog, type CatalogSnapshot, hashGatewayKeySecret } from '@pk/store';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { resolveSettings } from './settings/load-settings.js';

const apps: Awaited<ReturnType<typeof buildApp>>[] = [];
async function app(settingsInput: unknown = {}) {
  const instance = await buildApp({
    settings: resolveSettings(settingsInput, { env: {}, files: new Map() }),
  });
  apps.push(instance);
  return instance;
}
afterEach(async () => {
  await Promise.all(apps.splice(0).map((instance) => instance.close()));
});

const keyed = {
  gateway_keys: [
    { id: 'team-a', key: 'pk-team-a' },
    { id: 'team-b', key: 'pk-team-b' },
  ],
};

describe('gateway app: cross-cutting behaviour', () => {
  it('answers GET /health', async () => {
    const response = await (await app()).inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
    expect(response.headers['x-portkey-trace-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('takes the trace id from x-portkey-trace-id, then traceparent, else makes one', async () => {
    const instance = await app();
    const given = await instance.inject({ url: '/health', headers: { 'x-portkey-trace-id': 'checkout-42' } });
    expect(given.headers['x-portkey-trace-id']).toBe('checkout-42');
    const w3c = await instance.inject({
      url: '/health',
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    });
    expect(w3c.headers['x-portkey-trace-id']).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    const unsafe = await instance.inject({
      url: '/health',
      headers: { 'x-portkey-trace-id': 'a'.repeat(300) },
    });
    expect(unsafe.headers['x-portkey-trace-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes with the OpenAI envelope, a trace id and x-should-retry: false', async () => {
    const response = await (await app()).inject({ method: 'GET', url: '/nope?key=secret' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: {
        message: 'no route GET /nope',
        type: 'not_found_error',
        param: null,
        code: 'PK_ERR_NOT_FOUND',
      },
    });
    expect(response.headers['x-should-retry']).toBe('false');
    expect(response.headers['x-portkey-trace-id']).toBeTruthy();
  });

  describe('without gateway keys', () => {
    it.each(['localhost:8787', '127.0.0.1:8787', '[::1]:8787', 'LOCALHOST'])(
      'serves Host %s',
      async (host) => {
        const response = await (await app()).inject({ url: '/health', headers: { host } });
        expect(response.statusCode).toBe(200);
      },
    );

    it.each([
      'evil.example',
      'evil.example:8787',
      '127.0.0.1.nip.io',
      '10.0.0.5:8787',
      'localhost.evil.example',
    ])('refuses Host %s with 403 (DNS rebinding)', async (host) => {
      const response = await (await app()).inject({ url: '/health', headers: { host } });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('PK_ERR_FORBIDDEN');
    });

    it('refuses a browser Origin that is not allowed, serves an allowed one', async () => {
      const instance = await app({ allowed_origins: ['http://localhost:3000'] });
      const refused = await instance.inject({ url: '/health', headers: { origin: 'https://evil.example' } });
      expect(refused.statusCode).toBe(403);
      const allowed = await instance.inject({ url: '/health', headers: { origin: 'http://localhost:3000' } });
      expect(allowed.statusCode).toBe(200);
    });
  });

  describe('with gateway keys', () => {
    it('401 without a key or with a wrong one, in the envelope', async () => {
      const instance = await app(keyed);
      for (const headers of [{}, { 'x-portkey-api-key': 'pk-wrong' }, { authorization: 'Bearer pk-wrong' }]) {
        const response = await instance.inject({ url: '/v1/models', headers });
        expect(response.statusCode).toBe(401);
        expect(response.json().error).toMatchObject({
          type: 'authentication_error',
          code: 'PK_ERR_UNAUTHORIZED',
        });
        expect(response.headers['x-should-retry']).toBe('false');
      }
    });

    it('accepts x-portkey-api-key or Authorization: Bearer, from any Host', async () => {
      const instance = await app(keyed);
      const byHeader = await instance.inject({
        url: '/v1/models',
        headers: { 'x-portkey-api-key': 'pk-team-b', host: 'gw.example' },
      });
      expect(byHeader.statusCode).toBe(200); // authenticated: the declared models (none here)
      const byBearer = await instance.inject({
        url: '/v1/models',
        headers: { authorization: 'Bearer pk-team-a' },
      });
      expect(byBearer.statusCode).toBe(200);
    });

    it('keeps /health open for probes', async () => {
      const response = await (await app(keyed)).inject({ url: '/health', headers: { host: 'gw.example' } });
      expect(response.statusCode).toBe(200);
    });

    it('keeps /v1/health open for probes too, but not /v1/metrics', async () => {
      const instance = await app(keyed);
      const health = await instance.inject({ url: '/v1/health', headers: { host: 'gw.example' } });
      expect(health.statusCode).toBe(200);
      expect(health.json()).toEqual({ status: 'ok' });
      const metrics = await instance.inject({ url: '/v1/metrics', headers: { host: 'gw.example' } });
      expect(metrics.statusCode).toBe(401);
    });
  });

  describe('with keys that change at run time (the store’s catalog)', () => {
    const key = (id: string, tenant = id, expiresAt?: number) => ({
      id,
      name: id,
      tenant,
      role: 'user' as const,
      keyHash: hashGatewayKeySecret(`secret-${id}`),
      scopes: [],
      ...(expiresAt === undefined ? {} : { expiresAt }),
    });
    function liveCatalog(first: CatalogSnapshot): Catalog & { set(next: CatalogSnapshot): void } {
      let snapshot = first;
      return {
        get snapshot() {
          return snapshot;
        },
        onChange: () => () => undefined,
        set: (next) => {
          snapshot = next;
        },
      };
    }
    const snapshotOf = (keys: ReturnType<typeof key>[], retired: string[] = []) =>
      buildSnapshot(1, {
        gatewayKeys: keys,
        virtualKeys: [],
        configs: [],
        retiredKeyHashes: retired.map((id) => hashGatewayKeySecret(`secret-${id}`)),
      });
    const models = (instance: Awaited<ReturnType<typeof buildApp>>, secret?: string) =>
      instance.inject({ url: '/v1/models', headers: secret ? { 'x-portkey-api-key': secret } : {} });

    it('counts a key from the next request after it is created, revoked or expired', async () => {
      const catalog = liveCatalog(snapshotOf([]));
      const instance = await buildApp({ catalog, logger: false });
      apps.push(instance);
      expect((await models(instance)).statusCode).toBe(200); // keyless, loopback
      catalog.set(snapshotOf([key('a', 'acme'), key('old', 'acme', Date.now() - 1)]));
      expect((await models(instance)).statusCode).toBe(401);
      expect((await models(instance, 'secret-a')).statusCode).toBe(200);
      const expired = await models(instance, 'secret-old');
      expect(expired.statusCode).toBe(401);
      expect(expired.json().error.message).toBe('this gateway key has been revoked or has expired');
      // The last active key revoked: loopback callers without a key are served again, the revoked key is not.
      catalog.set(snapshotOf([], ['a']));
      expect((await models(instance)).statusCode).toBe(200);
      expect((await models(instance, 'secret-a')).statusCode).toBe(401);
      const asBearer = await instance.inject({
        url: '/v1/models',
        headers: { authorization: 'Bearer secret-a' },
      });
      expect(asBearer.statusCode).toBe(401);
    });

    it('beyond loopback, answers 401 once every key is revoked instead of serving without one', async () => {
      const catalog = liveCatalog(snapshotOf([key('a')]));
      const instance = await buildApp({ catalog, allowKeyless: false, logger: false });
      apps.push(instance);
      expect((await models(instance, 'secret-a')).statusCode).toBe(200);
      catalog.set(snapshotOf([], ['a']));
      expect((await models(instance)).statusCode).toBe(401);
      expect((await models(instance, 'secret-a')).statusCode).toBe(401);
    });
  });

  it('answers malformed JSON with 400 in the envelope', async () => {
    const instance = await app();
    instance.post('/echo', async (request) => request.body);
    const response = await instance.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"model": "gpt-4o",',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      code: 'PK_ERR_INVALID_REQUEST',
      type: 'invalid_request_error',
    });
  });

  it('answers an oversized body with 413 in the envelope', async () => {
    const instance = await app({ limits: { body_limit_bytes: 1024 } });
    instance.post('/echo', async (request) => request.body);
    const response = await instance.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ text: 'x'.repeat(4096) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('PK_ERR_PAYLOAD_TOO_LARGE');
  });

  it('hides internals of unexpected errors behind the trace id', async () => {
    const instance = await app();
    instance.get('/boom', async () => {
      throw new Error('database password=hunter2 at /srv/secret.ts:12');
    });
    const response = await instance.inject({ url: '/boom' });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('hunter2');
    expect(response.json().error.message).toContain(response.headers['x-portkey-trace-id']);
  });

  it('answers 503 with connection: close once shutting down', async () => {
    const instance = await app();
    instance.shutdown.shuttingDown = true;
    const response = await instance.inject({ url: '/health' });
    expect(response.statusCode).toBe(503);
    expect(response.headers.connection).toBe('close');
    expect(response.json().error.code).toBe('PK_ERR_SHUTTING_DOWN');
  });

  it('answers a request that finishes arriving while the server closes in the error envelope, not fastify’s own 503', async () => {
    // A replica's close waits for its last log writes (seconds while PostgreSQL is down): a request
    // whose first bytes came before it began (so its connection was not idle) reached fastify's
    // closing router, which answered {"error":"Service Unavailable",…}, a body no OpenAI client reads.
    const instance = await buildApp({
      settings: resolveSettings({}, { env: {}, files: new Map() }),
      logger: false,
    });
    await instance.listen({ host: '127.0.0.1', port: 0 });
    const socket = connect((instance.server.address() as AddressInfo).port, '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
    });
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    socket.write('POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    instance.shutdown.shuttingDown = true;
    const closed = instance.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.write(
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await once(socket, 'close');
    await closed;
    const [head = '', payload = ''] = received.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 503 /);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(payload)).toMatchObject({
      error: { code: 'PK_ERR_SHUTTING_DOWN', type: 'api_error', message: expect.any(String) },
    });
  });
});
