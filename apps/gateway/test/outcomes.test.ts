import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type RunningGateway, startGatewayApp } from './support/gateway-harness.js';
import { closedPort } from './support/network-faults.js';

// The README's outcome → status table, each row driven through the gateway over HTTP.
let upstream: MockOpenAI;
let gateway: RunningGateway;
beforeAll(async () => {
  upstream = await startMockOpenAI({ record: true });
  gateway = await startGatewayApp({
    virtual_keys: {
      mock: { provider: 'openai', api_key: 'sk-outcomes', options: { custom_host: `${upstream.url}/v1` } },
    },
  });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

async function call(config: unknown, model = 'gpt-4o-mini') {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-portkey-config': JSON.stringify(config) },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const body = (await response.json()) as {
    error?: { message: string; type: string | null; code: string | number | null };
  };
  return { status: response.status, headers: response.headers, body };
}

describe('outcomes and their statuses', () => {
  it('attempt timeout → 408 timeout_error PK_ERR_TIMEOUT', async () => {
    const result = await call({ virtual_key: 'mock', request_timeout: 150 }, 'slow-1500');
    expect(result.status).toBe(408);
    expect(result.body.error).toMatchObject({ type: 'timeout_error', code: 'PK_ERR_TIMEOUT' });
    // One attempt that may succeed on retry: the client's own retry policy applies.
    expect(result.headers.get('x-should-retry')).toBeNull();
  });

  it('request_deadline reached → 504 PK_ERR_DEADLINE', async () => {
    const result = await call(
      {
        request_deadline: 300,
        retry: { attempts: 3, on_status_codes: [500], backoff: { initial_ms: 200 } },
        virtual_key: 'mock',
      },
      'fail-500',
    );
    expect(result.status).toBe(504);
    expect(result.body.error).toMatchObject({ type: 'timeout_error', code: 'PK_ERR_DEADLINE' });
  });

  it('connection failure after retries → 502 PK_ERR_UPSTREAM_UNAVAILABLE, retry count -1', async () => {
    const port = await closedPort();
    const result = await call({
      provider: 'openai',
      api_key: 'sk-outcomes',
      custom_host: `http://127.0.0.1:${port}/v1`,
      retry: { attempts: 1, backoff: { initial_ms: 1 } },
    });
    expect(result.status).toBe(502);
    expect(result.body.error?.code).toBe('PK_ERR_UPSTREAM_UNAVAILABLE');
    expect(result.headers.get('x-portkey-retry-attempt-count')).toBe('-1');
  });

  it('upstream errors keep their status and the vendor type and code', async () => {
    const result = await call({ virtual_key: 'mock' }, 'fail-429');
    expect(result.status).toBe(429);
    expect(result.body.error).toMatchObject({
      type: 'requests',
      code: null,
      message: 'The server had an error (scripted 429)',
    });
    expect(result.headers.get('x-portkey-provider')).toBe('openai');
  });

  it('all breakers open with fail_fast → 503 PK_ERR_CIRCUIT_OPEN with Retry-After, without calling upstream', async () => {
    const config = {
      strategy: {
        mode: 'fallback',
        cb_config: { failure_threshold: 1, cooldown_interval: 60_000, on_all_open: 'fail_fast' },
      },
      targets: [
        { virtual_key: 'mock', override_params: { model: 'fail-500' } },
        { virtual_key: 'mock', override_params: { model: 'fail-502' } },
      ],
    };
    const first = await call(config);
    expect(first.status).toBe(502); // the last target's own answer
    const before = upstream.received.length;
    const second = await call(config);
    expect(second.status).toBe(503);
    expect(second.body.error?.code).toBe('PK_ERR_CIRCUIT_OPEN');
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(upstream.received.length).toBe(before);
  });
});
