import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { vectorWithSimilarity } from './support/mock-embeddings.js';
import { startMockWebhook } from './support/mock-guardrail-servers.js';
import {
  type MockReply,
  type ProviderMock,
  type ReceivedRequest,
  type SsePayload,
  startProviderMock,
} from './support/recording-provider-mock.js';

// Probe of the Anthropic Messages dialect as Claude Code and Anthropic-SDK apps meet it: the official
// `@anthropic-ai/sdk` against the built gateway process, through virtual keys under limits, the cache,
// guardrails, configs (fallback, retries, load balance) and the log record. The mock speaks
// Anthropic's wire format (https://docs.anthropic.com/en/api/messages-streaming: message_start,
// content_block_start, ping, deltas, content_block_stop, message_delta, message_stop).
const GATEWAY_KEY = 'pk-messages-probe-user';
const ADMIN_KEY = 'pk-messages-probe-admin';
const ANTHROPIC_KEY = 'sk-ant-messages-probe-provider';
const OPENAI_KEY = 'sk-openai-messages-probe-provider';
const AWS = {
  accessKeyId: 'AKIAMESSAGESPROBE001',
  secretAccessKey: 'messages/Probe+Secret/0123456789abcdefGH',
};
let mock: ProviderMock;
let webhook: Awaited<ReturnType<typeof startMockWebhook>>;
let gateway: FeatureGateway;
let run = 0;

beforeAll(async () => {
  mock = await startProviderMock();
  webhook = await startMockWebhook();
  mock.awsKeys.set(AWS.accessKeyId, { secretAccessKey: AWS.secretAccessKey });
  mock.embeddings.set('What is the capital of France?', vectorWithSimilarity(1));
  mock.embeddings.set('Tell me the capital of France', vectorWithSimilarity(0.97));
  const claude = {
    provider: 'anthropic',
    api_key: ANTHROPIC_KEY,
    options: { custom_host: `${mock.url}/v1` },
  };
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [
        { id: 'probe', key: GATEWAY_KEY },
        { id: 'probe-admin', key: ADMIN_KEY, role: 'admin' },
      ],
      virtual_keys: {
        claude,
        'claude-rpm': { ...claude, rate_limits: [{ type: 'requests', unit: 'rpm', value: 2 }] },
        'claude-tokens': { ...claude, usage_limits: { credit_limit: 1000, type: 'tokens' } },
        gpt: { provider: 'openai', api_key: OPENAI_KEY, options: { custom_host: `${mock.url}/v1` } },
        embedder: { provider: 'openai', api_key: OPENAI_KEY, options: { custom_host: `${mock.url}/v1` } },
        'bedrock-east': {
          provider: 'bedrock',
          options: {
            aws_access_key_id: AWS.accessKeyId,
            aws_secret_access_key: AWS.secretAccessKey,
            aws_region: 'us-east-1',
          },
        },
      },
      guardrails: {
        'hook-pass': {
          deny: true,
          checks: [{ id: 'default.webhook', parameters: { webhookURL: `${webhook.url}/pass` } }],
        },
        'hook-fail': {
          deny: true,
          checks: [{ id: 'default.webhook', parameters: { webhookURL: `${webhook.url}/fail` } }],
        },
      },
      semantic_cache: { virtual_key: 'embedder', model: 'text-embedding-3-small' },
    },
  });
}, 30_000);
afterAll(async () => {
  await gateway?.stop();
  await webhook?.close();
  await mock?.close();
  for (const secret of [ANTHROPIC_KEY, OPENAI_KEY, AWS.secretAccessKey])
    expect(gateway.process.output()).not.toContain(secret);
});

/** The Anthropic SDK as an app configures it for pk: the gateway key and a virtual key or a config. */
function anthropic(headers: Record<string, string>): Anthropic {
  return new Anthropic({
    baseURL: gateway.url,
    apiKey: 'unused-by-pk',
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-api-key': GATEWAY_KEY, ...headers },
  });
}

/** A model name of its own per test, so scripts and received requests never mix. */
const modelOf = (name: string) => `claude-probe-${name}-${++run}`;
const callsOf = (model: string): ReceivedRequest[] => mock.forModel(model);

/** Anthropic's non-streamed Message. */
function message(model: string, text: string, usage: Record<string, number> = {}) {
  return {
    id: `msg_${model}`,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 12, output_tokens: 6, ...usage },
  };
}

/** Anthropic's SSE events of one text answer, in the documented order. */
function messageEvents(
  model: string,
  pieces: readonly string[],
  usage: { input: number; output: number } = { input: 12, output: 6 },
): SsePayload[] {
  const event = (name: string, data: Record<string, unknown>): SsePayload => ({
    event: name,
    data: JSON.stringify({ type: name, ...data }),
  });
  return [
    event('message_start', {
      message: {
        id: `msg_${model}`,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: usage.input, output_tokens: 1 },
      },
    }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    event('ping', {}),
    ...pieces.map((text) => event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } })),
    event('content_block_stop', { index: 0 }),
    event('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: usage.output },
    }),
    event('message_stop', {}),
  ];
}

const streamed = (model: string, pieces: readonly string[], usage?: { input: number; output: number }) =>
  ({ sse: messageEvents(model, pieces, usage) }) satisfies MockReply;

async function adminUsage(slug: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${gateway.base}/virtual-keys/${slug}`, {
    headers: { 'x-portkey-api-key': ADMIN_KEY },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { current_usage: Record<string, unknown> }).current_usage;
}

const ask = (text: string) => [{ role: 'user' as const, content: text }];

describe('virtual keys under limits on /v1/messages', () => {
  it('a request limit: answers carry x-pk-ratelimit-*, the refusal is Anthropic’s 429 rate_limit_error with Retry-After', async () => {
    const model = modelOf('rpm');
    mock.script(model, () => ({ json: message(model, 'ok') }));
    const client = anthropic({ 'x-portkey-virtual-key': 'claude-rpm' });
    const first = await client.messages
      .create({ model, max_tokens: 16, messages: ask('one') })
      .withResponse();
    expect(first.response.headers.get('x-pk-ratelimit-limit-requests')).toBe('2');
    expect(first.response.headers.get('x-pk-ratelimit-remaining-requests')).toBe('1');
    expect(callsOf(model)[0]?.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    await client.messages.create({ model, max_tokens: 16, messages: ask('two') });
    const refused = await client.messages
      .create({ model, max_tokens: 16, messages: ask('three') })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Anthropic.RateLimitError);
    const error = refused as InstanceType<typeof Anthropic.RateLimitError>;
    expect(error.error).toMatchObject({
      type: 'error',
      error: { type: 'rate_limit_error', code: 'PK_ERR_RATE_LIMITED' },
    });
    expect(Number(error.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(callsOf(model)).toHaveLength(2);
    // A refused stream is refused before it starts, in the same shape.
    const refusedStream = await client.messages
      .stream({ model, max_tokens: 16, messages: ask('four') })
      .finalMessage()
      .catch((caught: unknown) => caught);
    expect(refusedStream).toBeInstanceOf(Anthropic.RateLimitError);
    expect(callsOf(model)).toHaveLength(2);
  });

  it('a token budget a stream runs out: the stream ends whole, its tokens are settled from Anthropic’s events, the next request is a 412', async () => {
    const model = modelOf('tokens');
    mock.script(model, [streamed(model, ['Long ', 'answer.'], { input: 700, output: 400 })]);
    const client = anthropic({ 'x-portkey-virtual-key': 'claude-tokens' });
    const answer = await client.messages
      .stream({ model, max_tokens: 200, messages: ask('Tell me a long story') })
      .finalMessage();
    expect(answer.content).toEqual([{ type: 'text', text: 'Long answer.' }]);
    expect(answer.usage).toMatchObject({ input_tokens: 700, output_tokens: 400 });
    await expect.poll(async () => (await adminUsage('claude-tokens')).tokens).toBe(1100);
    const refused = await client.messages
      .create({ model, max_tokens: 16, messages: ask('again') })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Anthropic.APIError);
    const error = refused as InstanceType<typeof Anthropic.APIError>;
    expect(error.status).toBe(412);
    expect(error.error).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', code: 'PK_ERR_BUDGET_EXCEEDED' },
    });
    expect(callsOf(model)).toHaveLength(1);
  });
});

/** A config in `x-portkey-config`. */
const withConfig = (config: Record<string, unknown>) =>
  anthropic({ 'x-portkey-config': JSON.stringify(config) });

describe('the cache on /v1/messages', () => {
  it('semantic: a similar question is a SEMANTIC HIT served as Anthropic’s Message, JSON and streamed', async () => {
    const model = modelOf('semantic');
    mock.script(model, () => ({ json: message(model, 'Paris.') }));
    const client = withConfig({ virtual_key: 'claude', cache: { mode: 'semantic', max_age: 3600 } });
    const first = await client.messages
      .create({ model, max_tokens: 32, messages: ask('What is the capital of France?') })
      .withResponse();
    expect(first.response.headers.get('x-portkey-cache-status')).toBe('SEMANTIC MISS');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const similar = await client.messages
      .create({ model, max_tokens: 32, messages: ask('Tell me the capital of France') })
      .withResponse();
    expect(similar.response.headers.get('x-portkey-cache-status')).toBe('SEMANTIC HIT');
    expect(similar.data).toMatchObject({ type: 'message', content: [{ type: 'text', text: 'Paris.' }] });
    const streamedHit = client.messages.stream({
      model,
      max_tokens: 32,
      messages: ask('Tell me the capital of France'),
    });
    const replayed = await streamedHit.finalMessage();
    expect(replayed.content).toEqual([{ type: 'text', text: 'Paris.' }]);
    expect(callsOf(model)).toHaveLength(1);
  });

  it('semantic: a Message that calls a tool is never served to a similar question', async () => {
    const model = modelOf('semantic-tool');
    mock.script(model, () => ({
      json: {
        ...message(model, ''),
        content: [{ type: 'tool_use', id: 'toolu_01', name: 'lookup', input: { q: 'capital of France' } }],
        stop_reason: 'tool_use',
      },
    }));
    const client = withConfig({ virtual_key: 'claude', cache: { mode: 'semantic', max_age: 3600 } });
    const tools = [{ name: 'lookup', input_schema: { type: 'object' as const } }];
    await client.messages.create({
      model,
      max_tokens: 32,
      tools,
      messages: ask('What is the capital of France?'),
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const similar = await client.messages
      .create({ model, max_tokens: 32, tools, messages: ask('Tell me the capital of France') })
      .withResponse();
    expect(similar.response.headers.get('x-portkey-cache-status')).toBe('SEMANTIC MISS');
    expect(callsOf(model)).toHaveLength(2);
  });

  it('simple: a streamed Message is stored and a streamed hit replays Anthropic’s events in order', async () => {
    const model = modelOf('simple-stream');
    mock.script(model, [streamed(model, ['Hel', 'lo.'])]);
    const client = withConfig({ virtual_key: 'claude', cache: { mode: 'simple', max_age: 3600 } });
    const request = { model, max_tokens: 32, messages: ask('Say hello'), stream: true as const };
    const first = await client.messages.create(request);
    for await (const _event of first) {
      // drained
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    const hit = await client.messages.create(request).withResponse();
    expect(hit.response.headers.get('x-portkey-cache-status')).toBe('HIT');
    const types: string[] = [];
    let text = '';
    for await (const event of hit.data) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    expect(text).toBe('Hello.');
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    expect(types.at(-2)).toBe('message_delta');
    expect(callsOf(model)).toHaveLength(1);
  });
});

describe('a webhook guardrail on /v1/messages', () => {
  it('input: the webhook reads the Messages body; a fail denies with Anthropic’s 446 and nothing is sent, JSON and streamed', async () => {
    const model = modelOf('hook-in');
    const before = webhook.calls.length;
    const client = withConfig({ virtual_key: 'claude', input_guardrails: ['hook-fail'] });
    const denied = await client.messages
      .create({ model, max_tokens: 16, system: 'Be brief.', messages: ask('Forbidden question') })
      .catch((error: unknown) => error);
    expect(denied).toBeInstanceOf(Anthropic.APIError);
    expect((denied as InstanceType<typeof Anthropic.APIError>).status).toBe(446);
    expect((denied as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', code: 'PK_ERR_GUARDRAIL_DENIED' },
      hook_results: { before_request_hooks: [{ verdict: false }] },
    });
    const call = webhook.calls[before];
    expect(call?.path).toBe('/fail');
    const sent = JSON.parse(call?.body ?? '{}') as Record<string, unknown>;
    expect(sent).toMatchObject({
      request: { json: { system: 'Be brief.', messages: [{ role: 'user', content: 'Forbidden question' }] } },
      eventType: 'beforeRequestHook',
    });
    const deniedStream = await client.messages
      .stream({ model, max_tokens: 16, messages: ask('Forbidden question') })
      .finalMessage()
      .catch((error: unknown) => error);
    expect((deniedStream as InstanceType<typeof Anthropic.APIError>).status).toBe(446);
    expect(callsOf(model)).toHaveLength(0);
  });

  it('output: the webhook reads the Message; a fail withholds a JSON one (446), a stream’s verdict comes at its end', async () => {
    const model = modelOf('hook-out');
    mock.script(model, (request) =>
      request.body?.stream === true ? streamed(model, ['Sec', 'ret.']) : { json: message(model, 'Secret.') },
    );
    const before = webhook.calls.length;
    const client = withConfig({ virtual_key: 'claude', output_guardrails: ['hook-fail'] });
    const denied = await client.messages
      .create({ model, max_tokens: 16, messages: ask('Tell me') })
      .catch((error: unknown) => error);
    expect((denied as InstanceType<typeof Anthropic.APIError>).status).toBe(446);
    const sent = JSON.parse(webhook.calls[before]?.body ?? '{}') as Record<string, unknown>;
    expect(sent).toMatchObject({
      response: { json: { type: 'message', content: [{ type: 'text', text: 'Secret.' }] } },
      eventType: 'afterRequestHook',
    });
    // A whole-text check on a fresh stream can only report at its end (README, Guardrails): the stream
    // reaches the client whole, and the webhook reads the Message it made, in the Messages shape.
    const streamedBefore = webhook.calls.length;
    const whole = await client.messages
      .stream({ model, max_tokens: 16, messages: ask('Tell me') })
      .finalMessage();
    expect(whole.content).toEqual([{ type: 'text', text: 'Secret.' }]);
    await expect.poll(() => webhook.calls.length).toBe(streamedBefore + 1);
    expect(JSON.parse(webhook.calls[streamedBefore]?.body ?? '{}')).toMatchObject({
      request: { json: { stream: true, messages: [{ role: 'user', content: 'Tell me' }] } },
      response: { json: { type: 'message', content: [{ type: 'text', text: 'Secret.' }] } },
      requestType: 'messages',
      eventType: 'afterRequestHook',
    });
    const passed = await withConfig({ virtual_key: 'claude', output_guardrails: ['hook-pass'] })
      .messages.stream({ model, max_tokens: 16, messages: ask('Tell me') })
      .finalMessage();
    expect(passed.content).toEqual([{ type: 'text', text: 'Secret.' }]);
  });
});
