import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idWithThoughtSignature } from '../google/signed-tool-call-id.js';
import { rememberBodyJson } from '../shared/body-json.js';
import { bedrockFramesFromChunks } from '../test-support/bedrock-frames.js';
import {
  readChunkFixture,
  readFixtureText,
  readJsonFixture,
  sseFramesFromChunks,
} from '../test-support/fixtures.js';
import { MATRIX_AWS_CREDENTIALS } from '../test-support/matrix-targets.js';
import { type MockUpstream, startMockUpstream } from '../test-support/mock-upstream.js';
import { verifySigV4Request } from '../test-support/sigv4-verify.js';
import { readSseEvents } from '../test-support/sse-client.js';
import { callProvider, type ProviderAttemptOutcome } from './call-provider.js';
import { createUndiciTransport } from './undici-transport.js';

const transport = createUndiciTransport();
let upstream: MockUpstream;
beforeAll(async () => {
  upstream = await startMockUpstream();
});
afterAll(async () => {
  await upstream.close();
  await transport.close();
});

const messagesBody = {
  model: 'claude-sonnet-4-20250514',
  max_tokens: 64,
  messages: [{ role: 'user', content: 'Hi' }],
};
const last = () => upstream.requests.at(-1);
const call = (target: Record<string, unknown>, request: Parameters<typeof callProvider>[0]['request']) =>
  callProvider({
    target,
    request,
    transport,
    now: () => 1_700_000_000_000,
    generateId: () => 'chatcmpl-test',
  });
const okValue = (outcome: ProviderAttemptOutcome) => {
  if (!outcome.ok) throw new Error(`expected success, got ${outcome.status} ${outcome.error.message}`);
  return outcome.value;
};
const bedrock = (origin: string) => ({
  provider: 'bedrock',
  custom_host: origin,
  aws_region: 'us-west-2',
  aws_access_key_id: MATRIX_AWS_CREDENTIALS.accessKeyId,
  aws_secret_access_key: MATRIX_AWS_CREDENTIALS.secretAccessKey,
});

describe('a Messages call to Anthropic (native)', () => {
  it('sends the client’s own bytes, its anthropic-version and -beta, and returns the Message as it is', async () => {
    const message = readFixtureText('anthropic', 'text.json');
    upstream.setHandler(() => ({ body: message }));
    const body = { ...messagesBody };
    const bytes = new TextEncoder().encode(
      ' {"model":"claude-sonnet-4-20250514","max_tokens":64,"messages":[{"role":"user","content":"Hi"}]}',
    );
    rememberBodyJson(body, bytes);
    const value = okValue(
      await call(
        { provider: 'anthropic', api_key: 'sk-ant', custom_host: `${upstream.origin}/v1` },
        {
          endpoint: 'messages',
          body,
          dialectHeaders: { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'beta-a' },
        },
      ),
    );
    expect(last()).toMatchObject({ url: '/v1/messages', body: new TextDecoder().decode(bytes) });
    expect(last()?.headers).toMatchObject({
      'x-api-key': 'sk-ant',
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'beta-a',
    });
    expect(value).toMatchObject({ kind: 'json', body: JSON.parse(message), provider: 'anthropic' });
  });

  it('lets the target’s anthropic_beta and override_params win over the client’s', async () => {
    upstream.setHandler(() => ({ body: readFixtureText('anthropic', 'text.json') }));
    okValue(
      await callProvider({
        target: {
          kind: 'leaf',
          path: 'config',
          target: {
            provider: 'anthropic',
            api_key: 'k',
            custom_host: `${upstream.origin}/v1`,
            anthropic_beta: 'from-config',
          },
          override_params: { model: 'claude-opus-4-20250514' },
        } as never,
        request: {
          endpoint: 'messages',
          body: messagesBody,
          dialectHeaders: { 'anthropic-beta': 'from-client' },
        },
        transport,
      }),
    );
    expect(last()?.headers['anthropic-beta']).toBe('from-config');
    expect(JSON.parse(last()?.body ?? '{}')).toMatchObject({ model: 'claude-opus-4-20250514' });
  });

  it('passes count_tokens through; other providers answer 501 without an upstream call', async () => {
    upstream.setHandler(() => ({ body: '{"input_tokens":14}' }));
    const counted = okValue(
      await call(
        { provider: 'anthropic', api_key: 'k', custom_host: `${upstream.origin}/v1` },
        { endpoint: 'messages.count_tokens', body: messagesBody },
      ),
    );
    expect(last()?.url).toBe('/v1/messages/count_tokens');
    expect(counted).toMatchObject({ kind: 'json', body: { input_tokens: 14 } });
    const before = upstream.requests.length;
    const refused = await call(
      { provider: 'openai', api_key: 'k', custom_host: `${upstream.origin}/v1` },
      { endpoint: 'messages.count_tokens', body: messagesBody },
    );
    expect(refused).toMatchObject({ ok: false, status: 501, error: { code: 'PK_ERR_NOT_IMPLEMENTED' } });
    expect(upstream.requests.length).toBe(before);
  });
});

describe('a Messages call to a provider without the Messages API (translated)', () => {
  it('sends chat completions, returns a Message, and lists what was dropped', async () => {
    upstream.setHandler(() => ({ body: readFixtureText('openai', 'text.json') }));
    const value = okValue(
      await call(
        { provider: 'groq', api_key: 'gsk', custom_host: `${upstream.origin}/openai/v1` },
        { endpoint: 'messages', body: { ...messagesBody, top_k: 3 } },
      ),
    );
    expect(last()?.url).toBe('/openai/v1/chat/completions');
    expect(JSON.parse(last()?.body ?? '{}')).toEqual({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(value).toMatchObject({
      kind: 'json',
      warnings: ["parameter 'top_k' is not supported by groq and was dropped"],
    });
    expect(value.kind === 'json' ? value.body : undefined).toMatchObject({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text' }],
    });
  });

  it('passes the provider’s own x-ratelimit-* headers to the client, JSON and stream alike', async () => {
    const rateHeaders = {
      'x-ratelimit-limit-requests': '14400',
      'x-ratelimit-remaining-requests': '14399',
      'x-ratelimit-reset-requests': '6s',
    };
    upstream.setHandler(() => ({ body: readFixtureText('openai', 'text.json'), headers: rateHeaders }));
    const target = { provider: 'groq', api_key: 'gsk', custom_host: `${upstream.origin}/openai/v1` };
    const json = okValue(await call(target, { endpoint: 'messages', body: messagesBody }));
    expect(json.headers).toMatchObject(rateHeaders);
    expect(json.headers).not.toHaveProperty('content-length');
    upstream.setHandler(() => ({
      frames: sseFramesFromChunks(readChunkFixture('openai', 'text.chunks.txt'), 'openai'),
      headers: { 'content-type': 'text/event-stream', ...rateHeaders },
    }));
    const stream = okValue(
      await call(target, { endpoint: 'responses', body: { model: 'gpt-4o', input: 'Hi', stream: true } }),
    );
    expect(stream).toMatchObject({ kind: 'stream', headers: rateHeaders });
    if (stream.kind === 'stream') expect((await readSseEvents(stream.stream)).length).toBeGreaterThan(1);
  });

  it('refuses an untranslatable feature before any upstream call', async () => {
    const before = upstream.requests.length;
    const outcome = await call(
      { provider: 'groq', api_key: 'gsk', custom_host: `${upstream.origin}/openai/v1` },
      { endpoint: 'messages', body: { ...messagesBody, tools: [{ type: 'bash_20250124', name: 'bash' }] } },
    );
    expect(outcome).toMatchObject({ ok: false, status: 400, error: { code: 'PK_ERR_UNSUPPORTED_FEATURE' } });
    expect(upstream.requests.length).toBe(before);
  });
});

describe('Claude on Bedrock and Vertex AI (native Messages)', () => {
  it('Bedrock: InvokeModel with anthropic_version, signed; other models go through Converse', async () => {
    upstream.setHandler(() => ({ body: readFixtureText('anthropic', 'tool-call.json') }));
    const model = 'us.anthropic.claude-sonnet-4-20250514-v1:0';
    const value = okValue(
      await call(bedrock(upstream.origin), {
        endpoint: 'messages',
        body: { ...messagesBody, model },
        dialectHeaders: { 'anthropic-beta': 'a, b' },
      }),
    );
    const sent = last();
    expect(sent?.url).toBe(`/model/${encodeURIComponent(model)}/invoke`);
    expect(JSON.parse(sent?.body ?? '{}')).toEqual({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
      anthropic_beta: ['a', 'b'],
    });
    if (sent) expect(verifySigV4Request(sent, MATRIX_AWS_CREDENTIALS)).toBeUndefined();
    expect(value.kind === 'json' ? value.body : undefined).toEqual(
      readJsonFixture('anthropic', 'tool-call.json'),
    );
    upstream.setHandler(() => ({ body: readFixtureText('bedrock', 'text.json') }));
    okValue(
      await call(bedrock(upstream.origin), {
        endpoint: 'messages',
        body: { ...messagesBody, model: 'meta.llama3-70b-instruct-v1:0' },
      }),
    );
    expect(last()?.url).toBe(`/model/${encodeURIComponent('meta.llama3-70b-instruct-v1:0')}/converse`);
  });

  it('Bedrock: count_tokens is CountTokens on the foundation model (an inference profile’s geography dropped), signed; an answer without inputTokens is a 502', async () => {
    upstream.setHandler(() => ({ body: '{"inputTokens":9}' }));
    const model = 'us.anthropic.claude-sonnet-4-20250514-v1:0';
    const countBody = { model, messages: [{ role: 'user', content: 'Hi' }] };
    const value = okValue(
      await call(bedrock(upstream.origin), { endpoint: 'messages.count_tokens', body: countBody }),
    );
    expect(value.kind === 'json' ? value.body : undefined).toEqual({ input_tokens: 9 });
    const sent = last();
    expect(sent?.url).toBe(
      `/model/${encodeURIComponent('anthropic.claude-sonnet-4-20250514-v1:0')}/count-tokens`,
    );
    const wrapped = JSON.parse(sent?.body ?? '{}').input.invokeModel.body as string;
    expect(JSON.parse(Buffer.from(wrapped, 'base64').toString('utf8'))).toEqual({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 1,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    if (sent) expect(verifySigV4Request(sent, MATRIX_AWS_CREDENTIALS)).toBeUndefined();
    upstream.setHandler(() => ({ body: '{"input_tokens":9}' }));
    const unreadable = await call(bedrock(upstream.origin), {
      endpoint: 'messages.count_tokens',
      body: countBody,
    });
    expect(unreadable).toMatchObject({ ok: false, status: 502 });
  });

  it('Bedrock: the Anthropic events inside chunk frames come out as Anthropic’s SSE; exceptions as its error event', async () => {
    const lines = readChunkFixture('anthropic', 'text.chunks.txt');
    const chunkFrames = bedrockFramesFromChunks(
      lines.map((line) => JSON.stringify({ chunk: { bytes: Buffer.from(line).toString('base64') } })),
    );
    upstream.setHandler(() => ({
      frames: chunkFrames,
      headers: { 'content-type': 'application/vnd.amazon.eventstream' },
    }));
    const model = 'anthropic.claude-3-5-sonnet-20241022-v2:0';
    const stream = okValue(
      await call(bedrock(upstream.origin), {
        endpoint: 'messages',
        body: { ...messagesBody, model, stream: true },
      }),
    );
    expect(last()?.url).toBe(`/model/${encodeURIComponent(model)}/invoke-with-response-stream`);
    if (stream.kind !== 'stream') throw new Error('expected a stream');
    const events = await readSseEvents(stream.stream);
    expect(events.map((event) => event.data)).toEqual(lines);
    expect(events.map((event) => event.event)).toEqual(lines.map((line) => JSON.parse(line).type));
    expect(await stream.usage).toMatchObject({ prompt_tokens: 25, completion_tokens: 15 });

    const throttled = bedrockFramesFromChunks([
      JSON.stringify({ chunk: { bytes: Buffer.from(lines[0] ?? '').toString('base64') } }),
      JSON.stringify({
        throttlingException: { message: 'Too many requests, please wait before trying again.' },
      }),
    ]);
    upstream.setHandler(() => ({
      frames: throttled,
      headers: { 'content-type': 'application/vnd.amazon.eventstream' },
      // Apart, so the exception comes after the stream's first piece went out.
      frameDelayMs: 30,
    }));
    const failed = okValue(
      await call(bedrock(upstream.origin), {
        endpoint: 'messages',
        body: { ...messagesBody, model, stream: true },
      }),
    );
    if (failed.kind !== 'stream') throw new Error('expected a stream');
    const failedEvents = await readSseEvents(failed.stream);
    expect(failedEvents.at(-1)?.event).toBe('error');
    expect(JSON.parse(failedEvents.at(-1)?.data ?? '')).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'Too many requests, please wait before trying again.' },
    });

    // The exception as the stream's first piece: nothing was sent, so it is the attempt's 429.
    upstream.setHandler(() => ({
      frames: throttled.slice(1),
      headers: { 'content-type': 'application/vnd.amazon.eventstream' },
    }));
    const refused = await call(bedrock(upstream.origin), {
      endpoint: 'messages',
      body: { ...messagesBody, model, stream: true },
    });
    // The vendor's type as AWS sent it; the client gets Anthropic's for the status (rate_limit_error).
    expect(refused).toMatchObject({
      ok: false,
      status: 429,
      error: {
        type: 'throttlingException',
        vendorMessage: 'Too many requests, please wait before trying again.',
      },
    });

    // AWS answers a modelStreamErrorException with 424: the attempt's status, not a 500.
    upstream.setHandler(() => ({
      frames: bedrockFramesFromChunks([
        JSON.stringify({ modelStreamErrorException: { message: 'Model stream failed.' } }),
      ]),
      headers: { 'content-type': 'application/vnd.amazon.eventstream' },
    }));
    const streamError = await call(bedrock(upstream.origin), {
      endpoint: 'messages',
      body: { ...messagesBody, model, stream: true },
    });
    expect(streamError).toMatchObject({
      ok: false,
      status: 424,
      error: { type: 'modelStreamErrorException', vendorMessage: 'Model stream failed.' },
    });
  });

  it('Vertex AI: streamRawPredict with the body minus model, plus vertex-2023-10-16', async () => {
    const lines = readChunkFixture('anthropic', 'text.chunks.txt');
    upstream.setHandler(() => ({ frames: sseFramesFromChunks(lines, 'anthropic') }));
    const stream = okValue(
      await call(
        {
          provider: 'vertex-ai',
          api_key: 'ya29.t',
          custom_host: `${upstream.origin}/v1`,
          vertex_project_id: 'my-project-1',
          vertex_region: 'us-east5',
        },
        { endpoint: 'messages', body: { ...messagesBody, model: 'claude-sonnet-4@20250514', stream: true } },
      ),
    );
    expect(last()?.url).toBe(
      '/v1/projects/my-project-1/locations/us-east5/publishers/anthropic/models/claude-sonnet-4@20250514:streamRawPredict',
    );
    expect(JSON.parse(last()?.body ?? '{}')).toEqual({
      anthropic_version: 'vertex-2023-10-16',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    expect(last()?.headers.authorization).toBe('Bearer ya29.t');
    if (stream.kind !== 'stream') throw new Error('expected a stream');
    expect((await readSseEvents(stream.stream)).map((event) => event.data)).toEqual(lines);
  });

  it('sends Vertex’s and Bedrock’s own anthropic_version whatever the target’s, the body’s or the client’s header say', async () => {
    // What portkey-ai's `anthropicVersion` (x-portkey-anthropic-version) and the Anthropic SDK send.
    const anthropicVersion = { anthropic_version: '2023-06-01' };
    const request = (model: string) => ({
      endpoint: 'messages' as const,
      body: { ...messagesBody, model, ...anthropicVersion },
      dialectHeaders: { 'anthropic-version': '2023-06-01' },
    });
    upstream.setHandler(() => ({ body: readFixtureText('anthropic', 'tool-call.json') }));
    const vertex = {
      provider: 'vertex-ai',
      api_key: 'ya29.t',
      custom_host: `${upstream.origin}/v1`,
      vertex_project_id: 'my-project-1',
      vertex_region: 'us-east5',
      ...anthropicVersion,
    };
    okValue(await call(vertex, request('claude-sonnet-4@20250514')));
    expect(JSON.parse(last()?.body ?? '{}')).toEqual({
      anthropic_version: 'vertex-2023-10-16',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    okValue(
      await call(
        { ...bedrock(upstream.origin), ...anthropicVersion },
        request('anthropic.claude-3-haiku-20240307-v1:0'),
      ),
    );
    expect(JSON.parse(last()?.body ?? '{}')).toEqual({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
    });
  });
});

describe('a Responses call', () => {
  it('goes natively to OpenAI’s /responses and to Azure’s resource-level /openai/responses', async () => {
    const response = {
      id: 'resp_1',
      object: 'response',
      output: [],
      usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
    };
    upstream.setHandler(() => ({ body: JSON.stringify(response) }));
    const body = { model: 'gpt-4.1', input: 'Hi', store: true };
    const value = okValue(
      await call(
        { provider: 'openai', api_key: 'sk', custom_host: `${upstream.origin}/v1` },
        { endpoint: 'responses', body },
      ),
    );
    expect(last()).toMatchObject({ url: '/v1/responses', body: JSON.stringify(body) });
    expect(value.kind === 'json' ? value.body : undefined).toEqual(response);
    okValue(
      await call(
        {
          provider: 'azure-openai',
          api_key: 'az',
          custom_host: upstream.origin,
          resource_name: 'r',
          deployment_id: 'd',
        },
        { endpoint: 'responses', body },
      ),
    );
    expect(last()?.url).toBe('/openai/responses?api-version=2025-04-01-preview');
    expect(last()?.headers['api-key']).toBe('az');
  });

  it('is translated for everyone else (Gemini here)', async () => {
    upstream.setHandler(() => ({ body: readFixtureText('google', 'text.json') }));
    const value = okValue(
      await call(
        { provider: 'google', api_key: 'g', custom_host: `${upstream.origin}/v1beta` },
        { endpoint: 'responses', body: { model: 'gemini-2.0-flash', input: 'Hi' } },
      ),
    );
    expect(last()?.url).toBe('/v1beta/models/gemini-2.0-flash:generateContent');
    expect(value.kind === 'json' ? value.body : undefined).toMatchObject({
      object: 'response',
      status: 'completed',
    });
  });

  it('echoes reasoning.effort as null when the target dropped it (Anthropic takes no reasoning_effort), JSON and stream', async () => {
    const target = { provider: 'anthropic', api_key: 'k', custom_host: `${upstream.origin}/v1` };
    const body = { model: 'claude-sonnet-4-20250514', input: 'Hi', reasoning: { effort: 'low' } };
    upstream.setHandler(() => ({ body: readFixtureText('anthropic', 'text.json') }));
    const json = okValue(await call(target, { endpoint: 'responses', body }));
    expect(JSON.parse(last()?.body ?? '{}')).not.toHaveProperty('reasoning_effort');
    expect(json.warnings).toContain(
      "parameter 'reasoning_effort' is not supported by anthropic and was dropped",
    );
    expect(json.kind === 'json' ? json.body : undefined).toMatchObject({ reasoning: { effort: null } });
    upstream.setHandler(() => ({
      frames: sseFramesFromChunks(readChunkFixture('anthropic', 'text.chunks.txt'), 'anthropic'),
    }));
    const streamed = okValue(await call(target, { endpoint: 'responses', body: { ...body, stream: true } }));
    const events = streamed.kind === 'stream' ? await readSseEvents(streamed.stream) : [];
    const created = events.find((event) => event.event === 'response.created');
    expect(JSON.parse(created?.data ?? '{}').response.reasoning).toEqual({ effort: null, summary: null });
  });

  it('echoes reasoning.effort when the target received it (OpenAI-compatible groq)', async () => {
    upstream.setHandler(() => ({ body: readFixtureText('openai', 'text.json') }));
    const value = okValue(
      await call(
        { provider: 'groq', api_key: 'k', custom_host: `${upstream.origin}/openai/v1` },
        {
          endpoint: 'responses',
          body: { model: 'qwen/qwen3-32b', input: 'Hi', reasoning: { effort: 'low' } },
        },
      ),
    );
    expect(JSON.parse(last()?.body ?? '{}')).toMatchObject({ reasoning_effort: 'low' });
    expect(value.kind === 'json' ? value.body : undefined).toMatchObject({ reasoning: { effort: 'low' } });
  });
});

describe('a tool call id carrying a Gemini thought signature (`<id>__thought__<base64url>`)', () => {
  const signed = idWithThoughtSignature('call_gem_0', 'CpcBAdHtim9+sig/A=='.repeat(4));
  const vertex = {
    provider: 'vertex-ai',
    api_key: 'ya29.t',
    vertex_project_id: 'my-project-1',
    vertex_region: 'us-east5',
  };

  it('reaches every native Messages target as the call’s own id', async () => {
    const messages = (id: string) => [
      { role: 'user', content: 'Is AA100 on time?' },
      { role: 'assistant', content: [{ type: 'tool_use', id, name: 'check_flight', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'on time' }] },
    ];
    upstream.setHandler(() => ({ body: readFixtureText('anthropic', 'text.json') }));
    const targets: [Record<string, unknown>, string][] = [
      [
        { provider: 'anthropic', api_key: 'k', custom_host: `${upstream.origin}/v1` },
        'claude-sonnet-4-20250514',
      ],
      [bedrock(upstream.origin), 'anthropic.claude-3-haiku-20240307-v1:0'],
      [{ ...vertex, custom_host: `${upstream.origin}/v1` }, 'claude-sonnet-4@20250514'],
    ];
    for (const [target, model] of targets) {
      okValue(
        await call(target, {
          endpoint: 'messages',
          body: { ...messagesBody, model, messages: messages(signed) },
        }),
      );
      expect(JSON.parse(last()?.body ?? '{}').messages, String(target.provider)).toEqual(
        messages('call_gem_0'),
      );
    }
  });

  it('reaches OpenAI’s and Azure’s Responses API as the call’s own call_id', async () => {
    const input = (callId: string) => [
      { role: 'user', content: 'Is AA100 on time?' },
      { type: 'function_call', call_id: callId, name: 'check_flight', arguments: '{}' },
      { type: 'function_call_output', call_id: callId, output: 'on time' },
    ];
    upstream.setHandler(() => ({ body: JSON.stringify({ id: 'resp_1', object: 'response', output: [] }) }));
    const targets = [
      { provider: 'openai', api_key: 'sk', custom_host: `${upstream.origin}/v1` },
      {
        provider: 'azure-openai',
        api_key: 'az',
        custom_host: upstream.origin,
        resource_name: 'r',
        deployment_id: 'd',
      },
    ];
    for (const target of targets) {
      okValue(
        await call(target, { endpoint: 'responses', body: { model: 'gpt-4.1', input: input(signed) } }),
      );
      expect(JSON.parse(last()?.body ?? '{}').input, target.provider).toEqual(input('call_gem_0'));
    }
  });
});
