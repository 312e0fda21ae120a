import { describe, expect, it } from 'vitest';
import { readChunkFixture, sseFramesFromChunks } from '../test-support/fixtures.js';
import { runAdapterStream } from '../test-support/run-stream.js';
import { googleAdapter } from './index.js';

const frames = (name: string) => sseFramesFromChunks(readChunkFixture('google', name), 'google');

describe('createGoogleStreamTransformer', () => {
  it('streams text (CRLF-separated events) with the last usage and [DONE]', async () => {
    const { collected, usage, events } = await runAdapterStream({
      adapter: googleAdapter,
      frames: frames('text.chunks.txt'),
      includeUsage: true,
    });
    expect(collected).toMatchObject({
      content: 'The quick brown fox jumps over the lazy dog.',
      finishReason: 'stop',
      usageChunks: 1,
      done: true,
    });
    expect(usage).toEqual({ prompt_tokens: 8, completion_tokens: 10, total_tokens: 18 });
    expect(JSON.parse(events[0]?.data ?? '{}')).toMatchObject({
      id: 'Z4bDZ5uaNrW3nvgPxZ7yoQk',
      model: 'gemini-2.0-flash',
    });
  });

  it('emits a function call whole with finish_reason tool_calls', async () => {
    const { collected } = await runAdapterStream({
      adapter: googleAdapter,
      frames: frames('tool-call.chunks.txt'),
    });
    expect(collected.toolCalls).toEqual([
      {
        id: 'call_cIbDZ8DvBtWxnvgP0rXQsQk_0_0',
        name: 'get_current_temperature',
        arguments: '{"location":"London"}',
      },
    ]);
    expect(collected.finishReason).toBe('tool_calls');
  });

  it('streams a function call with its thought signature (extra_content.google)', async () => {
    const { events } = await runAdapterStream({
      adapter: googleAdapter,
      frames: frames('thought-signature.chunks.txt'),
    });
    const call = events
      .map((event) => JSON.parse(event.data === '[DONE]' ? '{}' : event.data) as Record<string, unknown>)
      .flatMap((chunk) => (chunk.choices as { delta: { tool_calls?: unknown[] } }[] | undefined) ?? [])
      .flatMap((choice) => choice.delta.tool_calls ?? [])[0];
    expect(call).toMatchObject({
      id: 'call_sIgnAtUrEs-2_0_0',
      function: { name: 'check_flight', arguments: '{"flight":"AA100"}' },
      extra_content: { google: { thought_signature: 'CpcBAdHtim9-signature-A' } },
    });
  });

  it('names a call Gemini gave no id after its answer, so two turns of one conversation never share an id', async () => {
    const [line = ''] = readChunkFixture('google', 'tool-call.chunks.txt');
    const answer = JSON.parse(line) as Record<string, unknown>;
    const idsOf = async (event: Record<string, unknown>) =>
      (
        await runAdapterStream({
          adapter: googleAdapter,
          frames: sseFramesFromChunks([JSON.stringify(event)], 'google'),
        })
      ).collected.toolCalls.map((call) => call.id);
    const first = await idsOf(answer);
    const second = await idsOf({ ...answer, responseId: 'dIbDZ9XwCtWxnvgP1sTRsRk' });
    expect(first).toEqual(['call_cIbDZ8DvBtWxnvgP0rXQsQk_0_0']);
    expect(second).toEqual(['call_dIbDZ9XwCtWxnvgP1sTRsRk_0_0']);
    // No responseId: the injected id generator's id (`chatcmpl-test` in tests) names the call.
    const { responseId: _id, ...anonymous } = answer;
    expect(await idsOf(anonymous)).toEqual(['call_test_0_0']);
  });

  it('opens each candidate asked for with n with its own role chunk, as OpenAI opens every choice', async () => {
    const { events, usage } = await runAdapterStream({
      adapter: googleAdapter,
      frames: frames('candidate-count.chunks.txt'),
      body: { n: 2 },
      includeUsage: true,
    });
    const choices = events
      .filter((event) => event.data !== '[DONE]')
      .flatMap(
        (event) =>
          (JSON.parse(event.data) as { choices: { index: number; delta: Record<string, unknown> }[] })
            .choices,
      );
    for (const index of [0, 1]) {
      const own = choices.filter((choice) => choice.index === index);
      expect(own[0]?.delta).toEqual({ role: 'assistant', content: '' });
      expect(own.filter((choice) => 'role' in choice.delta)).toHaveLength(1);
      expect(own.map((choice) => choice.delta.content ?? '').join('')).toBe(
        index === 0 ? 'Bonjour !' : 'Salut !',
      );
    }
    expect(usage).toEqual({ prompt_tokens: 6, completion_tokens: 6, total_tokens: 12 });
  });

  it('keeps Gemini’s finishReason with strict compliance off, as Portkey', async () => {
    const run = (name: string) =>
      runAdapterStream({ adapter: googleAdapter, frames: frames(name), strict: false });
    expect((await run('text.chunks.txt')).collected.finishReason).toBe('STOP');
    expect((await run('tool-call.chunks.txt')).collected.finishReason).toBe('STOP');
    expect((await run('safety.chunks.txt')).collected.finishReason).toBe('SAFETY');
  });

  it('ends a safety block mid-stream with content_filter', async () => {
    const { collected } = await runAdapterStream({
      adapter: googleAdapter,
      frames: frames('safety.chunks.txt'),
    });
    expect(collected).toMatchObject({ content: 'Here is how', finishReason: 'content_filter', done: true });
  });

  it('turns an in-stream error into event: error, and a cut stream into PK_ERR_STREAM_INTERRUPTED', async () => {
    const failed = await runAdapterStream({
      adapter: googleAdapter,
      frames: frames('stream-error.chunks.txt'),
    });
    expect(failed.collected.content).toBe('Hello');
    expect(failed.collected.error).toMatchObject({
      type: 'UNAVAILABLE',
      message: expect.stringContaining('overloaded'),
    });
    expect(failed.collected.done).toBe(false);
    const cut = await runAdapterStream({
      adapter: googleAdapter,
      frames: frames('text.chunks.txt').slice(0, 2),
    });
    expect(cut.collected.error).toMatchObject({ code: 'PK_ERR_STREAM_INTERRUPTED' });
  });

  it('a stream cut before its finish reason keeps the last usageMetadata as the usage so far', async () => {
    const { usage, partialUsage } = await runAdapterStream({
      adapter: googleAdapter,
      frames: frames('text.chunks.txt').slice(0, 2),
    });
    expect(usage).toBeUndefined();
    expect(partialUsage).toEqual({ prompt_tokens: 8, completion_tokens: 0, total_tokens: 8 });
  });
});
