import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { resolveSettings } from '../settings/load-settings.js';
import { holdRequestLog, releaseRequestLog } from './request-log.js';

function captureLogs(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('request log', () => {
  it('tells request-end subscribers once per request, in encapsulated routes too, and survives a throwing one', async () => {
    const app = await buildApp({});
    const ends: { status: number; model: string | undefined; trace: string }[] = [];
    app.onRequestEnd(() => {
      throw new Error('a broken subscriber');
    });
    app.onRequestEnd((end) => {
      ends.push({ status: end.status, model: end.fields.model, trace: end.request.traceId });
    });
    await app.register(async (child) => {
      child.get('/v1/probe-child', async (request) => {
        request.logFields.model = 'gpt-4o-mini';
        return { ok: true };
      });
    });
    const response = await app.inject({ url: '/v1/probe-child', headers: { 'x-portkey-trace-id': 'end-1' } });
    expect(response.statusCode).toBe(200);
    const refused = await app.inject({ url: '/v1/no-such-route' });
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);
    await app.close();
    expect(ends).toEqual([
      { status: 200, model: 'gpt-4o-mini', trace: 'end-1' },
      { status: refused.statusCode, model: undefined, trace: expect.any(String) },
    ]);
  });

  it('writes one JSON line per request with its trace id, never headers, query or credentials', async () => {
    const logs = captureLogs();
    const settings = resolveSettings(
      { gateway_keys: [{ id: 'team-a', key: 'pk-gateway-secret' }] },
      { env: {}, files: new Map() },
    );
    const app = await buildApp({ settings, logger: { level: 'info', stream: logs.stream } });
    app.get('/v1/probe', async (request) => {
      request.logFields.provider = 'openai';
      request.logFields.model = 'gpt-4o-mini';
      request.logFields.targetPath = 'config.targets[1]';
      return { ok: true };
    });
    const response = await app.inject({
      url: '/v1/probe?api_key=sk-in-query',
      headers: {
        'x-portkey-api-key': 'pk-gateway-secret',
        authorization: 'Bearer sk-provider-secret',
        'x-portkey-trace-id': 'trace-log-1',
      },
    });
    expect(response.statusCode).toBe(200);
    await app.close();
    const requestLines = logs.lines().filter((line) => line.msg === 'request');
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      traceId: 'trace-log-1',
      method: 'GET',
      path: '/v1/probe',
      status: 200,
      tenant: 'team-a',
      provider: 'openai',
      model: 'gpt-4o-mini',
      targetPath: 'config.targets[1]',
    });
    expect(typeof requestLines[0]?.latencyMs).toBe('number');
    const everything = JSON.stringify(logs.lines());
    for (const secret of ['pk-gateway-secret', 'sk-provider-secret', 'sk-in-query'])
      expect(everything).not.toContain(secret);
  });

  it('logs refused requests too', async () => {
    const logs = captureLogs();
    const app = await buildApp({ logger: { level: 'info', stream: logs.stream } });
    await app.inject({ url: '/health', headers: { host: 'evil.example' } });
    await app.close();
    expect(logs.lines().filter((line) => line.msg === 'request')).toEqual([
      expect.objectContaining({ status: 403, path: '/health', tenant: 'anonymous' }),
    ]);
  });

  it('a request whose client leaves gets exactly one line, 499, once the route has let go of it', async () => {
    const logs = captureLogs();
    const app = await buildApp({ logger: { level: 'info', stream: logs.stream } });
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      app.get('/v1/slow', (request, reply) => {
        holdRequestLog(request);
        request.logFields.targetPath = 'config.targets[1]';
        release = () => {
          request.logFields.attempts = 2;
          releaseRequestLog(request, reply);
          resolve();
        };
      });
    });
    const unheld = new Promise<void>((resolve) => {
      app.get('/v1/unheld', () => {
        resolve();
        return new Promise(() => {});
      });
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const abandon = (path: string) => {
      const client = httpRequest({ host: '127.0.0.1', port, path, headers: { 'x-portkey-trace-id': path } });
      client.on('error', () => {});
      client.end();
      return client;
    };
    const held = abandon('/v1/slow');
    const other = abandon('/v1/unheld');
    await unheld;
    other.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    held.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The held line waits for the route: none yet.
    const lines = () => logs.lines().filter((line) => line.msg === 'request');
    expect(lines().map((line) => line.traceId)).toEqual(['/v1/unheld']);
    release();
    await released;
    await app.close();
    expect(lines()).toEqual([
      expect.objectContaining({ traceId: '/v1/unheld', status: 499 }),
      expect.objectContaining({
        traceId: '/v1/slow',
        status: 499,
        targetPath: 'config.targets[1]',
        attempts: 2,
      }),
    ]);
  });
});
