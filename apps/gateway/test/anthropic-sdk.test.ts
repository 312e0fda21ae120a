import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGateway } from './server-process.js';
import {
  HELLO_ANSWER,
  type ProviderMock,
  startProviderMock,
  WEATHER_ANSWER,
  WEATHER_CALL,
} from './support/provider-mock.js';

// The official Anthropic SDK, unchanged, against the built gateway process: natively to an
// Anthropic-format mock, and translated to an OpenAI-format mock. The streamed events must add up,
// through the SDK's own accumulator, to the same Message as the non-streamed call.
let gateway: GatewayProcess;
let mock: ProviderMock;
const ANTHROPIC_KEY = 'sk-ant-e2e-provider-key';
const OPENAI_KEY = 'sk-openai-e2e-provider-key';

beforeAll(async () => {
  mock = await startProviderMock();
  gateway = await startGateway();
});

afterAll(async () => {
  gateway?.child.kill('SIGTERM');
  await gateway?.exited;
  await mock?.close();
  for (const secret of [ANTHROPIC_KEY, OPENAI_KEY]) expect(gateway.output()).not.toContain(secret);
});

const weatherTool = {
  name: 'get_weather',
  description: 'Get the current weather in a given location',
  input_schema: {
    type: 'object' as const,
    properties: { location: { type: 'string', description: 'The city and state' } },
    required: ['location'],
  },
};
const question: Anthropic.MessageParam = { role: 'user', content: 'What is the weather in San Francisco?' };

/** The SDK's client for one upstream: Anthropic by default (x-api-key), or a named provider. */
function client(target: 'anthropic' | 'openai'): Anthropic {
  return new Anthropic({
    baseURL: gateway.url,
    apiKey: target === 'anthropic' ? ANTHROPIC_KEY : OPENAI_KEY,
    maxRetries: 0,
    defaultHeaders:
      target === 'anthropic'
        ? { 'x-portkey-custom-host': `${mock.url}/v1` }
        : { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${mock.url}/v1` },
  });
}

/** A Message without what only the SDK's stream helper adds. */
function comparable(message: object): object {
  const { parsed_output: _parsed, ...rest } = message as Record<string, unknown>;
  return rest;
}

describe.each([
  ['an Anthropic-format mock (native)', 'anthropic', '/v1/messages'],
  ['an OpenAI-format mock (translated)', 'openai', '/v1/chat/completions'],
] as const)('the Anthropic SDK through pk to %s', (_label, target, upstreamPath) => {
  const model = target === 'anthropic' ? 'claude-sonnet-4-20250514' : 'gpt-4o';

  it('messages.create: a tool call, then the tool result round trip', async () => {
    const anthropic = client(target);
    const first = await anthropic.messages.create({
      model,
      max_tokens: 512,
      system: 'You answer weather questions.',
      tools: [weatherTool],
      messages: [question],
    });
    expect(first.stop_reason).toBe('tool_use');
    const call = first.content.find((block) => block.type === 'tool_use');
    expect(call).toMatchObject({
      type: 'tool_use',
      id: WEATHER_CALL.id,
      name: 'get_weather',
      input: WEATHER_CALL.input,
    });
    expect(first.usage).toMatchObject({ input_tokens: 25, output_tokens: 12 });
    const sent = mock.received.at(-1);
    expect(sent?.url).toBe(upstreamPath);
    if (target === 'anthropic') {
      expect(sent?.headers['x-api-key']).toBe(ANTHROPIC_KEY);
      // The SDK's own anthropic-version reaches Anthropic.
      expect(sent?.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(sent?.body).toMatchObject({ system: 'You answer weather questions.', tools: [weatherTool] });
    } else {
      expect(sent?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
      expect(sent?.body).toMatchObject({
        model,
        max_completion_tokens: 512,
        messages: [
          { role: 'system', content: 'You answer weather questions.' },
          { role: 'user', content: question.content },
        ],
        tools: [
          { type: 'function', function: { name: 'get_weather', parameters: weatherTool.input_schema } },
        ],
      });
    }

    const second = await anthropic.messages.create({
      model,
      max_tokens: 512,
      tools: [weatherTool],
      messages: [
        question,
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: call?.type === 'tool_use' ? call.id : '',
              content: '15 degrees, fog',
            },
          ],
        },
      ],
    });
    expect(second.stop_reason).toBe('end_turn');
    expect(second.content).toEqual([{ type: 'text', text: WEATHER_ANSWER }]);
    const roundTrip = mock.received.at(-1)?.body;
    if (target === 'openai') {
      expect(roundTrip?.messages).toEqual([
        { role: 'user', content: question.content },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: WEATHER_CALL.id,
              type: 'function',
              function: { name: 'get_weather', arguments: JSON.stringify(WEATHER_CALL.input) },
            },
          ],
        },
        { role: 'tool', tool_call_id: WEATHER_CALL.id, content: '15 degrees, fog' },
      ]);
    } else {
      expect((roundTrip?.messages as unknown[] | undefined)?.at(-1)).toEqual({
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: WEATHER_CALL.id, content: '15 degrees, fog' }],
      });
    }
  });

  it('messages.stream gives, through the SDK accumulator, the Message messages.create gives', async () => {
    const anthropic = client(target);
    const request = { model, max_tokens: 512, tools: [weatherTool], messages: [question] };
    const created = await anthropic.messages.create(request);
    const stream = anthropic.messages.stream(request);
    const events: string[] = [];
    let json = '';
    stream.on('streamEvent', (event) => events.push(event.type));
    stream.on('inputJson', (partial) => {
      json += partial;
    });
    const streamed = await stream.finalMessage();
    expect(comparable(streamed)).toEqual(comparable(created));
    expect(JSON.parse(json)).toEqual(WEATHER_CALL.input);
    expect(events[0]).toBe('message_start');
    expect(events.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(events).toContain('content_block_start');
    expect(events).toContain('content_block_delta');
    expect(events).toContain('content_block_stop');
    expect(mock.received.at(-1)?.stream).toBe(true);

    // The tool result round trip, streamed.
    const answer = await anthropic.messages
      .stream({
        ...request,
        messages: [
          question,
          { role: 'assistant', content: streamed.content },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: WEATHER_CALL.id, content: '15 degrees, fog' }],
          },
        ],
      })
      .finalText();
    expect(answer).toBe(WEATHER_ANSWER);
  });

  it('stream: true gives the raw event sequence with the named SSE events', async () => {
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': target === 'anthropic' ? ANTHROPIC_KEY : OPENAI_KEY,
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'fine-grained-tool-streaming-2025-05-14',
        'x-portkey-custom-host': `${mock.url}/v1`,
        ...(target === 'openai' ? { 'x-portkey-provider': 'openai' } : {}),
      },
      body: JSON.stringify({
        model,
        max_tokens: 64,
        stream: true,
        messages: [{ role: 'user', content: 'Hi' }],
      }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    const names = [...text.matchAll(/^event: (.+)$/gm)].map((match) => match[1]);
    expect(names).toEqual([
      'message_start',
      ...(names[1] === 'ping' ? ['ping', 'content_block_start'] : ['content_block_start', 'ping']),
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(text).not.toContain('[DONE]');
    const sent = mock.received.at(-1);
    if (target === 'anthropic') {
      expect(sent?.headers['anthropic-version']).toBe('2023-06-01');
      expect(sent?.headers['anthropic-beta']).toBe('fine-grained-tool-streaming-2025-05-14');
    } else expect(sent?.headers['anthropic-beta']).toBeUndefined();
  });
});

describe('a Gemini tool call’s id on a native Anthropic turn', () => {
  it('reaches Anthropic without the thought signature it carries', async () => {
    const gemini = new Anthropic({
      baseURL: gateway.url,
      apiKey: 'gemini-e2e-key',
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-provider': 'google', 'x-portkey-custom-host': `${mock.url}/v1beta` },
    });
    const first = await gemini.messages.create({
      model: 'gemini-2.0-flash',
      max_tokens: 100,
      tools: [weatherTool],
      messages: [question],
    });
    const call = first.content.find((block) => block.type === 'tool_use');
    if (call?.type !== 'tool_use') throw new Error('expected a tool_use block');
    expect(call.id).toContain('__thought__');
    await client('anthropic').messages.create({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 100,
      tools: [weatherTool],
      messages: [
        question,
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '15C' }] },
      ],
    });
    const sent = mock.received.at(-1);
    expect(sent?.url).toBe('/v1/messages');
    const ownId = call.id.split('__thought__')[0];
    expect(sent?.body.messages).toMatchObject([
      question,
      { role: 'assistant', content: [{ type: 'tool_use', id: ownId }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: ownId }] },
    ]);
  });
});

describe('usage on /v1/messages from a translated target', () => {
  it('counts prompt-cache reads and writes apart from input_tokens, as Anthropic does (Bedrock Converse)', async () => {
    // Converse's own usage: input 40 (without the cache), 20 read from the cache, 10 written to it.
    mock.answer = (request) =>
      request.format === 'bedrock-converse'
        ? {
            status: 200,
            body: {
              output: { message: { role: 'assistant', content: [{ text: HELLO_ANSWER }] } },
              stopReason: 'end_turn',
              usage: {
                inputTokens: 40,
                outputTokens: 11,
                totalTokens: 81,
                cacheReadInputTokens: 20,
                cacheWriteInputTokens: 10,
              },
              metrics: { latencyMs: 120 },
            },
          }
        : undefined;
    try {
      const bedrock = new Anthropic({
        baseURL: gateway.url,
        apiKey: 'unused',
        maxRetries: 0,
        defaultHeaders: {
          'x-portkey-provider': 'bedrock',
          'x-portkey-custom-host': mock.url,
          'x-portkey-aws-access-key-id': 'AKIDEXAMPLE',
          'x-portkey-aws-secret-access-key': 'bedrock-e2e-secret',
          'x-portkey-aws-region': 'us-east-1',
        },
      });
      const message = await bedrock.messages.create({
        model: 'amazon.nova-pro-v1:0',
        max_tokens: 10,
        messages: [question],
      });
      expect(mock.received.at(-1)?.format).toBe('bedrock-converse');
      expect(message.usage).toMatchObject({
        input_tokens: 40,
        output_tokens: 11,
        cache_creation_input_tokens: 10,
        cache_read_input_tokens: 20,
      });
    } finally {
      mock.answer = undefined;
    }
  });
});

describe('errors on /v1/messages', () => {
  it('are in Anthropic’s shape with pk’s code, and the SDK raises them with their status', async () => {
    const anthropic = new Anthropic({
      baseURL: gateway.url,
      apiKey: ANTHROPIC_KEY,
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-provider': 'not-a-provider' },
    });
    const error = await anthropic.messages
      .create({ model: 'claude-sonnet-4-20250514', max_tokens: 10, messages: [question] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    const apiError = error as InstanceType<typeof Anthropic.BadRequestError>;
    expect(apiError.status).toBe(400);
    expect(apiError.error).toEqual({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        // The unknown id is not echoed: it may be a key pasted into the wrong header (decision 0004).
        message: expect.stringContaining('not a Portkey provider id'),
        code: 'PK_ERR_INVALID_PROVIDER',
      },
    });
  });

  it('an OpenAI upstream’s 401 (invalid_request_error in its body) is Anthropic’s authentication_error', async () => {
    // OpenAI's documented answer to a wrong key.
    mock.answer = () => ({
      status: 401,
      body: {
        error: {
          message: 'Incorrect API key provided: sk-opena***-key.',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      },
    });
    try {
      const error = await client('openai')
        .messages.create({ model: 'gpt-4o', max_tokens: 10, messages: [question] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
      expect((error as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({
        type: 'error',
        error: { type: 'authentication_error', code: 'invalid_api_key' },
      });
    } finally {
      mock.answer = undefined;
    }
  });

  it('a Gemini 200 with neither candidates nor promptFeedback is a 502 unexpected body, not an empty Message', async () => {
    mock.answer = (request) =>
      request.format === 'gemini'
        ? { status: 200, body: { usageMetadata: { promptTokenCount: 3, totalTokenCount: 3 } } }
        : undefined;
    try {
      const gemini = new Anthropic({
        baseURL: gateway.url,
        apiKey: 'gemini-e2e-key',
        maxRetries: 0,
        defaultHeaders: { 'x-portkey-provider': 'google', 'x-portkey-custom-host': `${mock.url}/v1beta` },
      });
      const error = await gemini.messages
        .create({ model: 'gemini-2.0-flash', max_tokens: 10, messages: [question] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Anthropic.InternalServerError);
      expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(502);
      expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
        type: 'error',
        error: {
          message: 'the provider answered with an unexpected body',
          code: 'PK_ERR_UPSTREAM_UNAVAILABLE',
        },
      });
    } finally {
      mock.answer = undefined;
    }
  });

  it('a feature that cannot be translated is a 400 that says so', async () => {
    const error = await client('openai')
      .messages.create({
        model: 'gpt-4o',
        max_tokens: 10,
        messages: [question],
        tools: [{ type: 'web_search_20250305', name: 'web_search' }],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        code: 'PK_ERR_UNSUPPORTED_FEATURE',
        message: expect.stringContaining("the server tool 'web_search_20250305'"),
      },
    });
  });
});

describe('what a translation cannot carry, or carries only in part, on /v1/messages', () => {
  /** The SDK for a provider other than Anthropic, on the mock (Gemini's API under /v1beta). */
  function clientFor(provider: string): Anthropic {
    const path = provider === 'google' ? '/v1beta' : '/v1';
    return new Anthropic({
      baseURL: gateway.url,
      apiKey: OPENAI_KEY,
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-provider': provider, 'x-portkey-custom-host': `${mock.url}${path}` },
    });
  }
  const refusalOf = async (request: Promise<unknown>) => {
    const error = await request.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    return (error as InstanceType<typeof Anthropic.BadRequestError>).error;
  };

  it('a document by URL is refused for a provider that fetches no URL, saying to send it as base64', async () => {
    for (const [provider, model] of [
      ['google', 'gemini-2.0-flash'],
      ['openai', 'gpt-4o-mini'],
    ] as const) {
      const before = mock.received.length;
      const error = await refusalOf(
        clientFor(provider).messages.create({
          model,
          max_tokens: 50,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'document', source: { type: 'url', url: 'https://example.com/contract.pdf' } },
                { type: 'text', text: 'Summarize the attached contract' },
              ],
            },
          ],
        }),
      );
      expect(error).toEqual({
        type: 'error',
        error: {
          type: 'invalid_request_error',
          code: 'PK_ERR_UNSUPPORTED_FEATURE',
          message: `a document by URL (source.type 'url') cannot be translated for provider '${provider}' (it does not speak this API natively): send the file's bytes as base64 data instead (source.type 'base64')`,
        },
      });
      expect(mock.received.length).toBe(before);
    }
  });

  it('a document of a type the provider’s adapter cannot read is refused, not dropped, as on chat completions', async () => {
    const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    const before = mock.received.length;
    const error = await refusalOf(
      clientFor('google').messages.create({
        model: 'gemini-2.0-flash',
        max_tokens: 50,
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'document',
                // The SDK's types name PDF and plain text; the API takes the block as sent.
                source: {
                  type: 'base64',
                  media_type: DOCX as 'application/pdf',
                  data: 'UEsDBBQABgAIAAAAIQA=',
                },
              },
              { type: 'text', text: 'Summarize the attached contract' },
            ],
          },
        ],
      }),
    );
    expect(error).toEqual({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        code: 'PK_ERR_UNSUPPORTED_FEATURE',
        message: `a file of type ${DOCX} cannot be translated for provider 'google' (it does not speak this API natively): google does not read ${DOCX} files`,
      },
    });
    expect(mock.received.length).toBe(before);
  });

  it('thinking blocks of earlier turns are dropped for a provider other than Claude, and x-pk-warnings says so', async () => {
    for (const provider of ['groq', 'openai']) {
      const { data, response } = await clientFor(provider)
        .messages.create({
          model: 'llama-3.3-70b-versatile',
          max_tokens: 50,
          messages: [
            { role: 'user', content: 'x' },
            {
              role: 'assistant',
              content: [
                { type: 'thinking', thinking: 'hmm', signature: 'EqQBCkYIBxgCKkD' },
                { type: 'redacted_thinking', data: 'opaque' },
                { type: 'text', text: 'ok' },
              ],
            },
            { role: 'user', content: 'y' },
          ],
        })
        .withResponse();
      expect(data.content).toEqual([{ type: 'text', text: HELLO_ANSWER }]);
      const sent = mock.received.at(-1);
      expect(sent?.url).toBe('/v1/chat/completions');
      expect((sent?.body.messages as unknown[] | undefined)?.[1]).toEqual({
        role: 'assistant',
        content: 'ok',
      });
      expect(response.headers.get('x-pk-warnings')).toBe(
        `messages.1: thinking blocks cannot be sent to ${provider} and were dropped`,
      );
    }
  });

  it('structured outputs reach OpenAI in strict mode, where its answer is guaranteed to match as Claude’s is', async () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string' }, age: { type: 'number' } },
      required: ['name', 'age'],
      additionalProperties: false,
    };
    const { response } = await clientFor('openai')
      .messages.create({
        model: 'gpt-4o-mini',
        max_tokens: 50,
        messages: [{ role: 'user', content: 'Who wrote the first program?' }],
        output_config: { format: { type: 'json_schema', schema } },
      } as Anthropic.MessageCreateParamsNonStreaming)
      .withResponse();
    expect(mock.received.at(-1)?.body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'output', schema, strict: true },
    });
    expect(response.headers.get('x-pk-warnings')).toBeNull();
  });

  it('more stop sequences than the provider takes are refused with its limit, not cut short', async () => {
    for (const [provider, model, limit] of [
      ['openai', 'gpt-4o-mini', 4],
      ['google', 'gemini-2.0-flash', 5],
    ] as const) {
      const before = mock.received.length;
      const error = await refusalOf(
        clientFor(provider).messages.create({
          model,
          max_tokens: 5,
          stop_sequences: ['a', 'b', 'c', 'd', 'e', 'f'],
          messages: [question],
        }),
      );
      expect(error).toMatchObject({
        error: {
          code: 'PK_ERR_UNSUPPORTED_FEATURE',
          message: `6 stop_sequences cannot be translated for provider '${provider}' (it does not speak this API natively): ${provider} takes at most ${limit}; send at most ${limit}`,
        },
      });
      expect(mock.received.length).toBe(before);
    }
  });
});
