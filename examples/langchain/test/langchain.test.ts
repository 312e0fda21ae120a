import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import {
  type GatewayProcess,
  type MockProvider,
  type ReceivedRequest,
  startGateway,
  startMockProvider,
} from '@pk/example-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPkChatModel } from '../src/chat-model.js';

// LangChain's ChatOpenAI → the built pk gateway (a process) → a mock of Anthropic's Messages API on
// 127.0.0.1. The mock checks it got Anthropic's wire format; the test checks what LangChain returned.

const ANTHROPIC_KEY = 'sk-ant-example-key';
const MODEL = 'claude-sonnet-4-5';
let anthropic: MockProvider;
let gateway: GatewayProcess;

/** Anthropic's documented answers: a message, or the stream of events for the same message. */
function answer(request: ReceivedRequest) {
  const message = {
    id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
    type: 'message',
    role: 'assistant',
    model: MODEL,
    content: [{ type: 'text', text: 'Bonjour ! Comment puis-je vous aider ?' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 21, output_tokens: 12 },
  };
  if (request.body.stream !== true) return { json: message };
  return {
    sse: [
      {
        event: 'message_start',
        data: {
          type: 'message_start',
          message: {
            ...message,
            content: [],
            stop_reason: null,
            usage: { input_tokens: 21, output_tokens: 1 },
          },
        },
      },
      {
        event: 'content_block_start',
        data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      },
      ...['Bonjour !', ' Comment puis-je', ' vous aider ?'].map((text) => ({
        event: 'content_block_delta',
        data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
      })),
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
      {
        event: 'message_delta',
        data: {
          type: 'message_delta',
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: { output_tokens: 12 },
        },
      },
      { event: 'message_stop', data: { type: 'message_stop' } },
    ],
  };
}

beforeAll(async () => {
  anthropic = await startMockProvider(answer);
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway?.stop();
  await anthropic?.close();
  // The provider key never reaches the gateway's log lines.
  expect(gateway.output()).not.toContain(ANTHROPIC_KEY);
});

function model() {
  return createPkChatModel({
    gatewayUrl: gateway.url,
    provider: 'anthropic',
    providerApiKey: ANTHROPIC_KEY,
    model: MODEL,
    customHost: `${anthropic.url}/v1`,
  });
}

const prompt = [new SystemMessage('Answer in French.'), new HumanMessage('Hello!')];

/** What Anthropic must receive: its own format, its own auth header. */
function expectAnthropicRequest(received: ReceivedRequest | undefined, stream: boolean): void {
  expect(received?.path).toBe('/v1/messages');
  expect(received?.headers['x-api-key']).toBe(ANTHROPIC_KEY);
  expect(received?.headers['anthropic-version']).toBe('2023-06-01');
  expect(received?.headers.authorization).toBeUndefined();
  expect(received?.body).toMatchObject({
    model: MODEL,
    system: 'Answer in French.',
    messages: [{ role: 'user', content: 'Hello!' }],
  });
  expect(typeof received?.body.max_tokens).toBe('number');
  expect(received?.body.stream === true).toBe(stream);
}

describe('LangChain.js through pk to Anthropic', () => {
  it('invoke: an AIMessage with the text and the token usage', async () => {
    const reply = await model().invoke(prompt);
    expectAnthropicRequest(anthropic.received.at(-1), false);
    expect(reply.content).toBe('Bonjour ! Comment puis-je vous aider ?');
    expect(reply.usage_metadata).toMatchObject({ input_tokens: 21, output_tokens: 12, total_tokens: 33 });
    expect(reply.response_metadata).toMatchObject({ finish_reason: 'stop' });
  });

  it('stream: chunks as they come, then the usage', async () => {
    const texts: string[] = [];
    let usage: unknown;
    for await (const chunk of await model().stream(prompt)) {
      if (typeof chunk.content === 'string' && chunk.content !== '') texts.push(chunk.content);
      if (chunk.usage_metadata) usage = chunk.usage_metadata;
    }
    expectAnthropicRequest(anthropic.received.at(-1), true);
    expect(texts).toEqual(['Bonjour !', ' Comment puis-je', ' vous aider ?']);
    expect(usage).toMatchObject({ input_tokens: 21, output_tokens: 12, total_tokens: 33 });
  });
});
