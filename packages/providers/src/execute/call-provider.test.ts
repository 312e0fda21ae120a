import { describe, expect, it, vi } from 'vitest';
import { getProviderAdapter } from '../registry/registry.js';
import { upstreamUnavailableError } from './abort-reason.js';
import { callProvider, createProviderAttempt } from './call-provider.js';
import type { Transport } from './transport.js';

const transport: Transport = { send: vi.fn(), close: async () => {} };

describe('callProvider refusals (no upstream call)', () => {
  it.each([
    [{ provider: 'palm' }, 'PK_ERR_PROVIDER_NOT_SUPPORTED'],
    [{ provider: 'nope' }, 'PK_ERR_INVALID_PROVIDER'],
    [{}, 'PK_ERR_MISSING_PROVIDER'],
  ])('%j → %s', async (target, code) => {
    const outcome = await callProvider({
      target,
      request: { endpoint: 'chat.completions', body: {} },
      transport,
    });
    expect(outcome).toMatchObject({ ok: false, status: 400, error: { code } });
  });

  it('an endpoint the provider lacks is a 400 PK_ERR_UNSUPPORTED_ENDPOINT', async () => {
    const outcome = await callProvider({
      target: { provider: 'groq', api_key: 'k' },
      request: { endpoint: 'embeddings', body: {} },
      transport,
    });
    expect(outcome).toMatchObject({ ok: false, status: 400, error: { code: 'PK_ERR_UNSUPPORTED_ENDPOINT' } });
    expect(transport.send).not.toHaveBeenCalled();
  });

  it('a pass-through the provider lacks is refused naming the path the client called, not pk’s endpoint name', async () => {
    const outcome = await callProvider({
      target: { provider: 'anthropic', api_key: 'k' },
      request: { endpoint: 'passthrough', body: {}, path: '/images/generations?key=secret', method: 'POST' },
      transport,
    });
    expect(outcome).toMatchObject({ ok: false, status: 400, error: { code: 'PK_ERR_UNSUPPORTED_ENDPOINT' } });
    const message = outcome.ok ? '' : outcome.error.message;
    expect(message).toContain(
      "provider 'anthropic' does not support the path /images/generations (passed through)",
    );
    expect(message).not.toContain('secret');
    expect(transport.send).not.toHaveBeenCalled();
  });

  it('a chat request the target cannot take is a 400 outcome with no upstream call, judged per target', async () => {
    const send = vi.fn(async () => ({
      status: 200,
      headers: {},
      body: new Response('{"ok":true}').body as ReadableStream<Uint8Array>,
    }));
    const body = {
      model: 'gemini-2.0-flash',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Summarize it' },
            { type: 'file', file: { file_url: 'https://example.com/contract.pdf' } },
          ],
        },
      ],
    };
    const refused = await callProvider({
      target: { provider: 'google', api_key: 'k' },
      request: { endpoint: 'chat.completions', body },
      transport: { send, close: async () => {} },
    });
    expect(refused).toMatchObject({
      ok: false,
      status: 400,
      error: { code: 'PK_ERR_UNSUPPORTED_FEATURE', param: 'messages[0].content[1]' },
    });
    expect(send).not.toHaveBeenCalled();
    await callProvider({
      target: { provider: 'anthropic', api_key: 'k' },
      request: { endpoint: 'chat.completions', body: { ...body, model: 'claude-sonnet-4-20250514' } },
      transport: { send, close: async () => {} },
    });
    expect(send).toHaveBeenCalledOnce();
    const [sent] = send.mock.calls[0] as unknown as [{ body: string }];
    expect(sent.body).toContain('"source":{"type":"url","url":"https://example.com/contract.pdf"}');
  });

  it('override_params are judged, not the client’s body: a forced stop list over the limit is refused', async () => {
    const outcome = await callProvider({
      target: { provider: 'openai', api_key: 'k', override_params: { stop: ['a', 'b', 'c', 'd', 'e'] } },
      request: { endpoint: 'chat.completions', body: { model: 'gpt-4o', messages: [] } },
      transport,
    });
    expect(outcome).toMatchObject({ ok: false, status: 400, error: { param: 'stop' } });
    expect(transport.send).not.toHaveBeenCalled();
  });

  it('reads a plan leaf (target, override_params) through the attempt port', async () => {
    const send = vi.fn(async () => ({
      status: 200,
      headers: {},
      body: new Response('{"ok":true}').body as ReadableStream<Uint8Array>,
    }));
    const attempt = createProviderAttempt({ transport: { send, close: async () => {} } });
    const leaf = {
      kind: 'leaf',
      path: 'config',
      weight: 1,
      target: { provider: 'openai', api_key: 'k' },
      override_params: { model: 'forced' },
      retry: { attempts: 0, on_status_codes: [], use_retry_after_header: false },
    } as unknown as Parameters<typeof attempt>[0];
    const outcome = await attempt(
      leaf,
      { endpoint: 'chat.completions', body: { model: 'asked', messages: [] } },
      { signal: new AbortController().signal, attempt: 0 },
    );
    expect(outcome.ok).toBe(true);
    const [sent] = send.mock.calls[0] as unknown as [{ body: string }];
    expect(JSON.parse(sent.body)).toEqual({ model: 'forced', messages: [] });
  });
});

describe('callProvider connection failures', () => {
  it('a refused or reset connection is an outcome marked connectionError, so the engine retries it', async () => {
    const send = vi.fn(async () => {
      throw upstreamUnavailableError(
        'openai',
        Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      );
    });
    const outcome = await callProvider({
      target: { provider: 'openai', api_key: 'k' },
      request: { endpoint: 'chat.completions', body: { model: 'm', messages: [] } },
      transport: { send, close: async () => {} },
    });
    expect(outcome).toMatchObject({
      ok: false,
      status: 502,
      connectionError: true,
      error: { code: 'PK_ERR_UPSTREAM_UNAVAILABLE' },
    });
  });

  it('an adapter that throws something else (a bug) is a 500 PK_ERR_INTERNAL keeping the cause, marked internalError, never a connection error', async () => {
    const send = vi.fn();
    const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
    const adapter = {
      ...getProviderAdapter('openai'),
      buildRequest: () => {
        throw bug;
      },
    };
    for (const endpoint of ['chat.completions', 'messages'] as const) {
      const outcome = await callProvider({
        target: { provider: 'openai', api_key: 'k' },
        request: {
          endpoint,
          body: { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] },
        },
        transport: { send, close: async () => {} },
        adapter,
      });
      expect(outcome, endpoint).toMatchObject({ ok: false, status: 500, error: { code: 'PK_ERR_INTERNAL' } });
      if (outcome.ok) return;
      expect(outcome).not.toHaveProperty('connectionError');
      expect(outcome.internalError, endpoint).toBe(true);
      expect((outcome.error as Error).cause).toBe(bug);
      expect(outcome.error.message).toBe(
        "provider 'openai': the call failed inside pk (TypeError); see the gateway log",
      );
    }
    expect(send).not.toHaveBeenCalled();
  });

  it('a transport that lets a network error through (not an UpstreamError) still gives a connection error', async () => {
    const send = vi.fn(async () => {
      throw Object.assign(new Error('getaddrinfo EAI_AGAIN api.openai.com'), { code: 'EAI_AGAIN' });
    });
    const outcome = await callProvider({
      target: { provider: 'openai', api_key: 'k' },
      request: { endpoint: 'chat.completions', body: { model: 'm', messages: [] } },
      transport: { send, close: async () => {} },
    });
    expect(outcome).toMatchObject({ ok: false, status: 502, connectionError: true });
    expect(outcome).not.toHaveProperty('internalError');
  });

  it('an error answer is not a connection error', async () => {
    const send = vi.fn(async () => ({
      status: 503,
      headers: { 'content-type': 'application/json' },
      body: new Response('{"error":{"message":"overloaded","type":"server_error"}}')
        .body as ReadableStream<Uint8Array>,
    }));
    const outcome = await callProvider({
      target: { provider: 'openai', api_key: 'k' },
      request: { endpoint: 'chat.completions', body: { model: 'm', messages: [] } },
      transport: { send, close: async () => {} },
    });
    expect(outcome).toMatchObject({ ok: false, status: 503 });
    expect((outcome as { connectionError?: boolean }).connectionError).toBeUndefined();
  });
});

describe('strict OpenAI compliance', () => {
  const anthropicAnswer = JSON.stringify({
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4',
    content: [
      { type: 'thinking', thinking: 'Paris it is.', signature: 'sig' },
      { type: 'text', text: 'Paris.' },
    ],
    stop_reason: 'end_turn',
    usage: { input_tokens: 3, output_tokens: 2 },
  });
  const leafWith = (strict: boolean | undefined) =>
    ({
      kind: 'leaf',
      path: 'config',
      weight: 1,
      target: { provider: 'anthropic', api_key: 'k' },
      override_params: {},
      retry: { attempts: 0, on_status_codes: [], use_retry_after_header: false },
      ...(strict === undefined ? {} : { strict_open_ai_compliance: strict }),
    }) as unknown as Parameters<ReturnType<typeof createProviderAttempt>>[0];

  it.each([
    [undefined, undefined, false],
    [true, undefined, false],
    [false, undefined, true],
    [undefined, false, true],
    [true, false, true],
    [false, true, true],
  ])('header %s, config %s → reasoning shown: %s', async (header, config, shown) => {
    const send = vi.fn(async () => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: new Response(anthropicAnswer).body as ReadableStream<Uint8Array>,
    }));
    const attempt = createProviderAttempt({ transport: { send, close: async () => {} } });
    const outcome = await attempt(
      leafWith(config),
      {
        endpoint: 'chat.completions',
        body: { model: 'claude-sonnet-4', messages: [{ role: 'user', content: 'hi' }] },
        ...(header === undefined ? {} : { strictOpenAICompliance: header }),
      },
      { signal: new AbortController().signal, attempt: 0 },
    );
    if (!outcome.ok || outcome.value.kind !== 'json') throw new Error('expected a JSON answer');
    const message = (outcome.value.body as { choices: { message: Record<string, unknown> }[] }).choices[0]
      ?.message;
    expect(message?.reasoning_content !== undefined).toBe(shown);
  });
});

describe('usage the vendor did not report', () => {
  it('Gemini embeddings: the client gets OpenAI’s usage shape (zeros), the caller no usage, so no $0 is priced', async () => {
    // Gemini's batchEmbedContents answer has the vectors and no token counts
    // (https://ai.google.dev/api/embeddings#response-body_2).
    const send = vi.fn(async () => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: new Response(JSON.stringify({ embeddings: [{ values: [0.5, 0.25] }] }))
        .body as ReadableStream<Uint8Array>,
    }));
    const outcome = await callProvider({
      target: { provider: 'google', api_key: 'k' },
      request: { endpoint: 'embeddings', body: { model: 'gemini-embedding-001', input: 'hello' } },
      transport: { send, close: async () => {} },
    });
    expect(outcome.ok && outcome.value.kind === 'json').toBe(true);
    if (!outcome.ok || outcome.value.kind !== 'json') return;
    expect(outcome.value.body).toMatchObject({ usage: { prompt_tokens: 0, total_tokens: 0 } });
    expect(outcome.value.usage).toBeUndefined();
  });
});
