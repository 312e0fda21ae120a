import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';

// Answers of an OpenAI-format upstream that the Responses and Messages translations used to lose,
// through the built gateway and the official SDKs: tool calls whose arguments arrive interleaved,
// and a model's refusal. The upstream is a chat-completions provider with no Responses or Messages
// API of its own (groq's adapter for the Responses API, openai's for Messages), so both translate.
const REFUSAL = "I'm sorry, I cannot assist with that request.";
let mock: ProviderMock;
let gateway: FeatureGateway;

const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  JSON.stringify({
    id: 'chatcmpl-e2e',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
const usageChunk = JSON.stringify({
  id: 'chatcmpl-e2e',
  object: 'chat.completion.chunk',
  created: 1_700_000_000,
  model: 'gpt-4o-mini',
  choices: [],
  usage: { prompt_tokens: 20, completion_tokens: 12, total_tokens: 32 },
});
/** Two calls announced in one chunk, their arguments then interleaved by index. */
const INTERLEAVED = [
  chunk({
    role: 'assistant',
    content: null,
    tool_calls: [
      { index: 0, id: 'call_AAA', type: 'function', function: { name: 'get_weather', arguments: '' } },
      { index: 1, id: 'call_BBB', type: 'function', function: { name: 'get_time', arguments: '' } },
    ],
  }),
  chunk({
    tool_calls: [
      { index: 0, function: { arguments: '{"city":' } },
      { index: 1, function: { arguments: '{"tz":' } },
    ],
  }),
  chunk({
    tool_calls: [
      { index: 1, function: { arguments: '"CET"}' } },
      { index: 0, function: { arguments: '"Paris"}' } },
    ],
  }),
  chunk({}, 'tool_calls'),
  usageChunk,
  '[DONE]',
];
const REFUSAL_STREAM = [
  chunk({ role: 'assistant', content: null, refusal: '' }),
  chunk({ refusal: "I'm sorry," }),
  chunk({ refusal: ' I cannot assist with that request.' }),
  chunk({}, 'stop'),
  usageChunk,
  '[DONE]',
];
const REFUSAL_JSON = {
  id: 'chatcmpl-e2e',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'gpt-4o-mini',
  choices: [
    { index: 0, message: { role: 'assistant', content: null, refusal: REFUSAL }, finish_reason: 'stop' },
  ],
  usage: { prompt_tokens: 20, completion_tokens: 12, total_tokens: 32 },
};

beforeAll(async () => {
  mock = await startProviderMock();
  const host = { options: { custom_host: `${mock.url}/v1` } };
  gateway = await startFeatureGateway({
    mock,
    settings: {
      virtual_keys: {
        'groq-mock': { provider: 'groq', api_key: 'gsk-translated', ...host },
        'openai-mock': { provider: 'openai', api_key: 'sk-translated', ...host },
      },
    },
  });
  mock.script('interleaved', () => ({ sse: INTERLEAVED }));
  mock.script('refusing', (request) =>
    request.body?.stream === true ? { sse: REFUSAL_STREAM } : { json: REFUSAL_JSON },
  );
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
});

const tools = [
  { type: 'function' as const, name: 'get_weather', parameters: { type: 'object' }, strict: false },
  { type: 'function' as const, name: 'get_time', parameters: { type: 'object' }, strict: false },
];
const responses = () =>
  new OpenAI({
    baseURL: gateway.base,
    apiKey: 'unused',
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-virtual-key': 'groq-mock' },
  }).responses;
const anthropic = () =>
  new Anthropic({
    baseURL: gateway.url,
    apiKey: 'unused',
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-virtual-key': 'openai-mock' },
  }).messages;

describe('translated answers keep what the upstream said', () => {
  it('Responses API (openai SDK): interleaved tool calls each keep their arguments', async () => {
    const stream = responses().stream({ model: 'interleaved', input: 'Weather and time in Paris?', tools });
    const final = await stream.finalResponse();
    expect(
      final.output.map((item) =>
        item.type === 'function_call' ? [item.call_id, item.arguments] : item.type,
      ),
    ).toEqual([
      ['call_AAA', '{"city":"Paris"}'],
      ['call_BBB', '{"tz":"CET"}'],
    ]);
    expect(mock.forModel('interleaved').at(-1)?.body).toMatchObject({ stream: true });
  });

  it('Messages API (Anthropic SDK): interleaved tool calls each keep their input', async () => {
    const stream = anthropic().stream({
      model: 'interleaved',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Weather and time in Paris?' }],
      tools: tools.map((tool) => ({ name: tool.name, input_schema: { type: 'object' as const } })),
    });
    const message = await stream.finalMessage();
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'call_AAA', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_BBB', name: 'get_time', input: { tz: 'CET' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('a refusal reaches the Responses API as a refusal part, JSON and streamed', async () => {
    const json = await responses().create({ model: 'refusing', input: 'Something harmful' });
    expect(json.output).toMatchObject([
      { type: 'message', content: [{ type: 'refusal', refusal: REFUSAL }] },
    ]);
    const streamed = await responses()
      .stream({ model: 'refusing', input: 'Something harmful' })
      .finalResponse();
    expect(streamed.output).toMatchObject([
      { type: 'message', content: [{ type: 'refusal', refusal: REFUSAL }] },
    ]);
  });

  it('a refusal reaches the Messages API as its text with stop_reason refusal, JSON and streamed', async () => {
    const request = {
      model: 'refusing',
      max_tokens: 100,
      messages: [{ role: 'user' as const, content: 'Something harmful' }],
    };
    const json = await anthropic().create(request);
    expect([json.content, json.stop_reason]).toEqual([[{ type: 'text', text: REFUSAL }], 'refusal']);
    const streamed = await anthropic().stream(request).finalMessage();
    expect(streamed.stop_reason).toBe('refusal');
    expect(streamed.content.map((block) => (block.type === 'text' ? block.text : block.type))).toEqual([
      REFUSAL,
    ]);
  });
});
