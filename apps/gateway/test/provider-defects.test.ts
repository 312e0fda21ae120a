import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningGateway, startGatewayApp } from './support/gateway-harness.js';

// A provider call that fails inside pk (a defect of an adapter or of a transport, not the provider)
// is a 500 PK_ERR_INTERNAL whose cause reaches the log, never a "provider could not be reached"
// connection error that the engine retries whatever on_status_codes says.
const GATEWAY_KEY = 'pk-provider-defects';
const defect = new TypeError("Cannot read properties of undefined (reading 'headers')");
const send = vi.fn(async () => {
  throw defect;
});
let gateway: RunningGateway;

beforeAll(async () => {
  gateway = await startGatewayApp(
    { gateway_keys: [{ id: 'team', key: GATEWAY_KEY }] },
    {},
    { transport: { send, close: async () => {} } },
  );
});
afterAll(async () => {
  await gateway?.close();
});

describe('a provider call that fails inside pk', () => {
  it('answers 500 PK_ERR_INTERNAL at once (no connection-error retries), and logs what was thrown with the trace id', async () => {
    const client = new OpenAI({
      baseURL: `${gateway.url}/v1`,
      apiKey: 'sk-provider-key',
      maxRetries: 0,
      defaultHeaders: {
        'x-portkey-api-key': GATEWAY_KEY,
        'x-portkey-config': JSON.stringify({
          provider: 'openai',
          retry: { attempts: 3, on_status_codes: [429] },
        }),
      },
    });
    const caught = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => expect.fail('the call succeeded'),
        (error: unknown) => error as { status?: number; code?: string; message: string; headers?: Headers },
      );
    expect(caught.status).toBe(500);
    expect(caught.code).toBe('PK_ERR_INTERNAL');
    expect(caught.message).toContain("provider 'openai': the call failed inside pk (TypeError)");
    expect(send).toHaveBeenCalledTimes(1);
    const traceId = caught.headers?.get('x-portkey-trace-id');
    expect(traceId).toBeTruthy();
    const line = gateway
      .logs()
      .split('\n')
      .filter((text) => text.startsWith('{'))
      .map((text) => JSON.parse(text) as { msg?: string; traceId?: string; err?: { message?: string } })
      .find((entry) => entry.msg === 'provider call failed inside pk');
    expect(line).toMatchObject({ traceId, err: { message: defect.message } });
  });
});
