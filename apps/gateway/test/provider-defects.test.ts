import type { UpstreamRequest, UpstreamResponse } from '@pk/providers';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type RunningGateway, startGatewayApp } from './support/gateway-harness.js';
import { logLineWhere } from './support/output-lines.js';

// A provider call that fails inside pk (a defect of an adapter or of a transport, not the provider)
// is a 500 PK_ERR_INTERNAL whose cause reaches the log, never a "provider could not be reached"
// connection error that the engine retries whatever on_status_codes says, and never retried at all
// (the same defect would strike again) nor counted by the target's circuit breaker; fallback moves on.
const GATEWAY_KEY = 'pk-provider-defects';
const defect = new TypeError("Cannot read properties of undefined (reading 'headers')");
const GROQ_ANSWER = JSON.stringify({
  id: 'chatcmpl-groq-1',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'llama-3.3-70b-versatile',
  choices: [{ index: 0, message: { role: 'assistant', content: 'from groq' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
});
// The OpenAI adapter's call hits the defect; Groq's (a fallback target) is answered as Groq would.
const send = vi.fn(async (request: UpstreamRequest): Promise<UpstreamResponse> => {
  if (!request.url.startsWith('https://api.groq.com/')) throw defect;
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: (async function* () {
      yield new TextEncoder().encode(GROQ_ANSWER);
    })(),
  };
});
const openaiCalls = () =>
  send.mock.calls.filter(([request]) => request.url.startsWith('https://api.openai.com/'));
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
beforeEach(() => {
  send.mockClear();
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
    expect(openaiCalls()).toHaveLength(1);
    const traceId = caught.headers?.get('x-portkey-trace-id');
    expect(traceId).toBeTruthy();
    const line = await gateway.waitForLine(
      logLineWhere((entry) => entry.msg === 'provider call failed inside pk'),
    );
    expect(line).toMatchObject({ traceId, err: { message: defect.message } });
  });

  it('is not retried even when on_status_codes names 500, nor counted by the breaker: the fallback target answers', async () => {
    const client = new OpenAI({
      baseURL: `${gateway.url}/v1`,
      apiKey: 'unused',
      maxRetries: 0,
      defaultHeaders: {
        'x-portkey-api-key': GATEWAY_KEY,
        'x-portkey-config': JSON.stringify({
          strategy: { mode: 'fallback', cb_config: { failure_threshold: 1, cooldown_interval: 60_000 } },
          targets: [
            { provider: 'openai', api_key: 'sk-openai', retry: { attempts: 3, on_status_codes: [500] } },
            { provider: 'groq', api_key: 'gsk-groq', override_params: { model: 'llama-3.3-70b-versatile' } },
          ],
        }),
      },
    });
    for (const round of [1, 2]) {
      const { data, response } = await client.chat.completions
        .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
        .withResponse();
      expect(data.choices[0]?.message.content, `round ${round}`).toBe('from groq');
      expect(response.headers.get('x-portkey-provider')).toBe('groq');
      expect(response.headers.get('x-portkey-retry-attempt-count')).toBe('0');
      // One try of the OpenAI target per request, no back-off retry: in the second round too, so the
      // first defect did not open its breaker (failure_threshold 1) against it.
      expect(openaiCalls(), `round ${round}`).toHaveLength(round);
    }
    expect(send).toHaveBeenCalledTimes(4);
  });
});
