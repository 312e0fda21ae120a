import Anthropic from '@anthropic-ai/sdk';
import { cost } from '@pk/prices';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, rejectionOf, startFeatureGateway } from './support/feature-gateway.js';
import {
  anthropicReply,
  bedrockClaudeReply,
  bedrockConverseReply,
  cohereReply,
  geminiReply,
  MOCK_USAGE,
  type MockReplyBody,
  openAIChatReply,
  openAIResponsesEvents,
} from './support/provider-mock-formats.js';
import {
  chatChunks,
  type ProviderMock,
  type SsePayload,
  startProviderMock,
} from './support/recording-provider-mock.js';
import { temporaryDataDir } from './support/store-fixtures.js';
import { adminGetter, listedRecordOf } from './support/stored-records.js';

// A stream that ends short (the provider resets the connection, or the client aborts) after the
// provider reported usage: the log record keeps that usage and its cost (`cost_status:
// "partial_usage"`), and a token budget counts it. Without any usage reported (OpenAI's Responses
// stream carries it only in `response.completed`), the record has none (`no_usage`) and the budget
// counts the prompt's bound plus the text sent. Through the built gateway with the Anthropic and
// OpenAI SDKs, against a mock speaking Anthropic's and OpenAI's stream formats (chat completions and
// the Responses API's named events).
const KEYS = { team: 'pk-cut-usage-team', admin: 'pk-cut-usage-admin' };
const ANTHROPIC_MODEL = 'claude-sonnet-4-20250514';
const OPENAI_MODEL = 'gpt-4o-mini';
/** What Anthropic's `message_start` reports: 25 new input tokens, 200 read from the cache, 100 written. */
const STARTED_USAGE = {
  input_tokens: 25,
  cache_read_input_tokens: 200,
  cache_creation_input_tokens: 100,
  output_tokens: 1,
};
/** The same in the record's (OpenAI's) terms: prompt tokens count cache reads and writes. */
const RECORDED_USAGE = {
  prompt_tokens: 325,
  completion_tokens: 1,
  total_tokens: 326,
  cached_tokens: 200,
  cache_write_tokens: 100,
};
const TEXT = 'Paris is the capital';
/** Every mock answer's usage (25 in, 12 out) in the record's terms. */
const MOCK_RECORDED_USAGE = {
  prompt_tokens: MOCK_USAGE.input,
  completion_tokens: MOCK_USAGE.output,
  total_tokens: MOCK_USAGE.input + MOCK_USAGE.output,
};

let mock: ProviderMock;
let gateway: FeatureGateway;
const dataDir = temporaryDataDir();

beforeAll(async () => {
  mock = await startProviderMock();
  const budget = { usage_limits: { credit_limit: 1_000_000, type: 'tokens' } };
  /** Virtual keys `slugs` of one provider on the mock (`path`: the provider's API root), each with its own budget. */
  const keysOf = (slugs: string[], provider: string, apiKey: string, path: string) =>
    Object.fromEntries(
      slugs.map((slug) => [
        slug,
        { provider, api_key: apiKey, options: { custom_host: `${mock.url}${path}` }, ...budget },
      ]),
    );
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [
        { id: 'team', key: KEYS.team },
        { id: 'admin', key: KEYS.admin, role: 'admin' },
      ],
      virtual_keys: {
        // One per test that reads its budget: each budget counts one request.
        ...keysOf(
          [
            'anthropic-native',
            'anthropic-chat',
            'ended-anthropic-messages',
            'ended-anthropic-chat',
            'cut-tool-messages',
          ],
          'anthropic',
          'sk-ant-cut',
          '/v1',
        ),
        ...keysOf(
          [
            'openai-chat',
            'openai-responses-reset',
            'openai-responses-done',
            'openai-responses-completed',
            'openai-responses-abort',
            'ended-openai-chat',
          ],
          'openai',
          'sk-cut',
          '/v1',
        ),
        ...keysOf(['ended-gemini-chat'], 'google', 'g-cut', '/v1beta'),
        ...keysOf(['ended-cohere-chat'], 'cohere', 'co-cut', '/v2'),
        ...Object.fromEntries(
          ['ended-bedrock-messages', 'ended-bedrock-chat'].map((slug) => [
            slug,
            {
              provider: 'bedrock',
              options: {
                aws_access_key_id: 'AKIDSTREAMENDS',
                aws_secret_access_key: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
                aws_region: 'us-east-1',
                custom_host: mock.url,
              },
              ...budget,
            },
          ]),
        ),
        // Azure's real host name, served by the mock behind its CONNECT proxy.
        'azure-responses': {
          provider: 'azure-openai',
          api_key: 'azure-cut-key',
          options: { resource_name: 'my-resource', deployment_id: 'o4-mini-cut' },
          ...budget,
        },
      },
    },
    env: { PK_DATA_DIR: dataDir.path, PK_LOG_STORE_FLUSH_MS: '50' },
  });
  // The gateway's start, on a loaded machine.
}, 30_000);
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
  dataDir.remove();
});

/** Anthropic's stream up to its first text: `message_start` (with its usage), the text block and its deltas. */
function anthropicOpening(model: string): string[] {
  return [
    JSON.stringify({
      type: 'message_start',
      message: {
        id: 'msg_cut_1',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: STARTED_USAGE,
      },
    }),
    JSON.stringify({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    ...TEXT.split(' ').map((word, index) =>
      JSON.stringify({
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: index === 0 ? word : ` ${word}` },
      }),
    ),
  ];
}

function adminGet<T>(path: string): Promise<T> {
  return adminGetter(gateway.base, KEYS.admin)<T>(path);
}

/** The stored record of a trace, once the log store has it. */
function recordOf(traceId: string): Promise<Record<string, unknown>> {
  return listedRecordOf(adminGet, traceId);
}

/** The tokens a virtual key's budget has counted, once `requests` of its requests were settled. */
async function budgetTokensOf(slug: string, requests: number): Promise<number> {
  let tokens = -1;
  await expect
    .poll(
      async () => {
        const usage = (
          await adminGet<{ current_usage: { requests: number; tokens: number } }>(`/virtual-keys/${slug}`)
        ).current_usage;
        tokens = usage.tokens;
        return usage.requests;
      },
      { timeout: 5000 },
    )
    .toBe(requests);
  return tokens;
}

/** A mock reply that sends `sse` then resets the connection. */
const resetAfter = (sse: readonly SsePayload[]) =>
  ({ sse, breakAfter: { payloads: sse.length, how: 'reset' } }) as const;

/** The text of a chat completions chunk. */
const chatText = (chunk: OpenAI.Chat.ChatCompletionChunk) => chunk.choices[0]?.delta?.content ?? '';
/** The text of a Responses stream event (its `response.output_text.delta`s). */
const responsesText = (event: OpenAI.Responses.ResponseStreamEvent) =>
  event.type === 'response.output_text.delta' ? event.delta : '';

/** Reads a stream that is cut: the text it carried and the error it ended with (the test fails if none). */
async function readCut<T>(stream: AsyncIterable<T>, textOf: (item: T) => string) {
  let text = '';
  const error = await rejectionOf(
    (async () => {
      for await (const item of stream) text += textOf(item);
    })(),
  );
  return { text, error };
}

/** Reads a stream until its text is `whole`, then aborts it (`controller`, the request's): the text read. */
async function readThenAbort<T>(
  stream: AsyncIterable<T>,
  textOf: (item: T) => string,
  whole: string,
  controller: AbortController,
): Promise<string> {
  let text = '';
  try {
    for await (const item of stream) {
      text += textOf(item);
      if (text === whole) controller.abort();
    }
  } catch {
    // The abort may end the iteration with an error.
  }
  return text;
}

const priced = (provider: string, model: string, usage: Record<string, unknown>): number | null =>
  cost({ provider, model, usage }).cost;

/** Anthropic's usage so far, in the OpenAI shape `@pk/prices` prices. */
const STARTED_OPENAI_USAGE = {
  prompt_tokens: 325,
  completion_tokens: 1,
  total_tokens: 326,
  prompt_tokens_details: { cached_tokens: 200 },
  cache_creation_input_tokens: 100,
};

/** An SDK's options as an app with the team's gateway key calls pk: a virtual key, a trace id, no retries. */
const throughOptions = (baseURL: string, virtualKey: string, traceId: string) => ({
  baseURL,
  apiKey: 'unused',
  maxRetries: 0,
  defaultHeaders: {
    'x-portkey-api-key': KEYS.team,
    'x-portkey-virtual-key': virtualKey,
    'x-portkey-trace-id': traceId,
  },
});
/** The openai SDK calling pk (see {@link throughOptions}). */
const openaiThrough = (virtualKey: string, traceId: string) =>
  new OpenAI(throughOptions(gateway.base, virtualKey, traceId));
/** The Anthropic SDK calling pk's /v1/messages (see {@link throughOptions}). */
const anthropicThrough = (virtualKey: string, traceId: string) =>
  new Anthropic(throughOptions(gateway.url, virtualKey, traceId));

describe('a stream that ends short after its provider reported usage', () => {
  it('Anthropic’s SDK, the provider resets after message_start and some text: the record keeps the input tokens and their cost, the budget counts them', async () => {
    const model = `${ANTHROPIC_MODEL}`;
    const traceId = `cut-native-${Date.now()}`;
    const opening = anthropicOpening(model);
    mock.script(model, [resetAfter(opening)]);
    const client = anthropicThrough('anthropic-native', traceId);
    let text = '';
    const error = await rejectionOf(
      (async () => {
        const stream = client.messages.stream({
          model,
          max_tokens: 200,
          messages: [{ role: 'user', content: 'What is the capital of France?' }],
        });
        stream.on('text', (delta) => {
          text += delta;
        });
        await stream.finalMessage();
      })(),
    );
    expect(error.message).toContain('the provider stream was interrupted');
    expect(text).toBe(TEXT);
    expect(mock.forModel(model)).toHaveLength(1);

    const record = await recordOf(traceId);
    expect(record).toMatchObject({
      status: 200,
      error_code: 'PK_ERR_STREAM_INTERRUPTED',
      usage: RECORDED_USAGE,
      cost_status: 'partial_usage',
    });
    const expected = priced('anthropic', model, STARTED_OPENAI_USAGE);
    expect(expected).toBeGreaterThan(0);
    expect(record.cost).toBeCloseTo(expected as number, 10);

    // The budget: the usage reported, plus one token per byte of text sent beyond the 1 output token reported.
    expect(await budgetTokensOf('anthropic-native', 1)).toBe(326 + TEXT.length - 1);
  });

  it('the openai SDK through Anthropic, the client aborts after the first chunks: the 499’s record keeps the input tokens, the budget counts them', async () => {
    const model = 'claude-3-5-haiku-20241022';
    const traceId = `cut-abort-${Date.now()}`;
    const opening = anthropicOpening(model);
    // Everything up to the text, then nothing until the client leaves.
    mock.script(model, [{ sse: opening, stallAfter: opening.length }]);
    const client = openaiThrough('anthropic-chat', traceId);
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      {
        model,
        max_tokens: 200,
        stream: true,
        messages: [{ role: 'user', content: 'What is the capital of France?' }],
      },
      { signal: controller.signal },
    );
    const text = await readThenAbort(stream, chatText, TEXT, controller);
    expect(text).toBe(TEXT);

    const record = await recordOf(traceId);
    expect(record).toMatchObject({ status: 499, usage: RECORDED_USAGE, cost_status: 'partial_usage' });
    expect(record.cost).toBeCloseTo(priced('anthropic', model, STARTED_OPENAI_USAGE) as number, 10);
    expect(await budgetTokensOf('anthropic-chat', 1)).toBe(326 + TEXT.length - 1);
  });

  it('the openai SDK, OpenAI’s usage chunk arrives and the connection resets before [DONE]: the record keeps that usage and its cost', async () => {
    const model = OPENAI_MODEL;
    const traceId = `cut-openai-${Date.now()}`;
    const frames = chatChunks(model, { pieces: 4, usage: true }).filter((frame) => frame !== '[DONE]');
    mock.script(model, [resetAfter(frames)]);
    const client = openaiThrough('openai-chat', traceId);
    const stream = await client.chat.completions.create({
      model,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
    });
    const { text, error } = await readCut(stream, chatText);
    expect(error.message).toContain('the provider stream was interrupted');
    expect(text).toBe('The capital of France is Paris.');

    const record = await recordOf(traceId);
    const usage = { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 };
    expect(record).toMatchObject({
      status: 200,
      error_code: 'PK_ERR_STREAM_INTERRUPTED',
      usage,
      cost_status: 'partial_usage',
    });
    expect(record.cost).toBeCloseTo(priced('openai', model, usage) as number, 10);
    // The budget: the usage reported, plus one token per byte of text sent beyond the 9 output tokens reported.
    expect(await budgetTokensOf('openai-chat', 1)).toBe(21 + 'The capital of France is Paris.'.length - 9);
  });

  it('a stream cut before its provider reported any usage still has none (no_usage), as before', async () => {
    const model = 'gpt-4o';
    const traceId = `cut-none-${Date.now()}`;
    const frames = chatChunks(model, { pieces: 4 }).slice(0, 3);
    mock.script(model, [resetAfter(frames)]);
    const client = openaiThrough('openai-chat', traceId);
    const stream = await client.chat.completions.create({
      model,
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    await readCut(stream, chatText);
    const record = await recordOf(traceId);
    expect(record).toMatchObject({
      status: 200,
      error_code: 'PK_ERR_STREAM_INTERRUPTED',
      cost: null,
      cost_status: 'no_usage',
    });
    expect((record.usage as Record<string, unknown>).prompt_tokens).toBeNull();
  });
});

describe('a native Responses stream that ends short (OpenAI serving /v1/responses itself)', () => {
  const ANSWER = 'The capital of France is Paris.';
  /** OpenAI's stream for {@link ANSWER}: created, the message's text deltas, the item's end, completed. */
  const responsesEvents = (model: string) => openAIResponsesEvents({ kind: 'text', text: ANSWER }, model);
  /** The events up to and including the last text delta (no `response.output_text.done` yet). */
  const upToLastDelta = (model: string) => {
    const events = responsesEvents(model);
    const lastDelta = events.findLastIndex((event) => event.event === 'response.output_text.delta');
    return events.slice(0, lastDelta + 1);
  };
  /** The request the openai SDK sends: its JSON is the prompt bound a Responses request holds (its bytes). */
  const requestOf = (model: string) =>
    ({
      model,
      input: 'What is the capital of France?',
      max_output_tokens: 200,
      stream: true,
    }) as const;
  const promptBound = (model: string) => Buffer.byteLength(JSON.stringify(requestOf(model)));
  /** The provider sends `events`, then resets: what the openai SDK's Responses stream through `slug` read. */
  const readResetStream = async (
    model: string,
    slug: string,
    traceId: string,
    events: readonly SsePayload[],
  ) => {
    mock.script(model, [resetAfter(events)]);
    const stream = await openaiThrough(slug, traceId).responses.create(requestOf(model));
    return readCut(stream, responsesText);
  };

  it('the openai SDK, the provider resets after some text and before response.completed: the record says no_usage, the budget counts the prompt bound and the text sent', async () => {
    const model = 'gpt-4.1-mini';
    const traceId = `cut-responses-${Date.now()}`;
    const events = upToLastDelta(model);
    const { text, error } = await readResetStream(model, 'openai-responses-reset', traceId, events);
    expect(error.message).toContain('the provider stream was interrupted');
    expect(text).toBe(ANSWER);
    expect(mock.forModel(model)).toHaveLength(1);
    expect(mock.forModel(model)[0]?.path).toBe('/v1/responses');

    const record = await recordOf(traceId);
    expect(record).toMatchObject({
      status: 200,
      error_code: 'PK_ERR_STREAM_INTERRUPTED',
      cost: null,
      cost_status: 'no_usage',
    });
    expect((record.usage as Record<string, unknown>).prompt_tokens).toBeNull();
    // As a chat stream cut before any usage: the prompt's bound plus one token per byte of text sent.
    expect(await budgetTokensOf('openai-responses-reset', 1)).toBe(promptBound(model) + ANSWER.length);
  });

  it('the openai SDK, the provider resets after the message’s done events and before response.completed: the budget counts the text once, not once per event that repeats it', async () => {
    const model = 'gpt-4.1-nano';
    const traceId = `cut-responses-done-${Date.now()}`;
    const events = responsesEvents(model).slice(0, -1);
    // `response.output_text.done`, `response.content_part.done` and `response.output_item.done` each repeat the text.
    expect(events.at(-1)?.event).toBe('response.output_item.done');
    const { text, error } = await readResetStream(model, 'openai-responses-done', traceId, events);
    expect(error.message).toContain('the provider stream was interrupted');
    expect(text).toBe(ANSWER);

    const record = await recordOf(traceId);
    expect(record).toMatchObject({
      status: 200,
      error_code: 'PK_ERR_STREAM_INTERRUPTED',
      cost_status: 'no_usage',
    });
    expect(await budgetTokensOf('openai-responses-done', 1)).toBe(promptBound(model) + ANSWER.length);
  });

  it('the openai SDK, the connection resets after response.completed: the client’s stream ends whole, the record keeps its usage and cost, the budget counts that usage', async () => {
    const model = 'gpt-4.1';
    const traceId = `cut-responses-completed-${Date.now()}`;
    const events = responsesEvents(model);
    expect(events.at(-1)?.event).toBe('response.completed');
    mock.script(model, [resetAfter(events)]);
    const stream = await openaiThrough('openai-responses-completed', traceId).responses.create(
      requestOf(model),
    );
    let text = '';
    let completed = false;
    for await (const event of stream) {
      text += responsesText(event);
      if (event.type === 'response.completed') completed = true;
    }
    expect(text).toBe(ANSWER);
    expect(completed).toBe(true);

    const record = await recordOf(traceId);
    const usage = MOCK_RECORDED_USAGE;
    // The answer was whole: no error event after response.completed, none in the record.
    expect(record).toMatchObject({ status: 200, error_code: null, usage, cost_status: 'priced' });
    expect(record.cost).toBeCloseTo(priced('openai', model, usage) as number, 10);
    expect(await budgetTokensOf('openai-responses-completed', 1)).toBe(usage.total_tokens);
  });

  it('the openai SDK through Azure OpenAI, the provider resets after some text: the record says no_usage, the budget counts the prompt bound and the text sent', async () => {
    const model = 'o4-mini';
    const traceId = `cut-responses-azure-${Date.now()}`;
    const events = upToLastDelta(model);
    const { text, error } = await readResetStream(model, 'azure-responses', traceId, events);
    expect(error.message).toContain('the provider stream was interrupted');
    expect(text).toBe(ANSWER);
    expect(mock.forModel(model)).toMatchObject([{ host: 'my-resource.openai.azure.com' }]);
    expect(mock.forModel(model)[0]?.path).toMatch(/^\/openai\/(v1\/)?responses/);

    const record = await recordOf(traceId);
    expect(record).toMatchObject({
      status: 200,
      provider: 'azure-openai',
      error_code: 'PK_ERR_STREAM_INTERRUPTED',
      cost_status: 'no_usage',
    });
    expect(await budgetTokensOf('azure-responses', 1)).toBe(promptBound(model) + ANSWER.length);
  });

  it('the openai SDK, the client aborts after the text: the 499’s record says no_usage, the budget counts the prompt bound and the text sent', async () => {
    const model = 'gpt-4o';
    const traceId = `cut-responses-abort-${Date.now()}`;
    const events = upToLastDelta(model);
    // Everything up to the text, then nothing until the client leaves.
    mock.script(model, [{ sse: events, stallAfter: events.length }]);
    const controller = new AbortController();
    const stream = await openaiThrough('openai-responses-abort', traceId).responses.create(requestOf(model), {
      signal: controller.signal,
    });
    const text = await readThenAbort(stream, responsesText, ANSWER, controller);
    expect(text).toBe(ANSWER);

    const record = await recordOf(traceId);
    expect(record).toMatchObject({ status: 499, cost: null, cost_status: 'no_usage' });
    expect(await budgetTokensOf('openai-responses-abort', 1)).toBe(promptBound(model) + ANSWER.length);
  });
});

/** A mock stream (the vendor's own framing) whose connection resets once all its frames left. */
const resetAfterAll = (body: MockReplyBody) => {
  const frames = body.frames ?? [];
  return {
    frames,
    contentType: body.contentType,
    breakAfter: { payloads: frames.length, how: 'reset' },
  } as const;
};

const WEATHER_CALL = {
  kind: 'tool',
  id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
  name: 'get_weather',
  input: { location: 'San Francisco, CA', unit: 'fahrenheit' },
} as const;
const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'The current weather in a city',
  input_schema: {
    type: 'object' as const,
    properties: { location: { type: 'string' }, unit: { type: 'string' } },
    required: ['location'],
  },
};

describe('a stream whose connection resets after its provider’s own end (nothing was lost)', () => {
  const ANSWER = 'The capital of France is Paris.';

  /** The record of `traceId` and the budget of `slug` keep the mock's whole usage, priced, with no error. */
  async function expectWholeUsageKept(traceId: string, slug: string): Promise<void> {
    const record = await recordOf(traceId);
    expect(record).toMatchObject({ status: 200, error_code: null, usage: MOCK_RECORDED_USAGE });
    expect(record.cost_status).toBe('priced');
    expect(record.cost).toBeGreaterThan(0);
    expect(await budgetTokensOf(slug, 1)).toBe(MOCK_RECORDED_USAGE.total_tokens);
  }

  it.each([
    {
      vendor: 'Anthropic',
      slug: 'ended-anthropic-messages',
      model: 'claude-sonnet-4-5-20250929',
      reply: (model: string) => anthropicReply(WEATHER_CALL, model, true),
    },
    {
      vendor: 'Claude on Bedrock',
      slug: 'ended-bedrock-messages',
      model: 'anthropic.claude-3-5-haiku-20241022-v1:0',
      reply: (model: string) => bedrockClaudeReply(WEATHER_CALL, model, true),
    },
  ])(
    'the Anthropic SDK on /v1/messages, $vendor resets after message_stop: the whole message, no error; the record and the budget keep its usage',
    async ({ slug, model, reply }) => {
      const traceId = `ended-${slug}-${Date.now()}`;
      const body = reply(model);
      mock.script(model, [resetAfterAll(body)]);
      const message = await anthropicThrough(slug, traceId)
        .messages.stream({
          model,
          max_tokens: 200,
          tools: [WEATHER_TOOL],
          messages: [{ role: 'user', content: 'What is the weather in San Francisco?' }],
        })
        .finalMessage();
      expect(message.stop_reason).toBe('tool_use');
      expect(message.content).toEqual([
        { type: 'tool_use', id: WEATHER_CALL.id, name: WEATHER_CALL.name, input: WEATHER_CALL.input },
      ]);
      expect(message.usage).toMatchObject({
        input_tokens: MOCK_USAGE.input,
        output_tokens: MOCK_USAGE.output,
      });
      expect(mock.forModel(model)).toHaveLength(1);

      await expectWholeUsageKept(traceId, slug);
    },
  );

  it.each([
    {
      vendor: 'OpenAI',
      terminal: '[DONE]',
      slug: 'ended-openai-chat',
      model: 'gpt-4o-mini-2024-07-18',
      reply: (model: string) => openAIChatReply({ kind: 'text', text: ANSWER }, model, true, true),
    },
    {
      vendor: 'Anthropic',
      terminal: 'message_stop',
      slug: 'ended-anthropic-chat',
      model: 'claude-3-7-sonnet-20250219',
      reply: (model: string) => anthropicReply({ kind: 'text', text: ANSWER }, model, true),
    },
    {
      vendor: 'Gemini',
      terminal: 'its last chunk, with finishReason',
      slug: 'ended-gemini-chat',
      model: 'gemini-2.0-flash',
      reply: (model: string) => geminiReply({ kind: 'text', text: ANSWER }, model, true),
    },
    {
      vendor: 'Bedrock',
      terminal: 'messageStop and metadata',
      slug: 'ended-bedrock-chat',
      model: 'amazon.nova-lite-v1:0',
      reply: () => bedrockConverseReply({ kind: 'text', text: ANSWER }, true),
    },
    {
      vendor: 'Cohere',
      terminal: 'message-end',
      slug: 'ended-cohere-chat',
      model: 'command-r-plus-08-2024',
      reply: () => cohereReply({ kind: 'text', text: ANSWER }, true),
    },
  ])(
    'the openai SDK on chat completions, $vendor resets after $terminal: the whole stream to [DONE], the record and the budget keep its usage',
    async ({ slug, model, reply }) => {
      const traceId = `ended-${slug}-${Date.now()}`;
      mock.script(model, [resetAfterAll(reply(model))]);
      const stream = await openaiThrough(slug, traceId).chat.completions.create({
        model,
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'What is the capital of France?' }],
      });
      let text = '';
      let finishReason: string | null | undefined;
      let usage: unknown;
      for await (const chunk of stream) {
        text += chatText(chunk);
        finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toBe(ANSWER);
      expect(finishReason).toBe('stop');
      expect(usage).toMatchObject(MOCK_RECORDED_USAGE);
      expect(mock.forModel(model)).toHaveLength(1);

      await expectWholeUsageKept(traceId, slug);
    },
  );
});

describe('a native /v1/messages stream cut in the middle of a tool call', () => {
  it('the Anthropic SDK, Anthropic resets after some input_json_delta: the budget counts the arguments sent, not only the text', async () => {
    const model = 'claude-opus-4-1-20250805';
    const traceId = `cut-tool-messages-${Date.now()}`;
    const frames = anthropicReply(WEATHER_CALL, model, true).frames ?? [];
    // Up to the last piece of the arguments: no content_block_stop, message_delta or message_stop.
    const lastPiece = frames.findLastIndex((frame) => String(frame).includes('input_json_delta'));
    mock.script(model, [
      {
        frames: frames.slice(0, lastPiece + 1),
        contentType: 'text/event-stream',
        breakAfter: { payloads: lastPiece + 1, how: 'reset' },
      },
    ]);
    const error = await rejectionOf(
      anthropicThrough('cut-tool-messages', traceId)
        .messages.stream({
          model,
          max_tokens: 200,
          tools: [WEATHER_TOOL],
          messages: [{ role: 'user', content: 'What is the weather in San Francisco?' }],
        })
        .finalMessage(),
    );
    expect(error.message).toContain('the provider stream was interrupted');

    const record = await recordOf(traceId);
    // message_start's usage: 25 input tokens, 1 output token.
    const started = {
      prompt_tokens: MOCK_USAGE.input,
      completion_tokens: 1,
      total_tokens: MOCK_USAGE.input + 1,
    };
    expect(record).toMatchObject({
      status: 200,
      error_code: 'PK_ERR_STREAM_INTERRUPTED',
      usage: started,
      cost_status: 'partial_usage',
    });
    // The arguments as the events carried them (quotes escaped), one token per byte: more than the 1 output token reported.
    const argumentBytes = JSON.stringify(JSON.stringify(WEATHER_CALL.input)).length - 2;
    expect(await budgetTokensOf('cut-tool-messages', 1)).toBe(MOCK_USAGE.input + argumentBytes);
  });
});
