import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_PLANE_SEGMENTS, PK_SEGMENTS } from '../src/routes/control-plane-routes.js';
import { type GatewayProcess, startGateway } from './server-process.js';
import { type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';

// The gateway's own path families (Portkey's admin and control plane, pk's traces and breakers):
// under `/v1` every other path is passed through to the provider, so a method or sub-path of one of
// them that no route serves must still be answered by the gateway, never sent on with the caller's
// credentials, whether the request log store is on or off.
let mock: ProviderMock;
const gateways: Record<'on' | 'off', GatewayProcess | undefined> = { on: undefined, off: undefined };

beforeAll(async () => {
  mock = await startProviderMock();
  gateways.on = await startGateway();
  gateways.off = await startGateway({ PK_LOG_STORE: 'off' });
}, 30_000);
afterAll(async () => {
  gateways.on?.child.kill('SIGKILL');
  gateways.off?.child.kill('SIGKILL');
  await mock?.close();
});

/** A request as the README's curl sends it: a provider, its key, and a custom host (the mock). */
async function send(
  gateway: GatewayProcess,
  method: string,
  path: string,
): Promise<{ status: number; error: { code?: string; message?: string } | undefined }> {
  const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: {
      'x-portkey-provider': 'openai',
      authorization: 'Bearer sk-user',
      'x-portkey-custom-host': `${mock.url}/v1`,
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
    },
    ...(hasBody ? { body: '{}' } : {}),
  });
  const text = await response.text();
  let error: { code?: string; message?: string } | undefined;
  try {
    error = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
  } catch {
    error = undefined;
  }
  return { status: response.status, error };
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** Every first path segment the gateway serves a route under (Portkey's admin API, logs, pk's own). */
const FAMILIES = [...new Set([...CONTROL_PLANE_SEGMENTS, 'traces', 'breakers'])];

describe('pk’s own path families', () => {
  it('include the traces and breakers routes beside Portkey’s segments', () => {
    expect(PK_SEGMENTS).toEqual(expect.arrayContaining(['traces', 'breakers']));
    for (const served of ['configs', 'logs', 'analytics', 'feedback', 'prompts', 'guardrails']) {
      expect(CONTROL_PLANE_SEGMENTS).toContain(served);
    }
  });

  it.each(['on', 'off'] as const)(
    'never reach the provider, whatever the method or sub-path (log store %s)',
    async (mode) => {
      const gateway = gateways[mode];
      if (!gateway) throw new Error('the gateway did not start');
      mock.received.length = 0;
      for (const segment of FAMILIES) {
        for (const path of [`/v1/${segment}`, `/v1/${segment}/a`, `/v1/${segment}/a/b`]) {
          for (const method of METHODS) {
            await send(gateway, method, path);
          }
        }
      }
      expect(mock.received.map((request) => `${request.method} ${request.path}`)).toEqual([]);
    },
    60_000,
  );

  it('answer 404 for a path of the traces or breakers API that no route serves', async () => {
    const gateway = gateways.on;
    if (!gateway) throw new Error('the gateway did not start');
    mock.received.length = 0;
    for (const [method, path] of [
      ['GET', '/v1/traces'],
      ['GET', '/v1/traces/a/b'],
      ['GET', '/v1/breakers/x/y'],
      ['POST', '/v1/breakers'],
      ['DELETE', '/v1/breakers'],
    ] as const) {
      expect(await send(gateway, method, path), `${method} ${path}`).toEqual({
        status: 404,
        error: expect.objectContaining({ code: 'PK_ERR_NOT_FOUND', message: `no route ${method} ${path}` }),
      });
    }
    expect(mock.received).toHaveLength(0);
  });

  it('answer pk’s health at /v1/health and 404 for /v1/metrics, never sending either on', async () => {
    const gateway = gateways.on;
    if (!gateway) throw new Error('the gateway did not start');
    mock.received.length = 0;
    const health = await fetch(`${gateway.url}/v1/health`, {
      headers: {
        'x-portkey-provider': 'openai',
        authorization: 'Bearer sk-user',
        'x-portkey-custom-host': `${mock.url}/v1`,
      },
    });
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    for (const method of METHODS) {
      const paths = ['/v1/metrics', '/v1/metrics/a', '/v1/health/a', '/v1/health/a/b'];
      if (method !== 'GET') paths.push('/v1/health');
      for (const path of paths) {
        expect(await send(gateway, method, path), `${method} ${path}`).toEqual({
          status: 404,
          error: expect.objectContaining({ code: 'PK_ERR_NOT_FOUND', message: `no route ${method} ${path}` }),
        });
      }
    }
    expect(mock.received.map((request) => `${request.method} ${request.path}`)).toEqual([]);
  });

  it('say the request log store is off for traces and analytics with PK_LOG_STORE=off', async () => {
    const gateway = gateways.off;
    if (!gateway) throw new Error('the gateway did not start');
    mock.received.length = 0;
    for (const path of ['/v1/traces/abc', '/v1/analytics/summary', '/v1/analytics/graphs/cost', '/v1/logs']) {
      expect(await send(gateway, 'GET', path), path).toEqual({
        status: 501,
        error: expect.objectContaining({
          code: 'PK_ERR_NOT_IMPLEMENTED',
          message: `${path} is off: this gateway runs without the request log store (PK_LOG_STORE=off)`,
        }),
      });
    }
    expect(mock.received).toHaveLength(0);
  });
});
