import { describe, expect, it } from 'vitest';
import { translateAdapterStream } from '../execute/stream-pipeline.js';
import { preparedChat, testContext } from '../test-support/context.js';
import { readChunkFixture, sseFramesFromChunks } from '../test-support/fixtures.js';
import {
  chatCompletionChunkSchema,
  translatedChatCompletionChunkSchema,
} from '../test-support/openai-schemas.js';
import { collectChatStream, readSseEvents } from '../test-support/sse-client.js';
import { anthropicAdapter } from './index.js';

async function run(fixture: string, options: { strict?: boolean; includeUsage?: boolean } = {}) {
  const encoder = new TextEncoder();
  const frames = sseFramesFromChunks(readChunkFixture('anthropic', fixture), 'anthropic');
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const frame of frames) controller.enqueue(encoder.encode(frame));
      controller.close();
    },
  });
  const request = preparedChat('anthropic', {
    model: 'm',
    messages: [],
    stream: true,
    ...(options.includeUsage ? { stream_options: { include_usage: true } } : {}),
  });
  const translated = translateAdapterStream({
    body,
    adapter: anthropicAdapter,
    request,
    context: testContext('anthropic', {}, options.strict ?? true),
  });
  const events = await readSseEvents(translated.stream);
  const schema = options.strict === false ? translatedChatCompletionChunkSchema : chatCompletionChunkSchema;
  for (const event of events)
    if (event.data !== '[DONE]' && event.event !== 'error') schema.parse(JSON.parse(event.data));
  return { events, collected: collectChatStream(events), usage: await translated.usage };
}

describe('createAnthropicStreamTransformer', () => {
  it('streams text, ignores ping, ends with usage and [DONE]', async () => {
    const { events, collected, usage } = await run('text.chunks.txt', { includeUsage: true });
    expect(collected).toMatchObject({ content: 'Hello!', finishReason: 'stop', usageChunks: 1, done: true });
    expect(usage).toMatchObject({ prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 });
    expect(JSON.parse(events[0]?.data ?? '{}')).toMatchObject({
      id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY',
      created: 1_700_000_000,
      choices: [{ delta: { role: 'assistant' } }],
    });
  });

  it('streams tool-call arguments under one index with id and name first', async () => {
    const { collected } = await run('tool-call.chunks.txt');
    expect(collected.toolCalls).toEqual([
      {
        id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
        name: 'get_weather',
        arguments: '{"location": "San Francisco, CA", "unit": "fahrenheit"}',
      },
    ]);
    expect(collected.finishReason).toBe('tool_calls');
    expect(collected.usageChunks).toBe(0);
  });

  it('gives a tool call that streamed no input the arguments {}, as OpenAI sends a call without parameters', async () => {
    const { collected } = await run('tool-call-no-input.chunks.txt');
    expect(collected.toolCalls).toEqual([
      { id: 'toolu_01Xp2HbXyGq5xV3b9kYtR7mN', name: 'get_time', arguments: '{}' },
    ]);
    expect(collected.finishReason).toBe('tool_calls');
  });

  it('returns thinking as reasoning_content and the signature only when strict compliance is off', async () => {
    const strict = await run('thinking.chunks.txt');
    expect(strict.collected.reasoning).toBe('');
    const loose = await run('thinking.chunks.txt', { strict: false });
    expect(loose.collected.reasoning).toBe(
      'Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3',
    );
    expect(
      loose.events.some((event) =>
        event.data.includes('"signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds..."'),
      ),
    ).toBe(true);
    expect(loose.collected.content).toBe('27 * 453 = 12,231');
  });

  it('keeps Anthropic’s stop_reason with strict compliance off, as Portkey; OpenAI’s with it on', async () => {
    expect((await run('text.chunks.txt')).collected.finishReason).toBe('stop');
    expect((await run('tool-call.chunks.txt')).collected.finishReason).toBe('tool_calls');
    expect((await run('text.chunks.txt', { strict: false })).collected.finishReason).toBe('end_turn');
    const tool = await run('tool-call.chunks.txt', { strict: false });
    expect(tool.collected.finishReason).toBe('tool_use');
    expect(tool.collected.toolCalls).toHaveLength(1);
  });

  it('turns an error event after a 200 into an OpenAI event: error frame', async () => {
    const { events, collected } = await run('stream-error.chunks.txt');
    expect(collected.content).toBe('Hello');
    expect(events.at(-1)?.event).toBe('error');
    expect(JSON.parse(events.at(-1)?.data ?? '{}')).toEqual({
      error: { message: 'Overloaded', type: 'overloaded_error', param: null, code: null },
    });
    expect(collected.done).toBe(false);
  });

  it('ends a safety stop with content_filter, keeping what was sent', async () => {
    const { collected } = await run('refusal.chunks.txt');
    expect(collected).toMatchObject({
      content: 'I can help with',
      finishReason: 'content_filter',
      done: true,
    });
  });
});
