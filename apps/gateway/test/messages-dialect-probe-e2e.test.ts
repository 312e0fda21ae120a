import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, postJson, startFeatureGateway } from './support/feature-gateway.js';
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
        'claude-second': claude,
        'claude-rpm': { ...claude, rate_limits: [{ type: 'requests', unit: 'rpm', value: 2 }] },
        'claude-tokens': { ...claude, usage_limits: { credit_limit: 1000, type: 'tokens' } },
        'claude-tpm': { ...claude, rate_limits: [{ type: 'tokens', unit: 'rpm', value: 600 }] },
        'claude-semantic-budget': { ...claude, usage_limits: { credit_limit: 100_000, type: 'tokens' } },
        'claude-esc': { ...claude, usage_limits: { credit_limit: 100_000, type: 'tokens' } },
        'claude-closed': { ...claude, rate_limits: [{ type: 'requests', unit: 'rpm', value: 0 }] },
        'claude-count': { ...claude, usage_limits: { credit_limit: 1000, type: 'tokens' } },
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
    // Records written every 50 ms rather than every second: the waits for them end sooner.
    env: { PK_LOG_STORE_FLUSH_MS: '50' },
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

  it('semantic: a streamed Message is indexed too, so a similar streamed question is a SEMANTIC HIT', async () => {
    const model = modelOf('semantic-stream');
    mock.script(model, () => streamed(model, ['Par', 'is.']));
    const client = withConfig({ virtual_key: 'claude', cache: { mode: 'semantic', max_age: 3600 } });
    const first = await client.messages
      .create({ model, max_tokens: 32, stream: true, messages: ask('What is the capital of France?') })
      .withResponse();
    for await (const _event of first.data) {
      // drained
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
    const similar = await client.messages
      .create({ model, max_tokens: 32, stream: true, messages: ask('Tell me the capital of France') })
      .withResponse();
    let text = '';
    for await (const event of similar.data)
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    expect(similar.response.headers.get('x-portkey-cache-status')).toBe('SEMANTIC HIT');
    expect(text).toBe('Paris.');
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

/** Anthropic's own error body, as its API answers a 429 or a 529. */
const anthropicError = (status: number, type: string, message: string): MockReply => ({
  status,
  json: { type: 'error', error: { type, message } },
});

/** A Claude event inside Bedrock's event stream: `{"chunk": {"bytes": base64(event)}}`. */
const bedrockChunk = (event: Record<string, unknown>) => ({
  chunk: { bytes: Buffer.from(JSON.stringify(event)).toString('base64') },
});

const BEDROCK_CLAUDE = 'anthropic.claude-3-7-sonnet-20250219-v1:0';
const VERTEX_CLAUDE = 'claude-3-7-sonnet@20250219';
const bedrockTarget = { virtual_key: 'bedrock-east', override_params: { model: BEDROCK_CLAUDE } };
const vertexTarget = {
  provider: 'vertex-ai',
  api_key: 'ya29.messages-probe-token',
  vertex_project_id: 'my-project-123',
  vertex_region: 'us-central1',
  override_params: { model: VERTEX_CLAUDE },
};

/** A conversation Claude Code sends after a tool call: thinking with its signature, tool_use, tool_result. */
const TOOL_TURNS: Anthropic.MessageParam[] = [
  { role: 'user', content: 'What is the weather in Paris?' },
  {
    role: 'assistant',
    content: [
      { type: 'thinking', thinking: 'I should call the weather tool.', signature: 'EqQBCgIYAhIMsig-probe' },
      { type: 'tool_use', id: 'toolu_probe_01', name: 'get_weather', input: { city: 'Paris' } },
    ],
  },
  {
    role: 'user',
    content: [{ type: 'tool_result', tool_use_id: 'toolu_probe_01', content: '18°C, sunny' }],
  },
];
const WEATHER_TOOL = {
  name: 'get_weather',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } },
};

describe('configs on /v1/messages', () => {
  it.each([
    ['Claude on Bedrock (InvokeModel)', bedrockTarget, BEDROCK_CLAUDE],
    ['Claude on Vertex AI (rawPredict)', vertexTarget, VERTEX_CLAUDE],
  ])(
    'a fallback from Anthropic’s 529 to %s keeps the thinking block’s signature, the tool_use and its tool_result',
    async (_label, target, fallbackModel) => {
      const model = modelOf('fallback');
      mock.script(model, [anthropicError(529, 'overloaded_error', 'Overloaded')]);
      mock.script(fallbackModel, () => ({ json: message(fallbackModel, 'It is 18°C and sunny in Paris.') }));
      const before = mock.forModel(fallbackModel).length;
      const client = withConfig({
        strategy: { mode: 'fallback' },
        targets: [{ virtual_key: 'claude' }, target],
      });
      const answer = await client.messages
        .create({
          model,
          max_tokens: 2048,
          thinking: { type: 'enabled', budget_tokens: 1024 },
          tools: [WEATHER_TOOL],
          messages: TOOL_TURNS,
        })
        .withResponse();
      expect(answer.data.content).toEqual([{ type: 'text', text: 'It is 18°C and sunny in Paris.' }]);
      expect(answer.response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[1]');
      const sent = mock.forModel(fallbackModel)[before]?.body;
      expect(sent?.messages).toEqual(TOOL_TURNS);
      expect(sent).toMatchObject({
        thinking: { type: 'enabled', budget_tokens: 1024 },
        tools: [WEATHER_TOOL],
      });
      expect(sent?.model).toBeUndefined();
    },
  );

  it('a streamed fallback from Anthropic’s 529 to Claude on Bedrock streams Anthropic’s events, thinking and its signature included', async () => {
    const model = modelOf('fallback-stream');
    mock.script(model, [anthropicError(529, 'overloaded_error', 'Overloaded')]);
    mock.script(BEDROCK_CLAUDE, () => ({
      eventStream: [
        bedrockChunk({
          type: 'message_start',
          message: {
            id: 'msg_bdrk_probe',
            type: 'message',
            role: 'assistant',
            model: BEDROCK_CLAUDE,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 40, output_tokens: 1 },
          },
        }),
        bedrockChunk({
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'thinking', thinking: '' },
        }),
        bedrockChunk({
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'thinking_delta', thinking: 'Sunny.' },
        }),
        bedrockChunk({
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'signature_delta', signature: 'EqBedrockSig' },
        }),
        bedrockChunk({ type: 'content_block_stop', index: 0 }),
        bedrockChunk({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }),
        bedrockChunk({ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: '18°C.' } }),
        bedrockChunk({ type: 'content_block_stop', index: 1 }),
        bedrockChunk({
          type: 'message_delta',
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: { output_tokens: 9 },
        }),
        bedrockChunk({
          type: 'message_stop',
          'amazon-bedrock-invocationMetrics': {
            inputTokenCount: 40,
            outputTokenCount: 9,
            invocationLatency: 100,
            firstByteLatency: 50,
          },
        }),
      ],
    }));
    const client = withConfig({
      strategy: { mode: 'fallback' },
      targets: [{ virtual_key: 'claude' }, bedrockTarget],
    });
    const final = await client.messages
      .stream({
        model,
        max_tokens: 2048,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        tools: [WEATHER_TOOL],
        messages: TOOL_TURNS,
      })
      .finalMessage();
    expect(final.content).toEqual([
      { type: 'thinking', thinking: 'Sunny.', signature: 'EqBedrockSig' },
      { type: 'text', text: '18°C.' },
    ]);
    expect(final.usage).toMatchObject({ input_tokens: 40, output_tokens: 9 });
    expect(mock.forModel(BEDROCK_CLAUDE).at(-1)?.path).toBe(
      `/model/${encodeURIComponent(BEDROCK_CLAUDE)}/invoke-with-response-stream`,
    );
  });

  it('an output deny on a stream a fallback got from Claude on Bedrock: the denied text never reaches the SDK', async () => {
    const model = modelOf('fallback-deny');
    mock.script(model, [anthropicError(529, 'overloaded_error', 'Overloaded')]);
    const text = (index: number, piece: string) =>
      bedrockChunk({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
    mock.script(BEDROCK_CLAUDE, () => ({
      eventStream: [
        bedrockChunk({
          type: 'message_start',
          message: {
            id: 'msg_bdrk_deny',
            type: 'message',
            role: 'assistant',
            model: BEDROCK_CLAUDE,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 10, output_tokens: 1 },
          },
        }),
        bedrockChunk({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
        text(0, 'The launch code is '),
        text(0, 'SECRET-1234'),
        text(0, ', keep it safe.'),
        bedrockChunk({ type: 'content_block_stop', index: 0 }),
        bedrockChunk({
          type: 'message_delta',
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: { output_tokens: 12 },
        }),
        bedrockChunk({ type: 'message_stop' }),
      ],
    }));
    const stream = withConfig({
      strategy: { mode: 'fallback' },
      targets: [{ virtual_key: 'claude' }, bedrockTarget],
      output_guardrails: [{ 'default.regexMatch': { rule: 'SECRET-\\d+', not: true }, deny: true }],
    }).messages.stream({ model, max_tokens: 64, messages: ask('Tell me the code') });
    let received = '';
    stream.on('text', (delta) => {
      received += delta;
    });
    const caught = await stream.finalMessage().catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(Anthropic.APIError);
    expect((caught as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: 'error',
      error: { code: 'PK_ERR_GUARDRAIL_DENIED' },
    });
    expect(received).not.toContain('SECRET');
  });

  it('retries Anthropic’s 429 rate_limit_error per the config, then answers; the retry count is in the headers', async () => {
    const model = modelOf('retry-429');
    mock.script(model, [
      anthropicError(
        429,
        'rate_limit_error',
        'Number of request tokens has exceeded your per-minute rate limit',
      ),
      { json: message(model, 'ok') },
    ]);
    const client = withConfig({ virtual_key: 'claude', retry: { attempts: 2, on_status_codes: [429, 529] } });
    const answer = await client.messages
      .create({ model, max_tokens: 16, messages: ask('hi') })
      .withResponse();
    expect(answer.data.content).toEqual([{ type: 'text', text: 'ok' }]);
    expect(answer.response.headers.get('x-portkey-retry-attempt-count')).toBe('1');
    expect(callsOf(model)).toHaveLength(2);
  });

  it('a 429 that outlasts the retries reaches the SDK as Anthropic’s rate_limit_error with the provider’s message', async () => {
    const model = modelOf('retry-429-out');
    mock.script(model, [
      anthropicError(
        429,
        'rate_limit_error',
        'Number of request tokens has exceeded your per-minute rate limit',
      ),
    ]);
    const client = withConfig({ virtual_key: 'claude', retry: { attempts: 1, on_status_codes: [429] } });
    const caught = await client.messages
      .create({ model, max_tokens: 16, messages: ask('hi') })
      .catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(Anthropic.RateLimitError);
    expect((caught as InstanceType<typeof Anthropic.RateLimitError>).error).toMatchObject({
      type: 'error',
      error: { type: 'rate_limit_error', message: expect.stringContaining('per-minute rate limit') },
    });
    expect(callsOf(model)).toHaveLength(2);
  });

  it('a load balance between native Claude and a translated OpenAI target: every stream adds up in the SDK', async () => {
    const model = modelOf('loadbalance');
    mock.script(model, () => streamed(model, ['Bal', 'anced.']));
    const client = withConfig({
      strategy: { mode: 'loadbalance' },
      targets: [
        { virtual_key: 'claude', weight: 1 },
        { virtual_key: 'gpt', weight: 1, override_params: { model: 'gpt-4o' } },
      ],
    });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        client.messages.stream({ model, max_tokens: 32, messages: ask('Balance me') }).finalMessage(),
      ),
    );
    for (const answer of answers) {
      expect(answer.content[0]?.type).toBe('text');
      expect(answer.stop_reason).toBe('end_turn');
    }
    const texts = new Set(answers.map((answer) => (answer.content[0] as { text: string }).text));
    expect(texts).toEqual(new Set(['Balanced.', 'The capital of France is Paris.']));
  });

  it('count_tokens through a fallback config: Anthropic’s 529 falls back to the next Anthropic target', async () => {
    const model = modelOf('count');
    mock.script(model, (_request, index) =>
      index === 0 ? anthropicError(529, 'overloaded_error', 'Overloaded') : { json: { input_tokens: 42 } },
    );
    const config = {
      strategy: { mode: 'fallback' },
      targets: [{ virtual_key: 'claude' }, { virtual_key: 'claude-second' }],
    };
    const counted = await withConfig(config).messages.countTokens({ model, messages: ask('Count me') });
    expect(counted).toEqual({ input_tokens: 42 });
    expect(callsOf(model).map((request) => request.path)).toEqual([
      '/v1/messages/count_tokens',
      '/v1/messages/count_tokens',
    ]);
  });

  it('count_tokens through a fallback whose first target cannot count falls back to Anthropic', async () => {
    const model = modelOf('count-translated');
    mock.script(model, () => ({ json: { input_tokens: 7 } }));
    const config = {
      strategy: { mode: 'fallback' },
      targets: [{ virtual_key: 'gpt' }, { virtual_key: 'claude' }],
    };
    const counted = await withConfig(config).messages.countTokens({ model, messages: ask('Count me') });
    expect(counted).toEqual({ input_tokens: 7 });
  });
});

describe('count_tokens through a config whose targets cannot all count', () => {
  it('a load balance draws only among the targets that can count: every count is answered, none is a 501', async () => {
    const model = modelOf('count-loadbalance');
    mock.script(model, () => ({ json: { input_tokens: 9 } }));
    const client = withConfig({
      strategy: { mode: 'loadbalance' },
      targets: [
        // Three times as likely as Claude, and it cannot count: it is left out of the draw.
        { virtual_key: 'gpt', weight: 3, override_params: { model: 'gpt-4o' } },
        { virtual_key: 'claude', weight: 1 },
      ],
    });
    const counts = await Promise.all(
      Array.from({ length: 8 }, () =>
        client.messages.countTokens({ model, messages: ask('Count me') }).withResponse(),
      ),
    );
    for (const { data, response } of counts) {
      expect(data).toEqual({ input_tokens: 9 });
      expect(response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[1]');
      expect(response.headers.get('x-pk-warnings')).toContain('config.targets[0]');
    }
    expect(callsOf(model).map((request) => request.path)).toEqual(
      Array.from({ length: 8 }, () => '/v1/messages/count_tokens'),
    );
    // The OpenAI target was never sent anything.
    expect(mock.forModel('gpt-4o').filter((request) => request.path.includes('count'))).toEqual([]);
  });

  it('a fallback moving on only after a 529 skips the targets that cannot count, nested groups too', async () => {
    const model = modelOf('count-fallback-529');
    mock.script(model, () => ({ json: { input_tokens: 11 } }));
    const client = withConfig({
      strategy: { mode: 'fallback', on_status_codes: [529] },
      targets: [
        { virtual_key: 'gpt' },
        {
          strategy: { mode: 'loadbalance' },
          targets: [
            { virtual_key: 'gpt' },
            { virtual_key: 'gpt', override_params: { model: 'gpt-4o-mini' } },
          ],
        },
        { virtual_key: 'claude' },
      ],
    });
    const { data, response } = await client.messages
      .countTokens({ model, messages: ask('Count me') })
      .withResponse();
    expect(data).toEqual({ input_tokens: 11 });
    expect(response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[2]');
    const sent = callsOf(model);
    expect(sent.map((request) => [request.path, request.headers['x-api-key']])).toEqual([
      ['/v1/messages/count_tokens', ANTHROPIC_KEY],
    ]);
    expect(sent[0]?.body).toMatchObject({ model, messages: ask('Count me') });
  });

  it('a config none of whose targets can count answers Anthropic’s error shape with a 501 PK_ERR_NOT_IMPLEMENTED', async () => {
    const model = modelOf('count-none');
    const refused = await withConfig({
      strategy: { mode: 'loadbalance' },
      targets: [{ virtual_key: 'gpt' }, { virtual_key: 'gpt', override_params: { model: 'gpt-4o-mini' } }],
    })
      .messages.countTokens({ model, messages: ask('Count me') })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Anthropic.APIError);
    const error = refused as InstanceType<typeof Anthropic.APIError>;
    expect(error.status).toBe(501);
    expect(error.error).toMatchObject({
      type: 'error',
      error: {
        code: 'PK_ERR_NOT_IMPLEMENTED',
        message: expect.stringContaining('counting tokens is answered by Anthropic targets only'),
      },
    });
    expect(callsOf(model)).toEqual([]);
  });
});

describe('count_tokens on Claude in the clouds', () => {
  it('Claude on Vertex AI counts at publishers/anthropic/models/count-tokens:rawPredict, as Portkey does', async () => {
    mock.script(VERTEX_CLAUDE, (request) =>
      request.path.endsWith('/count-tokens:rawPredict') ? { json: { input_tokens: 17 } } : undefined,
    );
    const before = mock.received.length;
    const counted = await withConfig(vertexTarget).messages.countTokens({
      model: 'claude-sonnet',
      system: 'You are a scientist',
      messages: ask('Count me'),
    });
    expect(counted).toEqual({ input_tokens: 17 });
    const [sent] = mock.received.slice(before);
    expect(sent).toMatchObject({
      host: 'us-central1-aiplatform.googleapis.com',
      path: '/v1/projects/my-project-123/locations/us-central1/publishers/anthropic/models/count-tokens:rawPredict',
      headers: { authorization: 'Bearer ya29.messages-probe-token' },
    });
    expect(sent?.body).toEqual({
      anthropic_version: 'vertex-2023-10-16',
      model: VERTEX_CLAUDE,
      system: 'You are a scientist',
      messages: ask('Count me'),
    });
  });

  it('Claude on Bedrock counts with CountTokens, the InvokeModel body inside, signed; Bedrock’s inputTokens is Anthropic’s input_tokens', async () => {
    mock.script(BEDROCK_CLAUDE, (request) =>
      request.path.endsWith('/count-tokens') ? { json: { inputTokens: 23 } } : undefined,
    );
    const before = mock.received.length;
    const counted = await withConfig(bedrockTarget).messages.countTokens({
      model: 'claude-sonnet',
      system: 'You are a scientist',
      messages: ask('Count me'),
    });
    expect(counted).toEqual({ input_tokens: 23 });
    const [sent] = mock.received.slice(before);
    expect(sent).toMatchObject({
      host: 'bedrock-runtime.us-east-1.amazonaws.com',
      path: `/model/${encodeURIComponent(BEDROCK_CLAUDE)}/count-tokens`,
    });
    const wrapped = (sent?.body as { input?: { invokeModel?: { body?: string } } } | undefined)?.input
      ?.invokeModel?.body;
    expect(JSON.parse(Buffer.from(wrapped ?? '', 'base64').toString('utf8'))).toEqual({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 1,
      system: 'You are a scientist',
      messages: ask('Count me'),
    });
  });

  it('a translated target still answers 501 for a count, nothing sent', async () => {
    const before = mock.received.length;
    const answer = await postJson(
      `${gateway.url}/v1/messages/count_tokens`,
      { model: 'gpt-4o', messages: ask('Count me') },
      { 'x-portkey-api-key': GATEWAY_KEY, 'x-portkey-virtual-key': 'gpt' },
    );
    expect(answer.status).toBe(501);
    expect(answer.json).toMatchObject({ type: 'error', error: { code: 'PK_ERR_NOT_IMPLEMENTED' } });
    expect(mock.received.length).toBe(before);
  });
});

describe('prompt caching on /v1/messages', () => {
  it('cache_control reaches Anthropic where it was; the cache usage fields reach the SDK and the log', async () => {
    const model = 'claude-sonnet-4-20250514';
    mock.script(model, () => ({
      json: {
        ...message(model, 'Cached.'),
        usage: {
          input_tokens: 10,
          output_tokens: 5,
          cache_creation_input_tokens: 2000,
          cache_read_input_tokens: 3000,
          cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 2000 },
        },
      },
    }));
    const traceId = `probe-prompt-cache-${run}`;
    const system: Anthropic.TextBlockParam[] = [
      { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
    ];
    const messages: Anthropic.MessageParam[] = [
      {
        role: 'user',
        content: [{ type: 'text', text: 'Long context', cache_control: { type: 'ephemeral', ttl: '1h' } }],
      },
    ];
    const answer = await anthropic({
      'x-portkey-virtual-key': 'claude',
      'x-portkey-trace-id': traceId,
    }).messages.create({
      model,
      max_tokens: 16,
      system,
      messages,
    });
    expect(answer.usage).toMatchObject({
      input_tokens: 10,
      output_tokens: 5,
      cache_creation_input_tokens: 2000,
      cache_read_input_tokens: 3000,
    });
    expect(callsOf(model)[0]?.body).toMatchObject({ system, messages });
    const [line] = await gateway.waitForRequestLines(traceId);
    expect(line?.usage).toMatchObject({ prompt_tokens: 5010, completion_tokens: 5 });
    const [record] = await recordsOf(traceId);
    // Claude Sonnet 4: $3 / M input, $15 / M output, $0.30 / M cache reads, $6 / M one-hour cache writes.
    expect(record).toMatchObject({
      usage: { prompt_tokens: 5010, completion_tokens: 5, cached_tokens: 3000, cache_write_tokens: 2000 },
      cost_status: 'priced',
    });
    expect(record?.cost).toBeCloseTo(0.013005, 9);
  });
});

describe('Claude Code’s request headers on /v1/messages', () => {
  // Anthropic and Vertex AI read the betas from the header, Bedrock's InvokeModel from the body.
  it.each([
    ['Anthropic', { virtual_key: 'claude' }, undefined, 'header'],
    ['Claude on Bedrock', bedrockTarget, BEDROCK_CLAUDE, 'body'],
    ['Claude on Vertex AI', vertexTarget, VERTEX_CLAUDE, 'header'],
  ])('anthropic-beta reaches %s', async (_label, target, targetModel, where) => {
    const model = modelOf('beta');
    const upstreamModel = targetModel ?? model;
    mock.script(upstreamModel, () => ({ json: message(upstreamModel, 'ok') }));
    const before = mock.forModel(upstreamModel).length;
    const betas = ['claude-code-20250219', 'interleaved-thinking-2025-05-14'];
    await anthropic({
      'x-portkey-config': JSON.stringify(target),
      'anthropic-beta': betas.join(','),
    }).messages.create({ model, max_tokens: 16, messages: ask('hi') });
    const sent = mock.forModel(upstreamModel)[before];
    if (where === 'header') expect(sent?.headers['anthropic-beta']).toBe(betas.join(','));
    else expect(sent?.body?.anthropic_beta).toEqual(betas);
  });
});

describe('the SDK’s beta namespace (Claude Code calls client.beta.messages)', () => {
  it('beta.messages.create and beta.messages.countTokens (?beta=true, betas as anthropic-beta) reach Anthropic', async () => {
    const model = modelOf('beta-namespace');
    mock.script(model, (request) =>
      request.path.startsWith('/v1/messages/count_tokens')
        ? { json: { input_tokens: 11 } }
        : { json: message(model, 'beta ok') },
    );
    const client = anthropic({ 'x-portkey-virtual-key': 'claude' });
    const betas = ['claude-code-20250219', 'interleaved-thinking-2025-05-14'];
    const answer = await client.beta.messages.create({ model, max_tokens: 16, betas, messages: ask('hi') });
    expect(answer.content).toEqual([{ type: 'text', text: 'beta ok' }]);
    const counted = await client.beta.messages.countTokens({ model, betas, messages: ask('hi') });
    expect(counted).toEqual({ input_tokens: 11 });
    const [create, count] = callsOf(model);
    expect(create?.headers['anthropic-beta']).toBe(betas.join(','));
    // The SDK adds its token-counting beta to a count's.
    expect(count?.headers['anthropic-beta']).toMatch(new RegExp(`^${betas.join(',')}`));
    expect(count?.path.split('?')[0]).toBe('/v1/messages/count_tokens');
  });
});

describe('a streamed Message’s usage in the log record', () => {
  it('prompt-cache reads and writes from message_start, output from message_delta: tokens and cost', async () => {
    const model = 'claude-3-5-haiku-20241022';
    const event = (name: string, data: Record<string, unknown>): SsePayload => ({
      event: name,
      data: JSON.stringify({ type: name, ...data }),
    });
    mock.script(model, () => ({
      sse: [
        event('message_start', {
          message: {
            id: 'msg_stream_usage',
            type: 'message',
            role: 'assistant',
            model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: {
              input_tokens: 20,
              cache_creation_input_tokens: 1000,
              cache_read_input_tokens: 4000,
              output_tokens: 1,
            },
          },
        }),
        event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
        event('ping', {}),
        event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Streamed.' } }),
        event('content_block_stop', { index: 0 }),
        event('message_delta', {
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: { output_tokens: 50 },
        }),
        event('message_stop', {}),
      ],
    }));
    const traceId = `probe-stream-usage-${Date.now()}`;
    const final = await anthropic({ 'x-portkey-virtual-key': 'claude', 'x-portkey-trace-id': traceId })
      .messages.stream({ model, max_tokens: 64, messages: ask('Stream me') })
      .finalMessage();
    expect(final.usage).toMatchObject({
      input_tokens: 20,
      cache_creation_input_tokens: 1000,
      cache_read_input_tokens: 4000,
      output_tokens: 50,
    });
    const [record] = await recordsOf(traceId);
    // Claude 3.5 Haiku: $0.80 / M input, $4 / M output, $1 / M cache writes, $0.08 / M cache reads.
    expect(record).toMatchObject({
      stream: true,
      usage: { prompt_tokens: 5020, completion_tokens: 50, cached_tokens: 4000, cache_write_tokens: 1000 },
      cost_status: 'priced',
    });
    expect(record?.cost).toBeCloseTo((20 * 0.8 + 50 * 4 + 1000 * 1 + 4000 * 0.08) / 1e6, 9);
  });
});

/** The stored records of a trace, once `count` of them are written (within 5 s). */
async function recordsOf(traceId: string, count = 1): Promise<Record<string, unknown>[]> {
  const end = Date.now() + 5000;
  for (;;) {
    const response = await fetch(`${gateway.base}/logs?trace_id=${traceId}`, {
      headers: { 'x-portkey-api-key': ADMIN_KEY },
    });
    const data = ((await response.json()) as { data: Record<string, unknown>[] }).data;
    if (data.length >= count || Date.now() > end) return data;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the log record of a Messages request', () => {
  it('keeps the trace id, metadata and _user, the cost and every attempt of a fallback', async () => {
    const model = 'claude-3-5-sonnet-20241022';
    const traceId = `probe-log-${Date.now()}`;
    mock.script(model, (_request, index) =>
      index === 0
        ? anthropicError(529, 'overloaded_error', 'Overloaded')
        : { json: message(model, 'Logged.', { input_tokens: 1000, output_tokens: 100 }) },
    );
    const client = anthropic({
      'x-portkey-config': JSON.stringify({
        strategy: { mode: 'fallback' },
        targets: [{ virtual_key: 'claude' }, { virtual_key: 'claude-second' }],
      }),
      'x-portkey-trace-id': traceId,
      'x-portkey-metadata': JSON.stringify({ _user: 'dev-42', app: 'claude-code' }),
    });
    await client.messages.create({ model, max_tokens: 256, messages: ask('Log me') });
    const [record] = await recordsOf(traceId);
    expect(record).toMatchObject({
      trace_id: traceId,
      status: 200,
      metadata: { _user: 'dev-42', app: 'claude-code' },
      endpoint: 'messages',
      provider: 'anthropic',
      virtual_key: 'claude-second',
      target_path: 'config.targets[1]',
      usage: { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 },
      // Claude 3.5 Sonnet: $3 / M input tokens, $15 / M output tokens.
      cost: 0.0045,
      cost_status: 'priced',
      attempts: [
        {
          target_path: 'config.targets[0]',
          provider: 'anthropic',
          status: 529,
          error_code: 'overloaded_error',
        },
        { target_path: 'config.targets[1]', provider: 'anthropic', status: 200, error_code: null },
      ],
    });
  });
});

describe('more of what Anthropic-SDK apps meet on /v1/messages', () => {
  it('a fallback whose first target’s key is out of requests moves on, streamed; alone, that key’s refusal is Anthropic’s 429', async () => {
    const model = modelOf('key-refused');
    mock.script(model, () => streamed(model, ['Second ', 'key.']));
    const traceId = `probe-key-refused-${Date.now()}`;
    const final = await anthropic({
      'x-portkey-config': JSON.stringify({
        strategy: { mode: 'fallback' },
        targets: [{ virtual_key: 'claude-closed' }, { virtual_key: 'claude-second' }],
      }),
      'x-portkey-trace-id': traceId,
    })
      .messages.stream({ model, max_tokens: 16, messages: ask('hi') })
      .finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Second key.' }]);
    expect(callsOf(model)).toHaveLength(1);
    const [record] = await recordsOf(traceId);
    expect(record).toMatchObject({
      status: 200,
      target_path: 'config.targets[1]',
      virtual_key: 'claude-second',
    });
    const alone = await anthropic({ 'x-portkey-virtual-key': 'claude-closed' })
      .messages.stream({ model, max_tokens: 16, messages: ask('hi') })
      .finalMessage()
      .catch((error: unknown) => error);
    expect(alone).toBeInstanceOf(Anthropic.RateLimitError);
    expect((alone as InstanceType<typeof Anthropic.RateLimitError>).error).toMatchObject({
      type: 'error',
      error: { type: 'rate_limit_error', code: 'PK_ERR_RATE_LIMITED' },
    });
    expect(callsOf(model)).toHaveLength(1);
  });

  it('a token rate: the Message’s usage is counted; a request whose max_tokens no longer fits is Anthropic’s 429 with x-ratelimit-*-tokens', async () => {
    const model = modelOf('tpm');
    mock.script(model, () => ({ json: message(model, 'ok', { input_tokens: 300, output_tokens: 100 }) }));
    const client = anthropic({ 'x-portkey-virtual-key': 'claude-tpm' });
    const first = await client.messages
      .create({ model, max_tokens: 100, messages: ask('one') })
      .withResponse();
    expect(first.response.headers.get('x-pk-ratelimit-limit-tokens')).toBe('600');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await client.messages
      .create({ model, max_tokens: 250, messages: ask('two') })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Anthropic.RateLimitError);
    const error = refused as InstanceType<typeof Anthropic.RateLimitError>;
    expect(error.error).toMatchObject({
      type: 'error',
      error: { type: 'rate_limit_error', code: 'PK_ERR_RATE_LIMITED' },
    });
    expect(error.headers?.get('x-ratelimit-limit-tokens')).toBe('600');
    expect(Number(error.headers?.get('x-ratelimit-remaining-tokens'))).toBeLessThanOrEqual(200);
    expect(callsOf(model)).toHaveLength(1);
  });

  it('a semantic hit is not charged to a token budget, and its record says SEMANTIC HIT', async () => {
    const model = modelOf('semantic-budget');
    mock.script(model, () => ({ json: message(model, 'Paris.', { input_tokens: 500, output_tokens: 50 }) }));
    const client = anthropic({
      'x-portkey-config': JSON.stringify({
        virtual_key: 'claude-semantic-budget',
        cache: { mode: 'semantic', max_age: 3600 },
      }),
    });
    await client.messages.create({ model, max_tokens: 64, messages: ask('What is the capital of France?') });
    await expect.poll(async () => (await adminUsage('claude-semantic-budget')).tokens).toBe(550);
    const traceId = `probe-semantic-record-${Date.now()}`;
    const hit = await anthropic({
      'x-portkey-config': JSON.stringify({
        virtual_key: 'claude-semantic-budget',
        cache: { mode: 'semantic', max_age: 3600 },
      }),
      'x-portkey-trace-id': traceId,
    })
      .messages.create({ model, max_tokens: 64, messages: ask('Tell me the capital of France') })
      .withResponse();
    expect(hit.response.headers.get('x-portkey-cache-status')).toBe('SEMANTIC HIT');
    const [record] = await recordsOf(traceId);
    expect(record).toMatchObject({ cache_status: 'SEMANTIC HIT', endpoint: 'messages', cost: 0 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await adminUsage('claude-semantic-budget')).tokens).toBe(550);
    expect(callsOf(model)).toHaveLength(1);
  });

  it('a stream the client ends early (Claude Code’s Esc) is settled by message_start’s input and the text sent, not its hold', async () => {
    const model = modelOf('esc');
    mock.script(model, () => ({
      sse: messageEvents(
        model,
        Array.from({ length: 40 }, () => 'abcde'),
        { input: 200, output: 200 },
      ),
      chunkDelayMs: 50,
    }));
    const stream = anthropic({ 'x-portkey-virtual-key': 'claude-esc' }).messages.stream({
      model,
      max_tokens: 4000,
      messages: ask('Write a lot'),
    });
    let deltas = 0;
    for await (const event of stream) {
      if (event.type === 'content_block_delta') deltas += 1;
      if (deltas === 2) break;
    }
    stream.abort();
    await expect
      .poll(async () => (await adminUsage('claude-esc')).tokens, { timeout: 5000 })
      .toBeGreaterThan(0);
    const tokens = Number((await adminUsage('claude-esc')).tokens);
    expect(tokens).toBeGreaterThanOrEqual(200);
    expect(tokens).toBeLessThan(400);
  });

  it('count_tokens through a token-budget virtual key is not charged as a completion', async () => {
    const model = modelOf('count-budget');
    mock.script(model, () => ({ json: { input_tokens: 300 } }));
    const before = (await adminUsage('claude-count')).tokens;
    const counted = await anthropic({ 'x-portkey-virtual-key': 'claude-count' }).messages.countTokens({
      model,
      messages: ask('Count me'),
    });
    expect(counted).toEqual({ input_tokens: 300 });
    expect(callsOf(model)[0]?.path).toBe('/v1/messages/count_tokens');
    // The request's end is settled after its answer left: give it time to (wrongly) charge.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await adminUsage('claude-count')).tokens).toBe(before);
  });

  it('Anthropic’s request-id and anthropic-ratelimit-* headers reach the SDK', async () => {
    const model = modelOf('headers');
    mock.script(model, () => ({
      json: message(model, 'ok'),
      headers: { 'request-id': 'req_011CProbe', 'anthropic-ratelimit-requests-remaining': '49' },
    }));
    const answer = await anthropic({ 'x-portkey-virtual-key': 'claude' })
      .messages.create({ model, max_tokens: 16, messages: ask('hi') })
      .withResponse();
    expect(answer.request_id).toBe('req_011CProbe');
    expect(answer.response.headers.get('anthropic-ratelimit-requests-remaining')).toBe('49');
  });

  it('an overloaded_error event mid-stream reaches the SDK as its error, and the record says so', async () => {
    const model = modelOf('midstream');
    const events = messageEvents(model, ['Part']);
    mock.script(model, () => ({
      sse: [
        ...events.slice(0, 4),
        {
          event: 'error',
          data: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
        },
      ],
    }));
    const traceId = `probe-midstream-${Date.now()}`;
    const caught = await anthropic({ 'x-portkey-virtual-key': 'claude', 'x-portkey-trace-id': traceId })
      .messages.stream({ model, max_tokens: 16, messages: ask('hi') })
      .finalMessage()
      .catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(Anthropic.APIError);
    expect((caught as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: 'error',
      error: { type: 'overloaded_error' },
    });
    const [record] = await recordsOf(traceId);
    // The record keeps the status the in-band error stands for, and its type.
    expect(record).toMatchObject({ stream: true, status: 529, error_code: 'overloaded_error' });
  });

  it('a cache hit’s record: HIT, no cost', async () => {
    const model = 'claude-3-5-haiku-20241022-hit';
    mock.script(model, () => ({ json: message(model, 'Stored.', { input_tokens: 100, output_tokens: 10 }) }));
    const client = withConfig({ virtual_key: 'claude', cache: { mode: 'simple', max_age: 3600 } });
    await client.messages.create({ model, max_tokens: 16, messages: ask('Store me') });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const traceId = `probe-hit-${Date.now()}`;
    const hit = await anthropic({
      'x-portkey-config': JSON.stringify({ virtual_key: 'claude', cache: { mode: 'simple', max_age: 3600 } }),
      'x-portkey-trace-id': traceId,
    })
      .messages.create({ model, max_tokens: 16, messages: ask('Store me') })
      .withResponse();
    expect(hit.response.headers.get('x-portkey-cache-status')).toBe('HIT');
    const [record] = await recordsOf(traceId);
    expect(record).toMatchObject({ cache_status: 'HIT', endpoint: 'messages', status: 200, cost: 0 });
  });
});

describe('a streamed Message from a translated or cloud target in the log record', () => {
  it('OpenAI (translated): the stream asks for usage, the record has it and its cost', async () => {
    const traceId = `probe-translated-usage-${Date.now()}`;
    const before = mock.forModel('gpt-4o-mini').length;
    const final = await anthropic({ 'x-portkey-virtual-key': 'gpt', 'x-portkey-trace-id': traceId })
      .messages.stream({ model: 'gpt-4o-mini', max_tokens: 64, messages: ask('Stream me') })
      .finalMessage();
    expect(final.usage.output_tokens).toBeGreaterThan(0);
    expect(mock.forModel('gpt-4o-mini')[before]?.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
    const [record] = await recordsOf(traceId);
    expect(record).toMatchObject({ stream: true, status: 200, provider: 'openai', cost_status: 'priced' });
    expect(record?.usage).toMatchObject({ completion_tokens: final.usage.output_tokens });
    expect(record?.cost).toBeGreaterThan(0);
  });

  it('Claude on Bedrock (InvokeModelWithResponseStream): the record has the stream’s usage and its cost', async () => {
    const model = 'anthropic.claude-3-5-haiku-20241022-v1:0';
    mock.script(model, () => ({
      eventStream: [
        bedrockChunk({
          type: 'message_start',
          message: {
            id: 'msg_bdrk_usage',
            type: 'message',
            role: 'assistant',
            model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 100, output_tokens: 1 },
          },
        }),
        bedrockChunk({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
        bedrockChunk({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi.' } }),
        bedrockChunk({ type: 'content_block_stop', index: 0 }),
        bedrockChunk({
          type: 'message_delta',
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: { output_tokens: 20 },
        }),
        bedrockChunk({
          type: 'message_stop',
          'amazon-bedrock-invocationMetrics': {
            inputTokenCount: 100,
            outputTokenCount: 20,
            invocationLatency: 100,
            firstByteLatency: 50,
          },
        }),
      ],
    }));
    const traceId = `probe-bedrock-usage-${Date.now()}`;
    await anthropic({ 'x-portkey-virtual-key': 'bedrock-east', 'x-portkey-trace-id': traceId })
      .messages.stream({ model, max_tokens: 64, messages: ask('Stream me') })
      .finalMessage();
    const [record] = await recordsOf(traceId);
    expect(record).toMatchObject({
      stream: true,
      status: 200,
      provider: 'bedrock',
      usage: { prompt_tokens: 100, completion_tokens: 20 },
      cost_status: 'priced',
    });
    // Claude 3.5 Haiku on Bedrock: $0.80 / M input, $4 / M output.
    expect(record?.cost).toBeCloseTo((100 * 0.8 + 20 * 4) / 1e6, 9);
  });
});
