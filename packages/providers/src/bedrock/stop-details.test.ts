import { describe, expect, it } from 'vitest';
import { messagesFromChatCompletion } from '../dialects/anthropic-messages/from-chat-completion.js';
import { anthropicMessagesDialect } from '../dialects/anthropic-messages/index.js';
import { bedrockFramesFromChunks } from '../test-support/bedrock-frames.js';
import { dialectTestContext, preparedChat, testContext } from '../test-support/context.js';
import { readChunkFixture, readJsonFixture } from '../test-support/fixtures.js';
import { chatCompletionSchema } from '../test-support/openai-schemas.js';
import { runDialectStream } from '../test-support/run-dialect-stream.js';
import { bedrockStopDetails } from './finish-reason.js';
import { bedrockAdapter } from './index.js';
import { fromBedrockResponse } from './response.js';

// Converse's `stop_sequence` and `model_context_window_exceeded` stop reasons, which OpenAI's finish
// reasons (`stop`, `length`) cannot tell apart from `end_turn` and `max_tokens`, reach a translated
// Anthropic Message as its own stop reasons through pk's `stop_details`.
const chat = (stop?: string | string[]) =>
  preparedChat('bedrock', {
    model: 'amazon.nova-lite-v1:0',
    messages: [{ role: 'user', content: 'Count to ten' }],
    ...(stop === undefined ? {} : { stop }),
  });
const frames = (name: string) => bedrockFramesFromChunks(readChunkFixture('bedrock', name));

describe('bedrockStopDetails', () => {
  it('names the stop sequence when the request sent exactly one, else null', () => {
    expect(bedrockStopDetails('stop_sequence', { stop: '4' })).toEqual({
      reason: 'stop_sequence',
      sequence: '4',
    });
    expect(bedrockStopDetails('stop_sequence', { stop: ['4'] })).toEqual({
      reason: 'stop_sequence',
      sequence: '4',
    });
    expect(bedrockStopDetails('stop_sequence', { stop: ['4', 'four'] })).toEqual({
      reason: 'stop_sequence',
      sequence: null,
    });
    expect(bedrockStopDetails('stop_sequence', {})).toEqual({ reason: 'stop_sequence', sequence: null });
  });

  it('tells a full context window, and nothing for the reasons OpenAI’s finish reasons already say', () => {
    expect(bedrockStopDetails('model_context_window_exceeded', {})).toEqual({
      reason: 'model_context_window_exceeded',
      sequence: null,
    });
    for (const reason of ['end_turn', 'max_tokens', 'tool_use', 'guardrail_intervened', null, undefined])
      expect(bedrockStopDetails(reason, { stop: ['4'] })).toBeUndefined();
  });
});

describe('stop details of a Converse answer', () => {
  it('are on the message in dialect calls only; chat completions stay OpenAI’s', () => {
    const body = readJsonFixture('bedrock', 'stop-sequence.json');
    const dialect = chatCompletionSchema.parse(
      fromBedrockResponse(body, chat(['4']), dialectTestContext('bedrock', {})),
    );
    expect(dialect.choices[0]).toMatchObject({
      finish_reason: 'stop',
      message: { content: 'Counting: 1, 2, 3, ', stop_details: { reason: 'stop_sequence', sequence: '4' } },
    });
    for (const context of [testContext('bedrock', {}), testContext('bedrock', {}, false)]) {
      const answer = fromBedrockResponse(body, chat(['4']), context) as { choices: { message: object }[] };
      expect(answer.choices[0]?.message).not.toHaveProperty('stop_details');
    }
  });

  it('become the Message’s stop_reason and stop_sequence', () => {
    const body = readJsonFixture('bedrock', 'stop-sequence.json');
    const context = dialectTestContext('bedrock', {});
    const one = chatCompletionSchema.parse(fromBedrockResponse(body, chat('4'), context));
    expect(messagesFromChatCompletion(one)).toMatchObject({
      stop_reason: 'stop_sequence',
      stop_sequence: '4',
    });
    const many = chatCompletionSchema.parse(fromBedrockResponse(body, chat(['4', 'four']), context));
    expect(messagesFromChatCompletion(many)).toMatchObject({
      stop_reason: 'stop_sequence',
      stop_sequence: null,
    });
    const full = chatCompletionSchema.parse(
      fromBedrockResponse(
        { ...(body as object), stopReason: 'model_context_window_exceeded' },
        chat(),
        context,
      ),
    );
    expect(full.choices[0]?.finish_reason).toBe('length');
    expect(messagesFromChatCompletion(full)).toMatchObject({
      stop_reason: 'model_context_window_exceeded',
      stop_sequence: null,
    });
  });
});

describe('stop details of a ConverseStream', () => {
  it('end the Messages stream with stop_reason stop_sequence and the sequence', async () => {
    const { events } = await runDialectStream({
      dialect: anthropicMessagesDialect,
      context: dialectTestContext('bedrock', {}),
      adapter: bedrockAdapter,
      frames: frames('stop-sequence.chunks.txt'),
      chatRequest: { stop: ['4'] },
    });
    const delta = events.find((event) => event.event === 'message_delta');
    expect(JSON.parse(delta?.data ?? '{}')).toMatchObject({
      delta: { stop_reason: 'stop_sequence', stop_sequence: '4' },
    });
  });

  it('end the Messages stream with stop_reason model_context_window_exceeded', async () => {
    const { events } = await runDialectStream({
      dialect: anthropicMessagesDialect,
      context: dialectTestContext('bedrock', {}),
      adapter: bedrockAdapter,
      frames: frames('context-window-exceeded.chunks.txt'),
    });
    const delta = events.find((event) => event.event === 'message_delta');
    expect(JSON.parse(delta?.data ?? '{}')).toMatchObject({
      delta: { stop_reason: 'model_context_window_exceeded', stop_sequence: null },
    });
  });
});
