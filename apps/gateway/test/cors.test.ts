import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type RunningGateway, startGatewayApp } from './support/gateway-harness.js';

// CORS for browser clients: off by default, on for the settings' allowed_origins.
const PAGE = 'http://localhost:3000';
let upstream: MockOpenAI;
let open: RunningGateway;
let keyed: RunningGateway;
let closed: RunningGateway;

beforeAll(async () => {
  upstream = await startMockOpenAI();
  const virtual_keys = {
    mock: { provider: 'openai', api_key: 'sk-cors', options: { custom_host: `${upstream.url}/v1` } },
  };
  open = await startGatewayApp({ virtual_keys, allowed_origins: [PAGE] });
  keyed = await startGatewayApp(
    { virtual_keys, allowed_origins: [PAGE], gateway_keys: [{ id: 'web', key: 'env:PK_WEB_KEY' }] },
    { PK_WEB_KEY: 'pk-web-123' },
  );
  closed = await startGatewayApp({ virtual_keys });
});
afterAll(async () => {
  await Promise.all([open.close(), keyed.close(), closed.close()]);
  await upstream.close();
});

const preflight = (gateway: RunningGateway, origin: string) =>
  fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type, x-portkey-virtual-key',
    },
  });

const chat = (gateway: RunningGateway, headers: Record<string, string>, stream = false) =>
  fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-portkey-virtual-key': 'mock', ...headers },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream }),
  });

describe('CORS', () => {
  it('answers a preflight from an allowed origin with 204, before authentication', async () => {
    for (const gateway of [open, keyed]) {
      const response = await preflight(gateway, PAGE);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(PAGE);
      expect(response.headers.get('access-control-allow-methods')).toContain('POST');
      expect(response.headers.get('access-control-allow-headers')).toBe(
        'authorization, content-type, x-portkey-virtual-key',
      );
      expect(response.headers.get('vary')).toContain('Origin');
      expect(response.headers.get('x-portkey-trace-id')).toBeTruthy();
    }
  });

  it('lets the page read the x-portkey-* headers of answers, errors and streams', async () => {
    const ok = await chat(open, { origin: PAGE });
    expect(ok.status).toBe(200);
    await ok.text();
    expect(ok.headers.get('access-control-allow-origin')).toBe(PAGE);
    const exposed = ok.headers.get('access-control-expose-headers') ?? '';
    for (const name of [
      'x-portkey-trace-id',
      'x-portkey-provider',
      'x-portkey-retry-attempt-count',
      'x-ratelimit-remaining-tokens',
      // A page under a virtual key's limits reads its room, and an Anthropic SDK page Anthropic's.
      'x-pk-ratelimit-remaining-requests',
      'x-pk-ratelimit-reset-tokens',
      'anthropic-ratelimit-requests-remaining',
      'anthropic-ratelimit-output-tokens-reset',
    ]) {
      expect(exposed.split(', ')).toContain(name);
    }
    const failed = await chat(open, { origin: PAGE, 'x-portkey-virtual-key': 'nope' });
    expect(failed.status).toBe(404);
    await failed.text();
    expect(failed.headers.get('access-control-allow-origin')).toBe(PAGE);
    const streamed = await chat(open, { origin: PAGE }, true);
    expect(streamed.headers.get('content-type')).toContain('text/event-stream');
    await streamed.text();
    expect(streamed.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(streamed.headers.get('access-control-expose-headers')).toContain('x-portkey-trace-id');
  });

  it('still needs the gateway key on the request itself', async () => {
    const response = await chat(keyed, { origin: PAGE });
    expect(response.status).toBe(401);
    await response.text();
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE); // the page can read the 401
    const authorised = await chat(keyed, { origin: PAGE, 'x-portkey-api-key': 'pk-web-123' });
    expect(authorised.status).toBe(200);
    await authorised.text();
  });

  it('gives other origins no CORS headers: 403, preflight included', async () => {
    for (const gateway of [open, closed]) {
      const response = await preflight(gateway, 'https://evil.example');
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('PK_ERR_FORBIDDEN');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('is off by default', async () => {
    const response = await chat(closed, {});
    expect(response.status).toBe(200);
    await response.text();
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-expose-headers')).toBeNull();
  });
});
