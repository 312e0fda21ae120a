import {
  type GatewayProcess,
  type MockProvider,
  type ReceivedRequest,
  startGateway,
  startMockProvider,
} from '@pk/example-support';
import { generateText, streamText } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPkProvider } from '../src/pk-provider.js';

// The Vercel AI SDK (`generateText`, `streamText`) → the built pk gateway (a process) → a mock of
// Mistral's API on 127.0.0.1. Mistral names the seed `random_seed`, rejects `stream_options` and puts
// the streamed usage on its last content chunk: pk handles all three, the AI SDK sees OpenAI.

const MISTRAL_KEY = 'mistral-example-key';
const MODEL = 'mistral-small-latest';
const usage = { prompt_tokens: 9, completion_tokens: 10, total_tokens: 19 };
let mistral: MockProvider;
let gateway: GatewayProcess;

function chunk(content: string | undefined, finishReason: string | null, withUsage = false) {
  return {
    id: 'cmpl-4a2b8e3c9d1f4e6a8b0c2d4e6f8a0b1c',
    object: 'chat.completion.chunk',
    created: 1702256400,
    model: MODEL,
    choices: [{ index: 0, delta: content === undefined ? {} : { content }, finish_reason: finishReason }],
    ...(withUsage ? { usage } : {}),
  };
}

function answer(request: ReceivedRequest) {
  if (request.body.stream !== true) {
    return {
      json: {
        id: 'cmpl-e5cc70bb28c444948073e77776eb30ef',
        object: 'chat.completion',
        model: MODEL,
        usage,
        created: 1702256327,
        choices: [
          {
            index: 0,
            message: { content: 'Paris.', tool_calls: null, prefix: false, role: 'assistant' },
            finish_reason: 'stop',
          },
        ],
      },
    };
  }
  return {
    sse: [
      {
        data: {
          ...chunk('', null),
          choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
        },
      },
      { data: chunk('The capital', null) },
      { data: chunk(' is Paris.', null) },
      { data: chunk(undefined, 'stop', true) },
      { data: '[DONE]' },
    ],
  };
}

beforeAll(async () => {
  mistral = await startMockProvider(answer);
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway?.stop();
  await mistral?.close();
  expect(gateway.output()).not.toContain(MISTRAL_KEY);
});

function pkModel() {
  const pk = createPkProvider({
    gatewayUrl: gateway.url,
    provider: 'mistral-ai',
    providerApiKey: MISTRAL_KEY,
    customHost: `${mistral.url}/v1`,
  });
  return pk(MODEL);
}

function expectMistralRequest(received: ReceivedRequest | undefined): void {
  expect(received?.path).toBe('/v1/chat/completions');
  expect(received?.headers.authorization).toBe(`Bearer ${MISTRAL_KEY}`);
  expect(received?.body).toMatchObject({
    model: MODEL,
    random_seed: 7,
    messages: [
      { role: 'system', content: 'Answer in one sentence.' },
      { role: 'user', content: 'What is the capital of France?' },
    ],
  });
  expect(received?.body).not.toHaveProperty('seed');
  expect(received?.body).not.toHaveProperty('stream_options');
}

const call = { system: 'Answer in one sentence.', prompt: 'What is the capital of France?', seed: 7 };

describe('The Vercel AI SDK through pk to Mistral', () => {
  it('generateText: text, finish reason and usage', async () => {
    const result = await generateText({ model: pkModel(), ...call });
    expectMistralRequest(mistral.received.at(-1));
    expect(result.text).toBe('Paris.');
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toMatchObject({ inputTokens: 9, outputTokens: 10, totalTokens: 19 });
  });

  it('streamText: the text as it comes and the usage Mistral sent on its last chunk', async () => {
    const result = streamText({ model: pkModel(), ...call });
    const parts: string[] = [];
    for await (const text of result.textStream) parts.push(text);
    expectMistralRequest(mistral.received.at(-1));
    expect(mistral.received.at(-1)?.body.stream).toBe(true);
    expect(parts.join('')).toBe('The capital is Paris.');
    expect(await result.finishReason).toBe('stop');
    expect(await result.usage).toMatchObject({ inputTokens: 9, outputTokens: 10, totalTokens: 19 });
  });
});
