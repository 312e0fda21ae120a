import {
  type GatewayProcess,
  type MockProvider,
  type ReceivedRequest,
  startGateway,
  startMockProvider,
} from '@pk/example-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPkLlm } from '../src/llm.js';

// LlamaIndex.TS's OpenAI LLM → the built pk gateway (a process) → a mock of Groq's OpenAI-compatible
// API on 127.0.0.1, answering in Groq's documented shape (x_groq, timing fields in usage).

const GROQ_KEY = 'gsk_example_key';
const MODEL = 'llama-3.3-70b-versatile';
let groq: MockProvider;
let gateway: GatewayProcess;

const usage = {
  queue_time: 0.02,
  prompt_tokens: 18,
  prompt_time: 0.001,
  completion_tokens: 6,
  completion_time: 0.01,
  total_tokens: 24,
  total_time: 0.011,
};

function chunk(delta: Record<string, unknown>, finishReason: string | null) {
  return {
    id: 'chatcmpl-9a8b7c6d',
    object: 'chat.completion.chunk',
    created: 1730241300,
    model: MODEL,
    system_fingerprint: 'fp_179b0f92c9',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    x_groq: { id: 'req_01jbd6k9' },
  };
}

function answer(request: ReceivedRequest) {
  if (request.body.stream !== true) {
    return {
      json: {
        id: 'chatcmpl-f51b2cd2-bef7-417e-964e-a08f0b513c22',
        object: 'chat.completion',
        created: 1730241104,
        model: MODEL,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'Fast inference matters.' },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage,
        system_fingerprint: 'fp_179b0f92c9',
        x_groq: { id: 'req_01jbd6g2qdfw2adyrt2az8hz4w' },
      },
    };
  }
  return {
    sse: [
      { data: chunk({ role: 'assistant', content: '' }, null) },
      { data: chunk({ content: 'Fast' }, null) },
      { data: chunk({ content: ' inference' }, null) },
      { data: chunk({ content: ' matters.' }, null) },
      { data: chunk({}, 'stop') },
      { data: { ...chunk({}, null), choices: [], usage } },
      { data: '[DONE]' },
    ],
  };
}

beforeAll(async () => {
  groq = await startMockProvider(answer);
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway?.stop();
  await groq?.close();
  expect(gateway.output()).not.toContain(GROQ_KEY);
});

function llm() {
  return createPkLlm({
    gatewayUrl: gateway.url,
    provider: 'groq',
    providerApiKey: GROQ_KEY,
    model: MODEL,
    customHost: `${groq.url}/openai/v1`,
  });
}

const messages = [
  { role: 'system' as const, content: 'Be brief.' },
  { role: 'user' as const, content: 'Why does inference speed matter?' },
];

function expectGroqRequest(received: ReceivedRequest | undefined): void {
  expect(received?.path).toBe('/openai/v1/chat/completions');
  expect(received?.headers.authorization).toBe(`Bearer ${GROQ_KEY}`);
  expect(received?.headers).not.toHaveProperty('x-portkey-provider');
  expect(received?.body).toMatchObject({ model: MODEL, messages });
}

describe('LlamaIndex.TS through pk to Groq', () => {
  it('chat: the message and the raw OpenAI answer, Groq fields included', async () => {
    const response = await llm().chat({ messages });
    expectGroqRequest(groq.received.at(-1));
    expect(response.message).toMatchObject({ role: 'assistant', content: 'Fast inference matters.' });
    expect(response.raw).toMatchObject({ usage, x_groq: { id: 'req_01jbd6g2qdfw2adyrt2az8hz4w' } });
  });

  it('stream: the deltas in order; pk asked Groq for usage', async () => {
    const deltas: string[] = [];
    for await (const part of await llm().chat({ messages, stream: true })) deltas.push(part.delta);
    const received = groq.received.at(-1);
    expectGroqRequest(received);
    expect(received?.body.stream_options).toEqual({ include_usage: true });
    expect(deltas.join('')).toBe('Fast inference matters.');
    expect(deltas.filter((delta) => delta !== '')).toEqual(['Fast', ' inference', ' matters.']);
  });
});
