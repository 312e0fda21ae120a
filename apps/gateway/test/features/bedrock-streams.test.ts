import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventStreamErrorFrame, eventStreamFrame } from '../support/event-stream-frames.js';
import { type FeatureGateway, rejectionOf, startFeatureGateway } from '../support/feature-gateway.js';
import { anthropicMessage } from '../support/provider-answers.js';
import { type ProviderMock, startProviderMock } from '../support/recording-provider-mock.js';

// Feature suite: Bedrock's ConverseStream through the built gateway, with the openai SDK (chat and
// Responses) and the Anthropic SDK (/v1/messages): the mock speaks Bedrock's binary event stream
// (`application/vnd.amazon.eventstream`, one frame per `ConverseStreamOutput` member, exceptions as
// `:message-type: exception` frames) and its HTTP errors (`x-amzn-errortype`), reached by Bedrock's
// real host name through the mock's CONNECT proxy with the region and keys of a virtual key.
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html
const GATEWAY_KEY = 'pk-features-bedrock-streams';
const AWS = {
  accessKeyId: 'AKIABEDROCKSTREAMS01',
  secretAccessKey: 'bedrock/Streams+Secret/0123456789abcdefGH',
};
/** A non-Claude model: /v1/messages and /v1/responses are translated through Converse. */
const NOVA = 'amazon.nova-pro-v1:0';
let mock: ProviderMock;
let gateway: FeatureGateway;

beforeAll(async () => {
  mock = await startProviderMock();
  mock.awsKeys.set(AWS.accessKeyId, { secretAccessKey: AWS.secretAccessKey });
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [{ id: 'team-a', key: GATEWAY_KEY }],
      virtual_keys: {
        'bedrock-east': {
          provider: 'bedrock',
          options: {
            aws_access_key_id: AWS.accessKeyId,
            aws_secret_access_key: AWS.secretAccessKey,
            aws_region: 'us-east-1',
          },
        },
      },
    },
  });
}, 30_000);
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
  expect(gateway.process.output()).not.toContain(AWS.secretAccessKey);
});

const bedrockCalls = () =>
  mock.received.filter((request) => request.host === 'bedrock-runtime.us-east-1.amazonaws.com');

type Config = Record<string, unknown>;
type Headers = Record<string, string>;

/** The SDKs' options: the gateway key, the virtual key `bedrock-east` with `config`, no retries. */
function clientOptions(baseURL: string, config: Config, headers: Headers) {
  return {
    baseURL,
    apiKey: 'unused',
    maxRetries: 0,
    defaultHeaders: {
      'x-portkey-api-key': GATEWAY_KEY,
      'x-portkey-config': JSON.stringify({ virtual_key: 'bedrock-east', ...config }),
      ...headers,
    },
  };
}

const openai = (config: Config = {}, headers: Headers = {}) =>
  new OpenAI(clientOptions(gateway.base, config, headers));
const anthropic = (config: Config = {}, headers: Headers = {}) =>
  new Anthropic(clientOptions(gateway.url, config, headers));

const HI = [{ role: 'user' as const, content: 'Hi' }];
/** A config that retries once, 20 ms later. */
const RETRY_ONCE = { retry: { attempts: 1, backoff: { initial_ms: 20 } } };

/** A chat completions stream with the openai SDK, the model overridden to `model` (says "Hi" unless `body` says else). */
const chatStream = (
  model: string,
  options: {
    config?: Config;
    headers?: Headers;
    body?: Partial<OpenAI.Chat.ChatCompletionCreateParamsStreaming>;
  } = {},
) =>
  openai({ override_params: { model }, ...options.config }, options.headers).chat.completions.create({
    model: 'x',
    stream: true,
    messages: HI,
    ...options.body,
  });

/** A Responses stream with the openai SDK, the model overridden to `model`, input "Hi". */
const responsesStream = (model: string, config: Config = {}) =>
  openai({ override_params: { model }, ...config }).responses.create({
    model: 'x',
    input: 'Hi',
    stream: true,
  });

/** A /v1/messages stream with the Anthropic SDK: "Hi", 64 tokens at most. */
const messagesStream = (model: string, config: Config = {}, headers: Headers = {}) =>
  anthropic(config, headers).messages.stream({ model, max_tokens: 64, messages: HI });

/** What a /v1/messages stream (see {@link messagesStream}) fails with: the SDK's error. */
const messagesStreamError = (model: string, config: Config = {}) =>
  messagesStream(model, config)
    .finalMessage()
    .catch((error: unknown) => error);

/** What a non-streamed /v1/messages request ("Hi", 64 tokens at most) fails with. */
const messagesError = (model: string, config: Config = {}) =>
  anthropic(config)
    .messages.create({ model, max_tokens: 64, messages: HI })
    .catch((error: unknown) => error);

/** The HTTP status of an SDK error. */
const statusOf = (caught: unknown) => (caught as { status?: number }).status;
/** The body an Anthropic SDK error carries. */
const bodyOf = (caught: unknown) => (caught as { error?: unknown }).error;
/** Anthropic's error body: `{type: "error", error: {type, message?}}`. */
const anthropicError = (type: string, message?: string) => ({
  type: 'error',
  error: message === undefined ? { type } : { type, message },
});

/** Reads a stream to its end. */
async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _item of stream) {
    // drained
  }
}

/** The last event of a stream. */
async function lastOf<T>(stream: AsyncIterable<T>): Promise<T | undefined> {
  let last: T | undefined;
  for await (const item of stream) last = item;
  return last;
}

/** Bedrock's HTTP error: the status, the exception named by `x-amzn-errortype`, its message. */
const awsHttpError = (status: number, type: string, message: string) => ({
  status,
  headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
  json: { message },
});

/** A ConverseStream that sends "Partial " then the exception `type` (frames 30 ms apart). */
const partialThen = (type: string, message: string) => ({
  eventStream: [
    { messageStart: { role: 'assistant' } },
    { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Partial ' } } },
    { [type]: { message } },
  ],
  chunkDelayMs: 30,
});

/** A stream whose first frame is the exception `type`. */
const openingWith = (type: string, message: string) => ({ eventStream: [{ [type]: { message } }] });

/** InvokeModelWithResponseStream's frame: one of Claude's events, base64 in `chunk.bytes`. */
const claudeChunk = (event: unknown) => ({
  chunk: { bytes: Buffer.from(JSON.stringify(event)).toString('base64') },
});

/** Claude's stream opening on Bedrock: `message_start` with `usage`, then a text block's start. */
const claudeOpening = (model: string, id: string, usage: Record<string, number>) => [
  claudeChunk({
    type: 'message_start',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage,
    },
  }),
  claudeChunk({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
];

const claudeText = (text: string) =>
  claudeChunk({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } });

/** Claude's stream end on Bedrock: the block's stop, `end_turn`, `message_stop` with the invocation metrics. */
const claudeEnding = (inputTokenCount: number, outputTokenCount: number) => [
  claudeChunk({ type: 'content_block_stop', index: 0 }),
  claudeChunk({
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: outputTokenCount },
  }),
  claudeChunk({
    type: 'message_stop',
    'amazon-bedrock-invocationMetrics': {
      inputTokenCount,
      outputTokenCount,
      invocationLatency: 100,
      firstByteLatency: 50,
    },
  }),
];

const TOOL = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

/** A ConverseStream answer: reasoning, text, then a tool call whose input arrives in pieces. */
const REASONING_TEXT_TOOL = [
  { messageStart: { role: 'assistant' } },
  {
    contentBlockDelta: {
      contentBlockIndex: 0,
      delta: { reasoningContent: { text: 'The user wants weather.' } },
    },
  },
  { contentBlockDelta: { contentBlockIndex: 0, delta: { reasoningContent: { signature: 'c2lnbmF0dXJl' } } } },
  { contentBlockStop: { contentBlockIndex: 0 } },
  { contentBlockDelta: { contentBlockIndex: 1, delta: { text: 'Let me check ' } } },
  { contentBlockDelta: { contentBlockIndex: 1, delta: { text: 'the weather.' } } },
  { contentBlockStop: { contentBlockIndex: 1 } },
  {
    contentBlockStart: {
      contentBlockIndex: 2,
      start: { toolUse: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'get_weather' } },
    },
  },
  { contentBlockDelta: { contentBlockIndex: 2, delta: { toolUse: { input: '{"city":' } } } },
  { contentBlockDelta: { contentBlockIndex: 2, delta: { toolUse: { input: '"Paris"}' } } } },
  { contentBlockStop: { contentBlockIndex: 2 } },
  { messageStop: { stopReason: 'tool_use' } },
  {
    metadata: {
      usage: {
        inputTokens: 30,
        outputTokens: 20,
        totalTokens: 350,
        cacheReadInputTokens: 200,
        cacheWriteInputTokens: 100,
      },
      metrics: { latencyMs: 321 },
    },
  },
];

const textStream = (stopReason: string, texts = ['Hello', ' there']) => [
  { messageStart: { role: 'assistant' } },
  ...texts.map((text) => ({ contentBlockDelta: { contentBlockIndex: 0, delta: { text } } })),
  { contentBlockStop: { contentBlockIndex: 0 } },
  { messageStop: { stopReason } },
  {
    metadata: {
      usage: { inputTokens: 11, outputTokens: 4, totalTokens: 15 },
      metrics: { latencyMs: 100 },
    },
  },
];

describe('openai SDK chat completions on Bedrock ConverseStream', () => {
  it('reasoning, text and a streamed tool call: the chunks, tool_calls finish, usage with cache reads', async () => {
    mock.script('nova-tool', [{ eventStream: REASONING_TEXT_TOOL }]);
    const stream = await chatStream('nova-tool', {
      body: {
        stream_options: { include_usage: true },
        tools: [TOOL],
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
      },
    });
    let text = '';
    let args = '';
    const finishes: unknown[] = [];
    let usage: unknown;
    const names: string[] = [];
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) text += choice.delta.content;
      for (const call of choice?.delta.tool_calls ?? []) {
        if (call.function?.name) names.push(call.function.name);
        args += call.function?.arguments ?? '';
      }
      if (choice?.finish_reason) finishes.push(choice.finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Let me check the weather.');
    expect(names).toEqual(['get_weather']);
    expect(JSON.parse(args)).toEqual({ city: 'Paris' });
    expect(finishes).toEqual(['tool_calls']);
    expect(usage).toMatchObject({
      prompt_tokens: 330,
      completion_tokens: 20,
      total_tokens: 350,
      prompt_tokens_details: { cached_tokens: 200 },
    });
    expect(bedrockCalls().at(-1)?.path).toBe('/model/nova-tool/converse-stream');
  });

  it.each([
    ['max_tokens', 'length'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
    ['end_turn', 'stop'],
  ])('stopReason %s streams finish_reason %s', async (stopReason, finish) => {
    const model = `nova-stop-${stopReason}`;
    mock.script(model, [{ eventStream: textStream(stopReason) }]);
    const stream = await chatStream(model);
    const finishes: unknown[] = [];
    for await (const chunk of stream)
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
    expect(finishes).toEqual([finish]);
  });

  it.each([
    ['throttlingException', 'Too many requests, please wait before trying again.'],
    ['modelStreamErrorException', 'The model stream failed.'],
    ['validationException', 'The model returned an invalid stream.'],
  ])('a %s after text ends the stream with an error the SDK raises, never a hang', async (type, message) => {
    const model = `nova-mid-${type}`;
    mock.script(model, [partialThen(type, message)]);
    const stream = await chatStream(model, { headers: { 'x-portkey-trace-id': `mid-${type}` } });
    let text = '';
    const caught = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((error: unknown) => error);
    expect(text).toBe('Partial ');
    expect(caught).toBeInstanceOf(OpenAI.APIError);
    expect(String((caught as Error).message)).toContain(message);
    const [line] = await gateway.waitForRequestLines(`mid-${type}`);
    expect(line).toMatchObject({ status: 200 });
    expect(line?.errorCode ?? line?.error).toBeDefined();
  });

  it.each([
    [429, 'ThrottlingException', 'Too many requests, please wait before trying again.'],
    [400, 'ValidationException', 'The provided model identifier is invalid.'],
    [403, 'AccessDeniedException', 'You don’t have access to the model with the specified model ID.'],
  ])('an HTTP %d %s: the same status and message, OpenAI-shaped', async (status, type, message) => {
    const model = `nova-http-${status}`;
    mock.script(model, [awsHttpError(status, type, message)]);
    const error = await rejectionOf(chatStream(model));
    expect(error.status).toBe(status);
    expect(error.message).toContain(message);
  });

  it('an HTTP 429 ThrottlingException is retried per the config, then answered', async () => {
    const model = 'nova-429-then-ok';
    const before = bedrockCalls().length;
    mock.script(model, [
      awsHttpError(429, 'ThrottlingException', 'Too many requests, please wait before trying again.'),
      { eventStream: textStream('end_turn') },
    ]);
    const stream = await chatStream(model, {
      config: { retry: { attempts: 2, backoff: { initial_ms: 20 } } },
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello there');
    expect(bedrockCalls().length - before).toBe(2);
  });

  it('the log line records the usage (cache reads and writes) and a cost', async () => {
    mock.script('us.amazon.nova-pro-v1:0', [{ eventStream: REASONING_TEXT_TOOL }]);
    const stream = await chatStream('us.amazon.nova-pro-v1:0', {
      headers: { 'x-portkey-trace-id': 'bedrock-stream-usage' },
      body: { tools: [TOOL], messages: [{ role: 'user', content: 'Weather in Paris?' }] },
    });
    await drain(stream);
    const [line] = await gateway.waitForRequestLines('bedrock-stream-usage');
    expect(line).toMatchObject({
      status: 200,
      usage: { prompt_tokens: 330, completion_tokens: 20, total_tokens: 350 },
    });
    expect(line?.usage).toMatchObject({ cached_tokens: 200, cache_write_tokens: 100 });
    // Nova Pro per million: 0.8 input (cache writes too), 0.2 cache reads, 3.2 output.
    expect(line?.costStatus).toBe('priced');
    expect(line?.cost).toBeCloseTo((30 * 0.8 + 100 * 0.8 + 200 * 0.2 + 20 * 3.2) / 1e6, 9);
  });

  it('non-streamed Converse: reasoning, text and tool use, cache usage, tool_calls finish', async () => {
    mock.script('nova-json', [
      {
        json: {
          output: {
            message: {
              role: 'assistant',
              content: [
                { reasoningContent: { reasoningText: { text: 'Weather.', signature: 'c2ln' } } },
                { text: 'Let me check.' },
                { toolUse: { toolUseId: 'tooluse_1', name: 'get_weather', input: { city: 'Paris' } } },
              ],
            },
          },
          stopReason: 'tool_use',
          usage: {
            inputTokens: 30,
            outputTokens: 20,
            totalTokens: 350,
            cacheReadInputTokens: 200,
            cacheWriteInputTokens: 100,
          },
          metrics: { latencyMs: 200 },
        },
      },
    ]);
    const completion = await openai({ override_params: { model: 'nova-json' } }).chat.completions.create({
      model: 'x',
      tools: [TOOL],
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]?.message.content).toBe('Let me check.');
    expect(completion.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      id: 'tooluse_1',
      function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 330, completion_tokens: 20, total_tokens: 350 });
  });
});

describe('Anthropic SDK /v1/messages on Bedrock (translated through ConverseStream)', () => {
  it('reasoning, text and a streamed tool_use: the final Message, stop_reason tool_use, cache usage', async () => {
    mock.script(NOVA, [{ eventStream: REASONING_TEXT_TOOL }]);
    const message = await anthropic()
      .messages.stream({
        model: NOVA,
        max_tokens: 256,
        tools: [{ name: 'get_weather', input_schema: { type: 'object' } }],
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
      })
      .finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content.filter((block) => block.type !== 'thinking')).toEqual([
      { type: 'text', text: 'Let me check the weather.' },
      {
        type: 'tool_use',
        id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q',
        name: 'get_weather',
        input: { city: 'Paris' },
      },
    ]);
    expect(message.usage).toMatchObject({
      input_tokens: 30,
      output_tokens: 20,
      cache_read_input_tokens: 200,
      cache_creation_input_tokens: 100,
    });
  });

  it.each([
    ['max_tokens', 'max_tokens'],
    ['guardrail_intervened', 'refusal'],
    ['content_filtered', 'refusal'],
    ['end_turn', 'end_turn'],
  ])('stopReason %s is stop_reason %s', async (stopReason, expected) => {
    const model = `amazon.nova-stop-${stopReason}`;
    mock.script(model, [{ eventStream: textStream(stopReason) }]);
    const message = await messagesStream(model).finalMessage();
    expect(message.stop_reason).toBe(expected);
  });

  describe('stop sequences and a full context window, which OpenAI’s finish reasons do not tell apart', () => {
    const converseJson = (stopReason: string) => ({
      output: { message: { role: 'assistant', content: [{ text: 'Counting: 1, 2, 3' }] } },
      stopReason,
      usage: { inputTokens: 11, outputTokens: 4, totalTokens: 15 },
      metrics: { latencyMs: 90 },
    });
    const ask = (model: string, stops?: string[]) => ({
      model,
      max_tokens: 64,
      messages: [{ role: 'user' as const, content: 'Count to ten' }],
      ...(stops === undefined ? {} : { stop_sequences: stops }),
    });

    it('stopReason stop_sequence with one sequence sent: stop_sequence names it, streamed and not', async () => {
      const model = 'amazon.nova-stop-seq-one';
      mock.script(model, (request) =>
        request.path.endsWith('/converse-stream')
          ? { eventStream: textStream('stop_sequence', ['Counting: 1, 2, 3']) }
          : { json: converseJson('stop_sequence') },
      );
      const message = await anthropic().messages.create(ask(model, ['4']));
      const streamed = await anthropic()
        .messages.stream(ask(model, ['4']))
        .finalMessage();
      for (const answer of [message, streamed]) {
        expect(answer).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: '4' });
        expect(answer.content).toEqual([{ type: 'text', text: 'Counting: 1, 2, 3' }]);
      }
      const calls = mock.forModel(model);
      expect(calls.map((call) => call.path.split('/').at(-1))).toEqual(['converse', 'converse-stream']);
      for (const call of calls) expect(call.body?.inferenceConfig).toMatchObject({ stopSequences: ['4'] });
    });

    it('stopReason stop_sequence with several sequences sent: stop_sequence null (Converse does not say which)', async () => {
      const model = 'amazon.nova-stop-seq-many';
      mock.script(model, (request) =>
        request.path.endsWith('/converse-stream')
          ? { eventStream: textStream('stop_sequence') }
          : { json: converseJson('stop_sequence') },
      );
      const message = await anthropic().messages.create(ask(model, ['4', 'four']));
      const streamed = await anthropic()
        .messages.stream(ask(model, ['4', 'four']))
        .finalMessage();
      for (const answer of [message, streamed]) {
        expect(answer).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: null });
      }
      for (const call of mock.forModel(model)) {
        expect(call.body?.inferenceConfig).toMatchObject({ stopSequences: ['4', 'four'] });
      }
    });

    it('stopReason model_context_window_exceeded is Anthropic’s own stop reason, streamed and not', async () => {
      const model = 'amazon.nova-stop-context-window';
      mock.script(model, (request) =>
        request.path.endsWith('/converse-stream')
          ? { eventStream: textStream('model_context_window_exceeded') }
          : { json: converseJson('model_context_window_exceeded') },
      );
      const message = await anthropic().messages.create(ask(model));
      const streamed = await anthropic().messages.stream(ask(model)).finalMessage();
      for (const answer of [message, streamed]) {
        expect(answer).toMatchObject({ stop_reason: 'model_context_window_exceeded', stop_sequence: null });
      }
      expect(mock.forModel(model)).toHaveLength(2);
    });
  });

  it.each([
    ['throttlingException', 'rate_limit_error'],
    ['modelStreamErrorException', 'api_error'],
  ])('a %s after text ends the stream with Anthropic’s error event (%s)', async (type, errorType) => {
    const model = `amazon.nova-mid-${type}`;
    mock.script(model, [partialThen(type, 'Bedrock failed mid-stream.')]);
    const caught = await messagesStreamError(model);
    expect(caught).toBeInstanceOf(Anthropic.APIError);
    expect(bodyOf(caught)).toMatchObject(anthropicError(errorType));
  });

  it('a throttlingException as the first frame: 429 in Anthropic’s shape after the retries', async () => {
    const model = 'amazon.nova-throttled-first';
    const before = bedrockCalls().length;
    mock.script(model, [openingWith('throttlingException', 'Too many requests.')]);
    const caught = await messagesStreamError(model, RETRY_ONCE);
    expect(caught).toBeInstanceOf(Anthropic.APIError);
    expect(statusOf(caught)).toBe(429);
    expect(bodyOf(caught)).toMatchObject(anthropicError('rate_limit_error'));
    expect(bedrockCalls().length - before).toBe(2);
  });

  it('a modelStreamErrorException as the first frame: 424 api_error, the model’s failure, not the request’s', async () => {
    const model = 'amazon.nova-stream-error-first';
    mock.script(model, [openingWith('modelStreamErrorException', 'Model stream failed.')]);
    const caught = await messagesStreamError(model);
    expect(statusOf(caught)).toBe(424);
    expect(bodyOf(caught)).toMatchObject(anthropicError('api_error', 'Model stream failed.'));
  });

  it('an HTTP 403 AccessDeniedException: 403 permission_error', async () => {
    const model = 'amazon.nova-denied';
    mock.script(model, [
      awsHttpError(
        403,
        'AccessDeniedException',
        'You don’t have access to the model with the specified model ID.',
      ),
    ]);
    const caught = await messagesError(model);
    expect(statusOf(caught)).toBe(403);
    expect(bodyOf(caught)).toMatchObject(anthropicError('permission_error'));
  });
});

describe('Anthropic SDK /v1/messages on Claude on Bedrock (InvokeModelWithResponseStream)', () => {
  it('a throttlingException mid-stream ends with Anthropic’s rate_limit_error event', async () => {
    const model = 'anthropic.claude-3-5-haiku-20241022-v1:0';
    mock.script(model, [
      {
        eventStream: [
          ...claudeOpening(model, 'msg_bdrk_01', { input_tokens: 12, output_tokens: 1 }),
          claudeText('Partial '),
          { throttlingException: { message: 'Too many requests.' } },
        ],
        chunkDelayMs: 30,
      },
    ]);
    const caught = await messagesStreamError(model);
    expect(caught).toBeInstanceOf(Anthropic.APIError);
    expect(bodyOf(caught)).toMatchObject(anthropicError('rate_limit_error'));
    expect(bedrockCalls().at(-1)?.path).toBe(
      `/model/${encodeURIComponent(model)}/invoke-with-response-stream`,
    );
  });
});

describe('openai SDK responses on Bedrock ConverseStream', () => {
  it('reasoning, text and a streamed function call: the completed Response, its usage', async () => {
    mock.script('nova-responses', [{ eventStream: REASONING_TEXT_TOOL }]);
    const stream = await openai({ override_params: { model: 'nova-responses' } }).responses.create({
      model: 'x',
      input: 'Weather in Paris?',
      tools: [{ type: 'function', name: 'get_weather', strict: false, parameters: { type: 'object' } }],
      stream: true,
    });
    let text = '';
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(text).toBe('Let me check the weather.');
    expect(completed?.status).toBe('completed');
    expect(completed?.output.find((item) => item.type === 'function_call')).toMatchObject({
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
      call_id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q',
    });
    expect(completed?.usage).toMatchObject({
      input_tokens: 330,
      output_tokens: 20,
      total_tokens: 350,
      input_tokens_details: { cached_tokens: 200 },
    });
  });

  it('stopReason max_tokens is an incomplete Response (max_output_tokens)', async () => {
    mock.script('nova-responses-max', [{ eventStream: textStream('max_tokens') }]);
    const last = await lastOf(await responsesStream('nova-responses-max'));
    expect(last?.type).toBe('response.incomplete');
    expect((last as { response?: OpenAI.Responses.Response }).response?.incomplete_details).toEqual({
      reason: 'max_output_tokens',
    });
  });

  it('a throttlingException mid-stream ends with the Responses error event the SDK raises', async () => {
    mock.script('nova-responses-mid', [partialThen('throttlingException', 'Too many requests.')]);
    const stream = await responsesStream('nova-responses-mid');
    const types: string[] = [];
    const caught = await (async () => {
      for await (const event of stream) types.push(event.type);
    })().catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(OpenAI.APIError);
    expect(types).not.toContain('response.completed');
  });
});

describe('tool calls without input, non-streamed stops, errors and guardrails on Bedrock answers', () => {
  const noArgTool = (model: string) =>
    mock.script(model, [
      {
        eventStream: [
          { messageStart: { role: 'assistant' } },
          {
            contentBlockStart: {
              contentBlockIndex: 0,
              start: { toolUse: { toolUseId: 'tooluse_a', name: 'get_time' } },
            },
          },
          { contentBlockDelta: { contentBlockIndex: 0, delta: { toolUse: { input: '' } } } },
          { contentBlockStop: { contentBlockIndex: 0 } },
          {
            contentBlockStart: {
              contentBlockIndex: 1,
              start: { toolUse: { toolUseId: 'tooluse_b', name: 'get_weather' } },
            },
          },
          { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '{"city":"Oslo"}' } } } },
          { contentBlockStop: { contentBlockIndex: 1 } },
          { messageStop: { stopReason: 'tool_use' } },
          {
            metadata: {
              usage: { inputTokens: 5, outputTokens: 6, totalTokens: 11 },
              metrics: { latencyMs: 1 },
            },
          },
        ],
      },
    ]);

  it('chat: a streamed tool call without input gets the arguments {}, as OpenAI’s', async () => {
    noArgTool('nova-two-tools');
    const completion = await openai({ override_params: { model: 'nova-two-tools' } })
      .chat.completions.stream({
        model: 'x',
        tools: [TOOL, { type: 'function', function: { name: 'get_time', parameters: { type: 'object' } } }],
        messages: [{ role: 'user', content: 'Time and weather?' }],
      })
      .finalChatCompletion();
    expect(
      completion.choices[0]?.message.tool_calls?.map((call) => [
        call.id,
        call.function.name,
        call.function.arguments,
      ]),
    ).toEqual([
      ['tooluse_a', 'get_time', '{}'],
      ['tooluse_b', 'get_weather', '{"city":"Oslo"}'],
    ]);
  });

  it('messages: a streamed tool_use without input has the input {}', async () => {
    noArgTool('amazon.nova-two-tools');
    const message = await anthropic()
      .messages.stream({
        model: 'amazon.nova-two-tools',
        max_tokens: 64,
        tools: [
          { name: 'get_time', input_schema: { type: 'object' } },
          { name: 'get_weather', input_schema: { type: 'object' } },
        ],
        messages: [{ role: 'user', content: 'Time and weather?' }],
      })
      .finalMessage();
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'tooluse_a', name: 'get_time', input: {} },
      { type: 'tool_use', id: 'tooluse_b', name: 'get_weather', input: { city: 'Oslo' } },
    ]);
  });

  it('responses: a streamed function call without input gets the arguments {}', async () => {
    noArgTool('nova-two-tools-responses');
    const stream = await openai({ override_params: { model: 'nova-two-tools-responses' } }).responses.create({
      model: 'x',
      input: 'Time and weather?',
      tools: [
        { type: 'function', name: 'get_time', strict: false, parameters: { type: 'object' } },
        { type: 'function', name: 'get_weather', strict: false, parameters: { type: 'object' } },
      ],
      stream: true,
    });
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) if (event.type === 'response.completed') completed = event.response;
    expect(
      completed?.output
        .filter((item) => item.type === 'function_call')
        .map((item) => [item.call_id, item.name, item.arguments]),
    ).toEqual([
      ['tooluse_a', 'get_time', '{}'],
      ['tooluse_b', 'get_weather', '{"city":"Oslo"}'],
    ]);
  });

  it('non-streamed /v1/messages: guardrail_intervened is refusal, cache usage kept', async () => {
    mock.script('amazon.nova-json-guard', [
      {
        json: {
          output: { message: { role: 'assistant', content: [{ text: 'Sorry, I cannot help.' }] } },
          stopReason: 'guardrail_intervened',
          usage: {
            inputTokens: 30,
            outputTokens: 5,
            totalTokens: 335,
            cacheReadInputTokens: 200,
            cacheWriteInputTokens: 100,
          },
          metrics: { latencyMs: 200 },
        },
      },
    ]);
    const message = await anthropic().messages.create({
      model: 'amazon.nova-json-guard',
      max_tokens: 64,
      messages: HI,
    });
    expect(message.stop_reason).toBe('refusal');
    expect(message.usage).toMatchObject({
      input_tokens: 30,
      output_tokens: 5,
      cache_read_input_tokens: 200,
      cache_creation_input_tokens: 100,
    });
  });

  it('an HTTP 400 ValidationException "Input is too long": context_length_exceeded', async () => {
    mock.script('nova-too-long', [
      awsHttpError(400, 'ValidationException', 'Input is too long for requested model.'),
    ]);
    const error = await rejectionOf(
      openai({ override_params: { model: 'nova-too-long' } }).chat.completions.create({
        model: 'x',
        messages: HI,
      }),
    );
    expect(error).toMatchObject({ status: 400, code: 'context_length_exceeded' });
  });

  it('responses: an HTTP 429 is a 429 in OpenAI’s shape', async () => {
    mock.script('nova-responses-429', [
      awsHttpError(429, 'ThrottlingException', 'Too many tokens, please wait before trying again.'),
    ]);
    const error = await rejectionOf(responsesStream('nova-responses-429'));
    expect(error.status).toBe(429);
    expect(error.message).toContain('Too many tokens');
  });

  it('a throttlingException mid-stream is logged as a 200 with the exception as its error code', async () => {
    mock.script('nova-mid-log', [partialThen('throttlingException', 'Too many requests.')]);
    const stream = await chatStream('nova-mid-log', { headers: { 'x-portkey-trace-id': 'nova-mid-log' } });
    await drain(stream).catch(() => undefined);
    const [line] = await gateway.waitForRequestLines('nova-mid-log');
    expect(line).toMatchObject({ status: 200, errorCode: 'throttlingException', streamChunks: 2 });
  });

  it('an output pk.pii deny ends a translated Bedrock stream on /v1/messages with the 446 error event', async () => {
    mock.script('amazon.nova-guarded', [
      { eventStream: textStream('end_turn', ['Hello', ' jane@example.com']) },
    ]);
    const caught = await messagesStreamError('amazon.nova-guarded', {
      output_guardrails: [{ 'pk.pii': {}, deny: true }],
    });
    expect(caught).toBeInstanceOf(Anthropic.APIError);
    expect(bodyOf(caught)).toMatchObject({
      error: { code: 'PK_ERR_GUARDRAIL_DENIED' },
    });
  });

  it('an output pk.pii redaction masks a native Claude-on-Bedrock stream on /v1/messages', async () => {
    const model = 'anthropic.claude-3-5-haiku-20241022-v1:0';
    mock.script(model, [
      {
        eventStream: [
          ...claudeOpening(model, 'msg_1', { input_tokens: 12, output_tokens: 1 }),
          claudeText('Write to jane@'),
          claudeText('example.com now'),
          ...claudeEnding(12, 9),
        ],
      },
    ]);
    const message = await messagesStream(model, {
      output_mutators: [{ 'pk.pii': { redact: true } }],
    }).finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: 'Write to [REDACTED_EMAIL] now' }]);
  });
});

describe('Claude on Bedrock natively, a Responses stream opening with an exception, session tokens', () => {
  const CLAUDE = 'anthropic.claude-3-5-haiku-20241022-v1:0';
  const claudeStream = (model: string) => [
    ...claudeOpening(model, 'msg_bdrk_01', {
      input_tokens: 30,
      cache_read_input_tokens: 200,
      cache_creation_input_tokens: 100,
      output_tokens: 1,
    }),
    claudeText('Hello there'),
    ...claudeEnding(30, 20),
  ];

  it('a native Claude stream’s usage (cache reads and writes) and cost reach the log line', async () => {
    mock.script(CLAUDE, [{ eventStream: claudeStream(CLAUDE) }]);
    const message = await messagesStream(
      CLAUDE,
      {},
      { 'x-portkey-trace-id': 'claude-native-usage' },
    ).finalMessage();
    expect(message.usage).toMatchObject({
      input_tokens: 30,
      output_tokens: 20,
      cache_read_input_tokens: 200,
    });
    const [line] = await gateway.waitForRequestLines('claude-native-usage');
    // Claude 3.5 Haiku per million: 0.8 input, 1 cache write, 0.08 cache read, 4 output.
    expect(line).toMatchObject({
      status: 200,
      provider: 'bedrock',
      usage: { prompt_tokens: 330, completion_tokens: 20, cached_tokens: 200, cache_write_tokens: 100 },
      costStatus: 'priced',
    });
    expect(line?.cost).toBeCloseTo((30 * 0.8 + 100 * 1 + 200 * 0.08 + 20 * 4) / 1e6, 9);
  });

  it('native Claude: HTTP 429 ThrottlingException is Anthropic’s 429 rate_limit_error, retried', async () => {
    const model = 'anthropic.claude-3-haiku-20240307-v1:0';
    const before = bedrockCalls().length;
    mock.script(model, [
      awsHttpError(429, 'ThrottlingException', 'Too many requests, please wait before trying again.'),
    ]);
    const caught = await messagesError(model, RETRY_ONCE);
    expect(statusOf(caught)).toBe(429);
    expect(bodyOf(caught)).toMatchObject(anthropicError('rate_limit_error'));
    expect(bedrockCalls().length - before).toBe(2);
  });

  it('a native Claude stream opening with a throttlingException: Anthropic’s 429 after the retries', async () => {
    const model = 'anthropic.claude-3-opus-20240229-v1:0';
    const before = bedrockCalls().length;
    mock.script(model, [openingWith('throttlingException', 'Too many requests.')]);
    const caught = await messagesStreamError(model, RETRY_ONCE);
    expect(statusOf(caught)).toBe(429);
    expect(bodyOf(caught)).toMatchObject(anthropicError('rate_limit_error'));
    expect(bedrockCalls().length - before).toBe(2);
  });

  it('a native Claude stream opening with a modelStreamErrorException: AWS’s 424, Anthropic’s api_error', async () => {
    const model = 'anthropic.claude-3-sonnet-20240229-v1:0';
    mock.script(model, [openingWith('modelStreamErrorException', 'Model stream failed.')]);
    const caught = await messagesStreamError(model);
    expect(statusOf(caught)).toBe(424);
    expect(bodyOf(caught)).toMatchObject(anthropicError('api_error', 'Model stream failed.'));
  });

  it('responses: a stream opening with throttlingException is a 429 after retries', async () => {
    const before = bedrockCalls().length;
    mock.script('nova-responses-throttled-first', [openingWith('throttlingException', 'Too many requests.')]);
    const error = await rejectionOf(responsesStream('nova-responses-throttled-first', RETRY_ONCE));
    expect(error.status).toBe(429);
    expect(bedrockCalls().length - before).toBe(2);
  });

  it('a session token from the headers signs the call (x-amz-security-token)', async () => {
    mock.awsKeys.set('ASIATEMPSESSION00001', {
      secretAccessKey: 'temp/Secret+Key/0123456789abcdefGHIJKL',
      sessionToken: 'FwoGZXIvYXdzEMOCKTOKEN',
    });
    const client = new OpenAI({
      baseURL: gateway.base,
      apiKey: 'unused',
      maxRetries: 0,
      defaultHeaders: {
        'x-portkey-api-key': GATEWAY_KEY,
        'x-portkey-provider': 'bedrock',
        'x-portkey-aws-region': 'us-east-1',
        'x-portkey-aws-access-key-id': 'ASIATEMPSESSION00001',
        'x-portkey-aws-secret-access-key': 'temp/Secret+Key/0123456789abcdefGHIJKL',
        'x-portkey-aws-session-token': 'FwoGZXIvYXdzEMOCKTOKEN',
      },
    });
    const completion = await client.chat.completions.create({
      model: 'amazon.nova-lite-v1:0',
      messages: HI,
    });
    expect(completion.choices[0]?.message.content).toBeTruthy();
    expect(bedrockCalls().at(-1)?.headers['x-amz-security-token']).toBe('FwoGZXIvYXdzEMOCKTOKEN');
  });
});

describe('Converse stop reasons on a Responses stream', () => {
  it.each([
    ['guardrail_intervened', 'response.incomplete', { reason: 'content_filter' }],
    ['content_filtered', 'response.incomplete', { reason: 'content_filter' }],
    ['model_context_window_exceeded', 'response.incomplete', { reason: 'max_output_tokens' }],
    ['stop_sequence', 'response.completed', null],
  ])('stopReason %s ends with %s', async (stop, type, details) => {
    const model = `nova-resp-stop-${stop}`;
    mock.script(model, [{ eventStream: textStream(stop) }]);
    const last = await lastOf(await responsesStream(model));
    expect(last?.type).toBe(type);
    expect((last as { response?: OpenAI.Responses.Response }).response?.incomplete_details ?? null).toEqual(
      details,
    );
  });
});

describe('Claude’s extended thinking through Converse (openai SDK, strict compliance off)', () => {
  const CLAUDE_37 = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
  const SIGNATURE = 'ErUBCkYIBxgCIkDbSk4x8k3rS0Ut7Jk0mQ==';
  const ENCRYPTED = 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIw';
  const loose = () => openai({}, { 'x-portkey-strict-open-ai-compliance': 'false' });
  const tools = [TOOL];
  const ask = { role: 'user' as const, content: 'Weather in Paris?' };

  it('the signed and encrypted reasoning of a tool-use turn reaches the client, and goes back to Bedrock first, unchanged', async () => {
    mock.script(CLAUDE_37, [
      {
        json: {
          output: {
            message: {
              role: 'assistant',
              content: [
                {
                  reasoningContent: {
                    reasoningText: { text: 'I should call get_weather.', signature: SIGNATURE },
                  },
                },
                { reasoningContent: { redactedContent: ENCRYPTED } },
                { toolUse: { toolUseId: 'tooluse_1', name: 'get_weather', input: { city: 'Paris' } } },
              ],
            },
          },
          stopReason: 'tool_use',
          usage: { inputTokens: 40, outputTokens: 30, totalTokens: 70 },
          metrics: { latencyMs: 300 },
        },
      },
      {
        json: {
          output: { message: { role: 'assistant', content: [{ text: 'It is 18 degrees in Paris.' }] } },
          stopReason: 'end_turn',
          usage: { inputTokens: 60, outputTokens: 10, totalTokens: 70 },
          metrics: { latencyMs: 200 },
        },
      },
    ]);
    const first = await loose().chat.completions.create({
      model: CLAUDE_37,
      tools,
      messages: [ask],
      reasoning_effort: 'low',
    });
    const message = first.choices[0]?.message as OpenAI.Chat.ChatCompletionMessage & {
      thinking_blocks?: unknown[];
    };
    expect(message.thinking_blocks).toEqual([
      { type: 'thinking', thinking: 'I should call get_weather.', signature: SIGNATURE },
      { type: 'redacted_thinking', data: ENCRYPTED },
    ]);
    const second = await loose().chat.completions.create({
      model: CLAUDE_37,
      tools,
      reasoning_effort: 'low',
      messages: [
        ask,
        message as OpenAI.Chat.ChatCompletionAssistantMessageParam,
        { role: 'tool', tool_call_id: 'tooluse_1', content: '18 degrees' },
      ],
    });
    expect(second.choices[0]?.message.content).toBe('It is 18 degrees in Paris.');
    const sent = bedrockCalls().at(-1)?.body as { messages: { role: string; content: unknown[] }[] };
    expect(sent.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { reasoningContent: { reasoningText: { text: 'I should call get_weather.', signature: SIGNATURE } } },
        { reasoningContent: { redactedContent: ENCRYPTED } },
        { toolUse: { toolUseId: 'tooluse_1', name: 'get_weather', input: { city: 'Paris' } } },
      ],
    });
  });

  it('a streamed answer sends the signature as thinking_blocks after the reasoning text', async () => {
    mock.script('us.anthropic.claude-sonnet-4-20250514-v1:0', [{ eventStream: REASONING_TEXT_TOOL }]);
    const stream = await loose().chat.completions.create({
      model: 'us.anthropic.claude-sonnet-4-20250514-v1:0',
      tools,
      stream: true,
      messages: [ask],
    });
    let reasoning = '';
    const blocks: unknown[] = [];
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as
        | { reasoning_content?: string; thinking_blocks?: unknown[] }
        | undefined;
      reasoning += delta?.reasoning_content ?? '';
      blocks.push(...(delta?.thinking_blocks ?? []));
    }
    expect(reasoning).toBe('The user wants weather.');
    expect(blocks).toEqual([{ type: 'thinking', thinking: '', signature: 'c2lnbmF0dXJl' }]);
  });
});

describe('guardrails on Claude on Bedrock natively (Anthropic SDK)', () => {
  it('an input pk.pii redaction reaches InvokeModel redacted, system, documents and tool results included', async () => {
    const model = 'anthropic.claude-3-5-sonnet-20241022-v2:0';
    mock.script(model, [{ json: anthropicMessage(model) }]);
    const before = bedrockCalls().length;
    await anthropic({ input_mutators: [{ 'pk.pii': { redact: true } }] }).messages.create({
      model,
      max_tokens: 64,
      system: 'Escalate to ops@example.com',
      tools: [{ name: 'send_email', input_schema: { type: 'object' } }],
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'document',
              source: { type: 'text', media_type: 'text/plain', data: 'From jane@example.com' },
            },
            { type: 'text', text: 'Reply to bob@example.com' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'toolu_1', name: 'send_email', input: { to: 'bob@example.com' } },
          ],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'Sent to bob@example.com' }],
        },
      ],
    });
    const calls = bedrockCalls().slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.path).toBe(`/model/${encodeURIComponent(model)}/invoke`);
    expect(calls[0]?.raw.toString('utf8')).not.toContain('@example.com');
    expect(calls[0]?.raw.toString('utf8')).toContain('[REDACTED_EMAIL]');
  });

  it('an input guardrail deny on a translated Bedrock model answers 446, nothing sent', async () => {
    const before = bedrockCalls().length;
    const caught = await anthropic({ input_guardrails: [{ 'pk.pii': {}, deny: true }] })
      .messages.create({
        model: NOVA,
        max_tokens: 64,
        messages: [{ role: 'user', content: 'I am jane@example.com' }],
      })
      .catch((error: unknown) => error);
    expect((caught as { status?: number }).status).toBe(446);
    expect(bedrockCalls().length - before).toBe(0);
  });
});

describe('an event-stream error frame (:message-type error)', () => {
  const EVENT_STREAM = 'application/vnd.amazon.eventstream';

  it('a Converse stream ending with one: the client gets AWS’s message, not an interrupted stream', async () => {
    mock.script('nova-error-frame', [
      {
        contentType: EVENT_STREAM,
        frames: [
          eventStreamFrame('messageStart', { role: 'assistant' }),
          eventStreamFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Partial ' } }),
          eventStreamErrorFrame('InternalFailure', 'An internal error occurred.'),
        ],
      },
    ]);
    const error = await rejectionOf(chatStream('nova-error-frame').then(drain));
    expect(error.message).toContain('An internal error occurred.');
  });

  it('a native Claude stream ending with one: Anthropic’s api_error with AWS’s message', async () => {
    const model = 'anthropic.claude-3-5-haiku-20241022-v1:0';
    mock.script(model, [
      {
        contentType: EVENT_STREAM,
        frames: [eventStreamErrorFrame('InternalFailure', 'An internal error occurred.')],
      },
    ]);
    const caught = await messagesStreamError(model);
    expect(caught).toBeInstanceOf(Anthropic.APIError);
    expect(bodyOf(caught)).toMatchObject(anthropicError('api_error', 'An internal error occurred.'));
  });
});
