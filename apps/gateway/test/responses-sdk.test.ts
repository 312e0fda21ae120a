import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGateway } from './server-process.js';
import {
  HELLO_ANSWER,
  type ProviderMock,
  startProviderMock,
  WEATHER_ANSWER,
  WEATHER_CALL,
} from './support/provider-mock.js';

// The official openai SDK's Responses API, unchanged, against the built gateway process: translated
// through chat completions to an Anthropic-format and a Gemini-format mock, native to OpenAI's.
let gateway: GatewayProcess;
let mock: ProviderMock;
const PROVIDER_KEY = 'provider-key-responses-e2e';

beforeAll(async () => {
  mock = await startProviderMock();
  gateway = await startGateway();
});

afterAll(async () => {
  gateway?.child.kill('SIGTERM');
  await gateway?.exited;
  await mock?.close();
  expect(gateway.output()).not.toContain(PROVIDER_KEY);
});

const weatherTool: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Get the current weather in a given location',
  parameters: {
    type: 'object',
    properties: { location: { type: 'string' } },
    required: ['location'],
    additionalProperties: false,
  },
  strict: true,
};

const TARGETS = {
  anthropic: { model: 'claude-sonnet-4-20250514', path: '/v1/messages', customHost: '/v1' },
  google: {
    model: 'gemini-2.0-flash',
    path: '/v1beta/models/gemini-2.0-flash:generateContent',
    customHost: '/v1beta',
  },
} as const;

function client(provider: string, customHost: string): OpenAI {
  return new OpenAI({
    baseURL: `${gateway.url}/v1`,
    apiKey: PROVIDER_KEY,
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-provider': provider, 'x-portkey-custom-host': `${mock.url}${customHost}` },
  });
}

describe.each(Object.entries(TARGETS))('openai SDK responses.create through pk to %s', (provider, target) => {
  const openai = () => client(provider, target.customHost);

  it('text with instructions and multi-turn input; usage', async () => {
    const response = await openai().responses.create({
      model: target.model,
      instructions: 'Be brief.',
      input: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: [{ type: 'input_text', text: 'How are you?' }] },
      ],
      max_output_tokens: 100,
    });
    expect(response.object).toBe('response');
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe(HELLO_ANSWER);
    expect(response.instructions).toBe('Be brief.');
    expect(response.usage).toMatchObject({ input_tokens: 25, output_tokens: 12, total_tokens: 37 });
    const sent = mock.received.at(-1);
    expect(sent?.url).toBe(target.path);
    if (provider === 'anthropic') {
      expect(sent?.headers['x-api-key']).toBe(PROVIDER_KEY);
      expect(sent?.body).toMatchObject({
        system: 'Be brief.',
        max_tokens: 100,
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello.' },
          { role: 'user', content: 'How are you?' },
        ],
      });
    } else {
      expect(sent?.headers['x-goog-api-key']).toBe(PROVIDER_KEY);
      expect(sent?.body).toMatchObject({
        systemInstruction: { parts: [{ text: 'Be brief.' }] },
        contents: [
          { role: 'user', parts: [{ text: 'Hi' }] },
          { role: 'model', parts: [{ text: 'Hello.' }] },
          { role: 'user', parts: [{ text: 'How are you?' }] },
        ],
        generationConfig: { maxOutputTokens: 100 },
      });
    }
  });

  it('a function tool, then the function_call_output round trip', async () => {
    const first = await openai().responses.create({
      model: target.model,
      input: 'What is the weather in San Francisco?',
      tools: [weatherTool],
    });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', status: 'completed' });
    expect(JSON.parse(call?.type === 'function_call' ? call.arguments : '')).toEqual(WEATHER_CALL.input);
    const callId = call?.type === 'function_call' ? call.call_id : '';
    expect(callId).not.toBe('');
    const second = await openai().responses.create({
      model: target.model,
      tools: [weatherTool],
      input: [
        { role: 'user', content: 'What is the weather in San Francisco?' },
        ...first.output.filter((item) => item.type === 'function_call'),
        { type: 'function_call_output', call_id: callId, output: '15 degrees, fog' },
      ],
    });
    expect(second.output_text).toBe(WEATHER_ANSWER);
    const sent = mock.received.at(-1)?.text ?? '';
    expect(sent).toContain(provider === 'anthropic' ? '"tool_result"' : '"functionResponse"');
    expect(sent).toContain('15 degrees, fog');
  });

  it('stream: true gives the Responses events; the SDK accumulates the non-streamed Response', async () => {
    const request = {
      model: target.model,
      input: 'What is the weather in San Francisco?',
      tools: [weatherTool],
    };
    const created = await openai().responses.create(request);
    const stream = await openai().responses.create({ ...request, stream: true });
    const types: string[] = [];
    const sequence: number[] = [];
    let argumentsText = '';
    for await (const event of stream) {
      types.push(event.type);
      sequence.push(event.sequence_number);
      if (event.type === 'response.function_call_arguments.delta') argumentsText += event.delta;
    }
    expect(types[0]).toBe('response.created');
    expect(types[1]).toBe('response.in_progress');
    expect(types).toContain('response.output_item.added');
    expect(types).toContain('response.function_call_arguments.done');
    expect(types.at(-1)).toBe('response.completed');
    expect(sequence).toEqual(sequence.map((_, index) => index));
    expect(JSON.parse(argumentsText)).toEqual(WEATHER_CALL.input);
    const accumulated = await openai().responses.stream(request).finalResponse();
    // Each response has its own id and creation time (the second it was made); the rest must match.
    const { id: _createdId, created_at: _createdAt, output: createdOutput, ...createdRest } = created;
    // `output_parsed` is the SDK stream helper's own addition; ids are per call where the vendor has none.
    const {
      id: _streamedId,
      created_at: _streamedAt,
      output: streamedOutput,
      output_parsed: _parsed,
      ...streamedRest
    } = accumulated;
    expect(streamedRest).toEqual(createdRest);
    // The stream helper also adds `parsed_arguments` to calls of strict function tools. A call the
    // vendor gave no id is named after its answer (unique per turn), so two answers' call ids differ.
    const items = (output: readonly object[]) =>
      output.map((item) => {
        const {
          id: _id,
          parsed_arguments: _arguments,
          call_id: callId,
          ...rest
        } = item as Record<string, unknown>;
        return { ...rest, ...(callId === undefined ? {} : { call_id: expect.stringMatching(/^call_/) }) };
      });
    expect(items(streamedOutput)).toEqual(items(createdOutput));
    expect(mock.received.at(-1)?.stream).toBe(true);
  });

  it('a streamed text answer accumulates to output_text', async () => {
    const final = await openai().responses.stream({ model: target.model, input: 'Hi' }).finalResponse();
    expect(final.output_text).toBe(HELLO_ANSWER);
    expect(final.usage).toMatchObject({ input_tokens: 25, output_tokens: 12 });
  });

  it('what is not translated is a 400 that says so', async () => {
    const stored = await openai()
      .responses.create({ model: target.model, input: 'Hi', previous_response_id: 'resp_123' })
      .catch((error: unknown) => error);
    expect(stored).toBeInstanceOf(OpenAI.BadRequestError);
    expect((stored as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('PK_ERR_UNSUPPORTED_FEATURE');
    expect((stored as Error).message).toContain('previous_response_id');
    const builtIn = await openai()
      .responses.create({ model: target.model, input: 'Hi', tools: [{ type: 'web_search_preview' }] })
      .catch((error: unknown) => error);
    expect(builtIn).toBeInstanceOf(OpenAI.BadRequestError);
    expect((builtIn as Error).message).toContain("the built-in tool 'web_search_preview'");
  });
});

describe('responses from Gemini', () => {
  it('a 200 with neither candidates nor promptFeedback is a 502 unexpected body, not a completed Response', async () => {
    mock.answer = (request) =>
      request.format === 'gemini'
        ? { status: 200, body: { usageMetadata: { promptTokenCount: 3, totalTokenCount: 3 } } }
        : undefined;
    try {
      const error = await client('google', '/v1beta')
        .responses.create({ model: 'gemini-2.0-flash', input: 'Hi' })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
      expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('PK_ERR_UPSTREAM_UNAVAILABLE');
    } finally {
      mock.answer = undefined;
    }
  });
});

describe('responses on OpenAI stay native', () => {
  it('the body goes to /responses as it came, streamed and not', async () => {
    const openai = client('openai', '/v1');
    const response = await openai.responses.create({ model: 'gpt-4.1', input: 'Hi', store: true });
    expect(response.id).toBe('resp_mock');
    expect(response.output_text).toBe(HELLO_ANSWER);
    expect(mock.received.at(-1)).toMatchObject({
      url: '/v1/responses',
      body: { model: 'gpt-4.1', input: 'Hi', store: true },
    });
    expect(mock.received.at(-1)?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    const final = await openai.responses.stream({ model: 'gpt-4.1', input: 'Hi' }).finalResponse();
    expect(final.output_text).toBe(HELLO_ANSWER);
  });

  it('a Gemini call’s call_id reaches OpenAI without the thought signature it carries', async () => {
    const tools = [weatherTool];
    const question = { role: 'user' as const, content: 'What is the weather in San Francisco?' };
    const first = await client('google', '/v1beta').responses.create({
      model: 'gemini-2.0-flash',
      input: [question],
      tools,
    });
    const call = first.output.find((item) => item.type === 'function_call');
    if (call?.type !== 'function_call') throw new Error('expected a function call');
    expect(call.call_id).toContain('__thought__');
    await client('openai', '/v1').responses.create({
      model: 'gpt-4.1',
      tools,
      input: [question, call, { type: 'function_call_output', call_id: call.call_id, output: '15C' }],
    });
    const sent = mock.received.at(-1);
    expect(sent?.url).toBe('/v1/responses');
    const ownId = call.call_id.split('__thought__')[0];
    expect(sent?.body.input).toMatchObject([
      question,
      { type: 'function_call', call_id: ownId },
      { type: 'function_call_output', call_id: ownId, output: '15C' },
    ]);
  });

  it('a stream the provider cuts ends with an error event numbered after the events sent', async () => {
    mock.cutStreamAfterFrames = 3;
    try {
      const raw = await client('openai', '/v1')
        .responses.create({ model: 'gpt-4.1', input: 'Hi', stream: true })
        .asResponse();
      const events = [...(await raw.text()).matchAll(/^data: (.*)$/gm)].map(
        (line) => JSON.parse(line[1] ?? '{}') as { type: string; sequence_number: number },
      );
      expect(events.map((event) => event.sequence_number)).toEqual([0, 1, 2, 3]);
      expect(events.at(-1)).toMatchObject({ type: 'error', code: 'PK_ERR_STREAM_INTERRUPTED' });
    } finally {
      mock.cutStreamAfterFrames = undefined;
    }
  });
});

describe('what a translated provider cannot take on /v1/responses', () => {
  const refusalOf = async (request: Promise<unknown>) => {
    const error = await request.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    return error as InstanceType<typeof OpenAI.BadRequestError>;
  };
  const fileInput = (file: Record<string, string>): OpenAI.Responses.ResponseInput => [
    {
      role: 'user',
      content: [
        { type: 'input_file', ...file },
        { type: 'input_text', text: 'Summarize the attached contract' },
      ],
    },
  ];

  it('an input_file by URL is refused where the provider fetches no URL, saying to send file_data', async () => {
    const before = mock.received.length;
    const error = await refusalOf(
      client('google', '/v1beta').responses.create({
        model: 'gemini-2.0-flash',
        input: fileInput({ file_url: 'https://example.com/contract.pdf' }),
      }),
    );
    expect(error.status).toBe(400);
    expect(error.code).toBe('PK_ERR_UNSUPPORTED_FEATURE');
    expect(error.param).toBe('input.0.content.0.file_url');
    expect(error.message).toBe(
      "400 an input_file by file_url cannot be translated for provider 'google' (it does not speak this API natively): send the file's bytes as base64 data instead (file_data)",
    );
    expect(mock.received.length).toBe(before);
  });

  it('an input_file is refused where the provider reads no files, as a Messages document is', async () => {
    const before = mock.received.length;
    const error = await refusalOf(
      client('groq', '/v1').responses.create({
        model: 'llama-3.3-70b-versatile',
        input: fileInput({ file_data: 'data:application/pdf;base64,JVBERi0=' }),
      }),
    );
    expect(error.code).toBe('PK_ERR_UNSUPPORTED_FEATURE');
    expect(error.param).toBe('input.0.content.0');
    expect(error.message).toContain("an input_file cannot be translated for provider 'groq'");
    expect(mock.received.length).toBe(before);
  });

  it('an input_file of a type the provider’s adapter cannot read is refused, not dropped, as on chat completions', async () => {
    const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    const before = mock.received.length;
    const error = await refusalOf(
      client('google', '/v1beta').responses.create({
        model: 'gemini-2.0-flash',
        input: fileInput({
          filename: 'contract.docx',
          file_data: `data:${DOCX};base64,UEsDBBQABgAIAAAAIQA=`,
        }),
      }),
    );
    expect(error.status).toBe(400);
    expect(error.code).toBe('PK_ERR_UNSUPPORTED_FEATURE');
    expect(error.param).toBe('input.0.content.0.file_data');
    expect(error.message).toBe(
      `400 a file of type ${DOCX} cannot be translated for provider 'google' (it does not speak this API natively): google does not read ${DOCX} files`,
    );
    expect(mock.received.length).toBe(before);
  });

  it('a request without input is refused naming input, as OpenAI refuses it, and so is an empty one', async () => {
    const before = mock.received.length;
    for (const [provider, customHost, model] of [
      ['anthropic', '/v1', 'claude-sonnet-4-20250514'],
      ['openai', '/v1', 'gpt-4.1'],
    ] as const) {
      for (const extra of [{}, { instructions: 'Be brief.' }]) {
        const error = await refusalOf(client(provider, customHost).responses.create({ model, ...extra }));
        expect(error.code).toBe('PK_ERR_INVALID_REQUEST');
        expect(error.param).toBe('input');
        expect(error.message).toBe("400 Missing required parameter: 'input'.");
      }
    }
    const empty = await refusalOf(
      client('google', '/v1beta').responses.create({
        model: 'gemini-2.0-flash',
        instructions: 'Be brief.',
        input: [],
      }),
    );
    expect(empty.param).toBe('input');
    expect(empty.message).toContain("Invalid 'input': empty array.");
    expect(mock.received.length).toBe(before);
  });
});
