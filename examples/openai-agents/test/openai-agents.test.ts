import { run } from '@openai/agents';
import {
  type GatewayProcess,
  type MockProvider,
  type ReceivedRequest,
  startGateway,
  startMockProvider,
} from '@pk/example-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWeatherAgent } from '../src/weather-agent.js';

// The OpenAI Agents SDK → the built pk gateway (a process) → a mock of OpenAI's Chat Completions on
// 127.0.0.1. The agent calls its tool and answers: two model calls, the second carrying the tool's
// result. The mock checks both; the test checks the agent's final output.

const OPENAI_KEY = 'sk-example-openai-key';
const MODEL = 'gpt-4o-mini';
const FINAL = 'It is sunny and 24 °C in Paris.';
let openai: MockProvider;
let gateway: GatewayProcess;

const base = { object: 'chat.completion', created: 1741569952, model: 'gpt-4o-mini-2024-07-18' };
const usage = { prompt_tokens: 82, completion_tokens: 17, total_tokens: 99 };
const toolCall = {
  id: 'call_Ab12Cd34Ef56',
  type: 'function',
  function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
};

function hasToolResult(request: ReceivedRequest): boolean {
  const messages = request.body.messages as { role: string }[];
  return messages.some((message) => message.role === 'tool');
}

function chunk(delta: Record<string, unknown>, finishReason: string | null) {
  return {
    id: 'chatcmpl-stream-1',
    object: 'chat.completion.chunk',
    created: 1741569952,
    model: base.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

/** OpenAI's documented answers: first a tool call, then (with the tool's result) the final text. */
function answer(request: ReceivedRequest) {
  const first = !hasToolResult(request);
  if (request.body.stream !== true) {
    const message = first
      ? { role: 'assistant', content: null, tool_calls: [toolCall], refusal: null }
      : { role: 'assistant', content: FINAL, refusal: null };
    return {
      json: {
        id: first ? 'chatcmpl-tool-1' : 'chatcmpl-final-1',
        ...base,
        choices: [{ index: 0, message, logprobs: null, finish_reason: first ? 'tool_calls' : 'stop' }],
        usage,
      },
    };
  }
  const events = first
    ? [
        chunk(
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ index: 0, ...toolCall, function: { name: 'get_weather', arguments: '' } }],
          },
          null,
        ),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }, null),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }, null),
        chunk({}, 'tool_calls'),
      ]
    : [
        chunk({ role: 'assistant', content: '' }, null),
        chunk({ content: 'It is sunny' }, null),
        chunk({ content: ' and 24 °C in Paris.' }, null),
        chunk({}, 'stop'),
      ];
  return {
    sse: [
      ...events.map((data) => ({ data })),
      { data: { ...chunk({}, null), choices: [], usage } },
      { data: '[DONE]' },
    ],
  };
}

beforeAll(async () => {
  openai = await startMockProvider(answer);
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway?.stop();
  await openai?.close();
  expect(gateway.output()).not.toContain(OPENAI_KEY);
});

function agent() {
  return createWeatherAgent({
    gatewayUrl: gateway.url,
    provider: 'openai',
    providerApiKey: OPENAI_KEY,
    model: MODEL,
    customHost: `${openai.url}/v1`,
  });
}

/** The two model calls of one run: the tool offered, then the tool's result sent back. */
function expectToolLoop(requests: readonly ReceivedRequest[]): void {
  expect(requests).toHaveLength(2);
  for (const request of requests) {
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expect(request.body.model).toBe(MODEL);
    expect(request.body.tools).toEqual([
      expect.objectContaining({
        type: 'function',
        function: expect.objectContaining({
          name: 'get_weather',
          parameters: expect.objectContaining({ properties: { city: { type: 'string' } } }),
        }),
      }),
    ]);
  }
  const [first, second] = requests as [ReceivedRequest, ReceivedRequest];
  expect(first.body.messages).toEqual([
    { role: 'system', content: 'Answer weather questions with the get_weather tool, in one sentence.' },
    { role: 'user', content: 'What is the weather in Paris?' },
  ]);
  const toolMessage = (
    second.body.messages as { role: string; content: unknown; tool_call_id?: string }[]
  ).find((message) => message.role === 'tool');
  expect(toolMessage).toMatchObject({ tool_call_id: 'call_Ab12Cd34Ef56', content: 'Sunny, 24 °C in Paris.' });
}

describe('The OpenAI Agents SDK through pk', () => {
  it('run: the agent calls its tool through pk and answers', async () => {
    const before = openai.received.length;
    const result = await run(agent(), 'What is the weather in Paris?');
    expectToolLoop(openai.received.slice(before));
    expect(result.finalOutput).toBe(FINAL);
  });

  it('run with stream: the same loop, the answer streamed', async () => {
    const before = openai.received.length;
    const result = await run(agent(), 'What is the weather in Paris?', { stream: true });
    let text = '';
    for await (const part of result.toTextStream()) text += part;
    await result.completed;
    expectToolLoop(openai.received.slice(before));
    expect(text).toBe(FINAL);
    expect(result.finalOutput).toBe(FINAL);
  });
});
