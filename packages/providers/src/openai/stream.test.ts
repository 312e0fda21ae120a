import { describe, expect, it } from 'vitest';
import { translateAdapterStream } from '../execute/stream-pipeline.js';
import { getProviderAdapter } from '../registry/registry.js';
import { preparedChat, testContext } from '../test-support/context.js';
import { readChunkFixture, sseFramesFromChunks } from '../test-support/fixtures.js';
import { runAdapterStream } from '../test-support/run-stream.js';
import { collectChatStream, readSseEvents } from '../test-support/sse-client.js';
import { openAIAdapter } from './index.js';

function bodyOf(frames: readonly string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const frame of frames) controller.enqueue(encoder.encode(frame));
      controller.close();
    },
  });
}

async function run(frames: readonly string[], includeUsage: boolean) {
  const request = preparedChat('openai', {
    model: 'm',
    messages: [],
    stream: true,
    ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
  });
  const translated = translateAdapterStream({
    body: bodyOf(frames),
    adapter: openAIAdapter,
    request,
    context: testContext('openai', {}),
  });
  const events = await readSseEvents(translated.stream);
  return { events, usage: await translated.usage };
}

describe('createOpenAIStreamTransformer', () => {
  const frames = sseFramesFromChunks(readChunkFixture('openai', 'text.chunks.txt'), 'openai');

  it('passes chunks through byte for byte and keeps exactly one usage chunk when asked', async () => {
    const { events, usage } = await run(frames, true);
    const lines = readChunkFixture('openai', 'text.chunks.txt');
    expect(events.map((event) => event.data)).toEqual(lines);
    expect(collectChatStream(events).usageChunks).toBe(1);
    expect(usage).toMatchObject({ total_tokens: 12 });
  });

  it('removes the usage chunk when the client did not ask, but still reports usage', async () => {
    const { events, usage } = await run(frames, false);
    expect(collectChatStream(events).usageChunks).toBe(0);
    expect(events.at(-1)?.data).toBe('[DONE]');
    expect(usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 3 });
  });

  it('turns an in-band error into an event: error frame and stops', async () => {
    const { events } = await run(
      sseFramesFromChunks(readChunkFixture('openai', 'stream-error.chunks.txt'), 'openai'),
      false,
    );
    const last = events.at(-1);
    expect(last?.event).toBe('error');
    expect(JSON.parse(last?.data ?? '{}')).toEqual({
      error: {
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
        param: null,
        code: null,
      },
    });
    expect(events.some((event) => event.data === '[DONE]')).toBe(false);
  });

  it('turns OpenRouter’s mid-stream error (error beside choices, finish_reason "error") into an event: error frame', async () => {
    const { events, collected } = await runAdapterStream({
      adapter: getProviderAdapter('openrouter'),
      frames: sseFramesFromChunks(
        readChunkFixture('openai-compatible', 'openrouter/stream-error.chunks.txt'),
        'openai',
      ),
    });
    expect(collected.content).toBe('Hello');
    expect(events.at(-1)?.event).toBe('error');
    expect(JSON.parse(events.at(-1)?.data ?? '{}')).toEqual({
      error: { message: 'Provider disconnected', type: null, param: null, code: 'server_error' },
    });
    expect(events.some((event) => event.data === '[DONE]')).toBe(false);
  });

  it('passes on a chunk whose error object is not its own (Azure’s content_filter_results.error)', async () => {
    const chunk =
      '{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null,"content_filter_results":{"error":{"code":"content_filter_error","message":"The contents are not filtered"}}}]}';
    const { events } = await run([`data: ${chunk}\n\n`, 'data: [DONE]\n\n'], false);
    expect(events.map((event) => event.data)).toEqual([chunk, '[DONE]']);
  });

  it('reports a stream cut before [DONE] as PK_ERR_STREAM_INTERRUPTED', async () => {
    const { events, usage } = await run(frames.slice(0, 2), false);
    expect(events.at(-1)?.event).toBe('error');
    expect(JSON.parse(events.at(-1)?.data ?? '{}').error.code).toBe('PK_ERR_STREAM_INTERRUPTED');
    expect(usage).toBeUndefined();
  });

  it('moves usage out of a content chunk (vendors that put it there) into one usage chunk', async () => {
    const chunk =
      '{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}';
    const { events } = await run([`data: ${chunk}\n\n`, 'data: [DONE]\n\n'], true);
    expect(JSON.parse(events[0]?.data ?? '{}')).not.toHaveProperty('usage');
    expect(JSON.parse(events[1]?.data ?? '{}')).toMatchObject({ choices: [], usage: { total_tokens: 3 } });
    expect(events[2]?.data).toBe('[DONE]');
  });

  it.each([
    ['a count that is not a number', '"usage":{"prompt_tokens":"1","completion_tokens":2,"total_tokens":3}'],
    ['a count missing', '"usage":{"prompt_tokens":1,"completion_tokens":2}'],
    ['usage that is not an object', '"usage":[1,2,3]'],
    [
      'an id that is not a string',
      '"id":7,"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}',
    ],
    [
      'choices that are not an array',
      '"choices":{},"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}',
    ],
  ])('passes a chunk with %s through as sent and reports no usage from it', async (_case, members) => {
    const chunk = `{"object":"chat.completion.chunk","created":1,"model":"m",${members}}`;
    const { events, usage } = await run([`data: ${chunk}\n\n`, 'data: [DONE]\n\n'], true);
    expect(events.map((event) => event.data)).toEqual([chunk, '[DONE]']);
    expect(usage).toBeUndefined();
  });

  it('keeps usage members beyond the three counts (details) in the one usage chunk', async () => {
    const usageChunk =
      '{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3,"prompt_tokens_details":{"cached_tokens":1}}}';
    const { events, usage } = await run([`data: ${usageChunk}\n\n`, 'data: [DONE]\n\n'], true);
    expect(events.map((event) => event.data)).toEqual([usageChunk, '[DONE]']);
    expect(usage).toMatchObject({ prompt_tokens_details: { cached_tokens: 1 } });
  });
});
