import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGatewayApp } from './support/gateway-harness.js';
import { logLineWhere } from './support/output-lines.js';
import { HELLO_ANSWER, type ProviderMock, startProviderMock } from './support/provider-mock.js';

// Everything that applies to chat completions applies on /v1/messages and /v1/responses: gateway
// keys, configs and fallback, the cache (with replays in the dialect), logs, error shapes.
let mock: ProviderMock;
let gateway: RunningGateway;
const GATEWAY_KEY = 'pk-dialects-key';

beforeAll(async () => {
  mock = await startProviderMock();
  gateway = await startGatewayApp({
    gateway_keys: [{ id: 'team-d', key: GATEWAY_KEY }],
    virtual_keys: {
      claude: { provider: 'anthropic', api_key: 'sk-ant-stored', options: { custom_host: `${mock.url}/v1` } },
      gpt: { provider: 'openai', api_key: 'sk-openai-stored', options: { custom_host: `${mock.url}/v1` } },
    },
  });
});
afterAll(async () => {
  await gateway.close();
  await mock.close();
  expect(gateway.logs()).not.toContain('sk-ant-stored');
  expect(gateway.logs()).not.toContain('sk-openai-stored');
});

let question = 0;
const fresh = (): Anthropic.MessageParam[] => [{ role: 'user', content: `dialect question ${++question}` }];

function anthropic(headers: Record<string, string>): Anthropic {
  return new Anthropic({
    baseURL: gateway.url,
    apiKey: 'client-key-unused',
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-api-key': GATEWAY_KEY, ...headers },
  });
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

describe('/v1/messages in the pipeline', () => {
  it('answers a missing gateway key and a malformed body in Anthropic’s shape', async () => {
    const unauthorized = await post(
      '/v1/messages',
      { model: 'm', max_tokens: 1, messages: [] },
      { 'x-api-key': 'sk' },
    );
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.json).toEqual({
      type: 'error',
      error: {
        type: 'authentication_error',
        message: expect.stringContaining('gateway key'),
        code: 'PK_ERR_UNAUTHORIZED',
      },
    });
    expect(unauthorized.headers.get('x-portkey-trace-id')).toBeTruthy();
    const malformed = await post('/v1/messages', '{"model":', { 'x-portkey-api-key': GATEWAY_KEY });
    expect(malformed.status).toBe(400);
    expect(malformed.json).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', code: 'PK_ERR_INVALID_REQUEST' },
    });
    // A body that is not the Messages shape is refused before any provider is called.
    const before = mock.received.length;
    const shapeless = await post(
      '/v1/messages',
      { model: 'claude-sonnet-4-20250514', messages: [{ role: 'user', content: 'x' }] },
      { 'x-portkey-api-key': GATEWAY_KEY, 'x-portkey-virtual-key': 'claude' },
    );
    expect(shapeless.status).toBe(400);
    expect(shapeless.json).toEqual({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: expect.stringContaining("invalid Messages request at 'max_tokens'"),
        code: 'PK_ERR_INVALID_REQUEST',
      },
    });
    const badResponses = await post(
      '/v1/responses',
      { model: 'gpt-4o', input: 42 },
      { 'x-portkey-api-key': GATEWAY_KEY, 'x-portkey-virtual-key': 'gpt' },
    );
    expect(badResponses.status).toBe(400);
    expect(badResponses.json).toMatchObject({ error: { code: 'PK_ERR_INVALID_REQUEST', param: 'input' } });
    expect(mock.received.length).toBe(before);
    // The Responses route keeps OpenAI's envelope.
    const responses = await post('/v1/responses', { model: 'm', input: 'x' }, {});
    expect(responses.json).toMatchObject({
      error: { code: 'PK_ERR_UNAUTHORIZED', type: 'authentication_error' },
    });
  });

  it('falls back from Anthropic (529 overloaded) to OpenAI through a config; headers show the path', async () => {
    mock.answer = (request) =>
      request.format === 'anthropic'
        ? { status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } }
        : undefined;
    try {
      const config = {
        strategy: { mode: 'fallback' },
        targets: [{ virtual_key: 'claude' }, { virtual_key: 'gpt', override_params: { model: 'gpt-4o' } }],
      };
      const { data, response } = await anthropic({ 'x-portkey-config': JSON.stringify(config) })
        .messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 64, messages: fresh() })
        .withResponse();
      expect(data.content).toEqual([{ type: 'text', text: HELLO_ANSWER }]);
      expect(response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[1]');
      expect(response.headers.get('x-portkey-provider')).toBe('openai');
      expect(mock.received.at(-2)?.format).toBe('anthropic');
      expect(mock.received.at(-1)).toMatchObject({ format: 'openai-chat', body: { model: 'gpt-4o' } });
    } finally {
      mock.answer = undefined;
    }
  });

  it('retries a 529 per the config, then answers', async () => {
    let failures = 1;
    mock.answer = () =>
      failures-- > 0
        ? { status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } }
        : undefined;
    try {
      const config = { virtual_key: 'claude', retry: { attempts: 2, on_status_codes: [529] } };
      const { data, response } = await anthropic({ 'x-portkey-config': JSON.stringify(config) })
        .messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 64, messages: fresh() })
        .withResponse();
      expect(data.content).toEqual([{ type: 'text', text: HELLO_ANSWER }]);
      expect(response.headers.get('x-portkey-retry-attempt-count')).toBe('1');
    } finally {
      mock.answer = undefined;
    }
  });

  it('gives an upstream error in Anthropic’s shape, its type kept', async () => {
    mock.answer = () => ({
      status: 529,
      body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    });
    try {
      const error = await anthropic({ 'x-portkey-virtual-key': 'claude' })
        .messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 64, messages: fresh() })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Anthropic.APIError);
      expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
      expect((error as InstanceType<typeof Anthropic.APIError>).error).toEqual({
        type: 'error',
        error: { type: 'overloaded_error', message: 'Overloaded' },
      });
    } finally {
      mock.answer = undefined;
    }
  });

  it('caches a Message and replays it as the SDK’s stream; stores a stream for a later JSON hit', async () => {
    const client = anthropic({
      'x-portkey-config': JSON.stringify({ virtual_key: 'claude', cache: { mode: 'simple', max_age: 3600 } }),
    });
    const messages = fresh();
    const request = { model: 'claude-sonnet-4-20250514', max_tokens: 64, messages };
    const first = await client.messages.create(request).withResponse();
    expect(first.response.headers.get('x-portkey-cache-status')).toBe('MISS');
    const before = mock.received.length;
    const replay = client.messages.stream(request);
    const replayed = await replay.finalMessage();
    expect(mock.received.length).toBe(before);
    const { parsed_output: _parsed, ...rest } = replayed as unknown as Record<string, unknown>;
    expect(rest).toEqual(first.data);

    const streamedFirst = fresh();
    const streamed = await client.messages.stream({ ...request, messages: streamedFirst }).finalMessage();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const hit = await client.messages.create({ ...request, messages: streamedFirst }).withResponse();
    expect(hit.response.headers.get('x-portkey-cache-status')).toBe('HIT');
    const { parsed_output: _p, ...streamedRest } = streamed as unknown as Record<string, unknown>;
    expect(hit.data).toEqual(streamedRest);
  });

  it('writes one log line with provider, model and usage', async () => {
    const before = gateway.lineCount();
    await anthropic({ 'x-portkey-virtual-key': 'gpt' }).messages.create({
      model: 'gpt-4o',
      max_tokens: 16,
      messages: fresh(),
    });
    const line = await gateway.waitForLine(
      logLineWhere((entry) => entry.msg === 'request' && entry.path === '/v1/messages'),
      { fromLine: before },
    );
    expect(line).toMatchObject({
      status: 200,
      provider: 'openai',
      model: 'gpt-4o',
      tenant: 'team-d',
      usage: { prompt_tokens: 25, completion_tokens: 12, total_tokens: 37 },
    });
  });

  it('count_tokens passes through to Anthropic and is a 501 for other providers', async () => {
    mock.answer = undefined;
    const counted = await post(
      '/v1/messages/count_tokens',
      { model: 'claude-sonnet-4-20250514', messages: fresh() },
      { 'x-portkey-api-key': GATEWAY_KEY, 'x-portkey-virtual-key': 'claude' },
    );
    expect(mock.received.at(-1)).toMatchObject({
      url: '/v1/messages/count_tokens',
      headers: { 'x-api-key': 'sk-ant-stored' },
    });
    expect(counted).toMatchObject({ status: 200, json: { input_tokens: 25 } });
    const refused = await post(
      '/v1/messages/count_tokens',
      { model: 'gpt-4o', messages: fresh() },
      { 'x-portkey-api-key': GATEWAY_KEY, 'x-portkey-virtual-key': 'gpt' },
    );
    expect(refused.status).toBe(501);
    expect(refused.json).toMatchObject({ type: 'error', error: { code: 'PK_ERR_NOT_IMPLEMENTED' } });
  });
});

describe('/v1/responses in the pipeline', () => {
  it('caches a translated Response and replays it as the Responses stream', async () => {
    const openai = new OpenAI({
      baseURL: `${gateway.url}/v1`,
      apiKey: GATEWAY_KEY,
      maxRetries: 0,
      defaultHeaders: {
        'x-portkey-config': JSON.stringify({
          virtual_key: 'claude',
          cache: { mode: 'simple', max_age: 3600 },
        }),
      },
    });
    const input = `responses question ${++question}`;
    const first = await openai.responses.create({ model: 'claude-sonnet-4-20250514', input }).withResponse();
    expect(first.response.headers.get('x-portkey-cache-status')).toBe('MISS');
    const before = mock.received.length;
    const replayed = await openai.responses
      .stream({ model: 'claude-sonnet-4-20250514', input })
      .finalResponse();
    expect(mock.received.length).toBe(before);
    expect(replayed.output_text).toBe(HELLO_ANSWER);
    expect(replayed.id).toBe(first.data.id);
  });

  it('other Responses routes stay pass-through to OpenAI', async () => {
    const response = await fetch(`${gateway.url}/v1/responses/resp_123`, {
      headers: { 'x-portkey-api-key': GATEWAY_KEY, 'x-portkey-virtual-key': 'gpt' },
    });
    // The mock has no retrieve route: its 404 comes back through the pass-through.
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('the mock has no route /v1/responses/resp_123');
  });
});
