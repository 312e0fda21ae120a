import { describe, expect, it } from 'vitest';
import { readChunkFixture, sseFramesFromChunks } from '../test-support/fixtures.js';
import { runAdapterStream } from '../test-support/run-stream.js';
import { cohereAdapter } from './index.js';

const frames = (name: string) => sseFramesFromChunks(readChunkFixture('cohere', name), 'cohere');

describe('createCohereStreamTransformer', () => {
  it('streams text and ends with one usage chunk and [DONE]', async () => {
    const { collected, usage, events } = await runAdapterStream({
      adapter: cohereAdapter,
      frames: frames('text.chunks.txt'),
      includeUsage: true,
    });
    expect(collected).toMatchObject({
      content: 'A large language model',
      finishReason: 'stop',
      usageChunks: 1,
      done: true,
    });
    // `billed_units` (6 in), not `tokens` (72 in: Cohere's prompt template included, not billed).
    expect(usage).toEqual({ prompt_tokens: 6, completion_tokens: 4, total_tokens: 10 });
    expect(JSON.parse(events[0]?.data ?? '{}').id).toBe('29f14a5a-11de-4cae-9800-25e4747408ea');
  });

  it('streams parallel tool calls by index, the tool plan as content (strict compliance or not)', async () => {
    for (const strict of [true, false]) {
      const { collected } = await runAdapterStream({
        adapter: cohereAdapter,
        frames: frames('tool-call.chunks.txt'),
        strict,
      });
      expect(collected.toolCalls).toEqual([
        { id: 'get_weather_p0dage9q1nv4', name: 'get_weather', arguments: '{"location": "Madrid"}' },
        { id: 'get_weather_vdr9kg9fyq4k', name: 'get_weather', arguments: '{"location": "Brasilia"}' },
      ]);
      // Cohere's own reason with strict compliance off (see the next test).
      expect(collected.finishReason).toBe(strict ? 'tool_calls' : 'TOOL_CALL');
      expect(collected.content).toBe('I will search for the weather in Madrid and Brasilia.');
      expect(collected.reasoning).toBe('');
    }
  });

  it('keeps Cohere’s finish_reason with strict compliance off, as Portkey', async () => {
    const run = (name: string, strict: boolean) =>
      runAdapterStream({ adapter: cohereAdapter, frames: frames(name), strict });
    expect((await run('text.chunks.txt', false)).collected.finishReason).toBe('COMPLETE');
    expect((await run('tool-call.chunks.txt', false)).collected.finishReason).toBe('TOOL_CALL');
    expect((await run('text.chunks.txt', true)).collected.finishReason).toBe('stop');
  });

  it('turns an error in message-end into event: error, and a cut stream into PK_ERR_STREAM_INTERRUPTED', async () => {
    const failed = await runAdapterStream({
      adapter: cohereAdapter,
      frames: frames('stream-error.chunks.txt'),
    });
    expect(failed.collected.content).toBe('Hello');
    expect(failed.events.at(-1)?.event).toBe('error');
    expect(failed.collected.error).toMatchObject({
      message: expect.stringContaining('internal server error'),
    });
    const cut = await runAdapterStream({
      adapter: cohereAdapter,
      frames: frames('text.chunks.txt').slice(0, 3),
    });
    expect(cut.collected.error).toMatchObject({ code: 'PK_ERR_STREAM_INTERRUPTED' });
  });

  it('streams each content-delta’s logprobs on its chunk', async () => {
    const { events } = await runAdapterStream({
      adapter: cohereAdapter,
      frames: frames('logprobs.chunks.txt'),
    });
    const logprobs = events
      .filter((event) => event.data !== '[DONE]')
      .flatMap((event) => JSON.parse(event.data).choices)
      .filter((choice: { logprobs?: unknown }) => choice.logprobs)
      .map((choice: { delta: { content: string }; logprobs: unknown }) => [
        choice.delta.content,
        choice.logprobs,
      ]);
    expect(logprobs).toEqual([
      [
        'Go',
        { refusal: null, content: [{ token: 'Go', logprob: -0.25, bytes: [71, 111], top_logprobs: [] }] },
      ],
      [
        ' é',
        {
          refusal: null,
          content: [{ token: ' é', logprob: -0.625, bytes: [32, 195, 169], top_logprobs: [] }],
        },
      ],
    ]);
  });
});
