import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../spec/upstream-error.js';
import { testContext } from '../../test-support/context.js';
import { readChunkFixture, readJsonFixture, sseFramesFromChunks } from '../../test-support/fixtures.js';
import { runDialectStream } from '../../test-support/run-dialect-stream.js';
import { anthropicMessagesDialect } from './index.js';
import { readNativeMessage } from './native-answer.js';

const native = (lines: readonly string[]) =>
  runDialectStream({
    dialect: anthropicMessagesDialect,
    context: testContext('anthropic', {}),
    frames: sseFramesFromChunks(lines, 'anthropic'),
  });

describe('native Messages answers', () => {
  it('pass a Message through as it is, usage read for the log', () => {
    const message = readJsonFixture('anthropic', 'text.json');
    expect(readNativeMessage(message, 'anthropic')).toEqual({
      body: message,
      usage: {
        prompt_tokens: 3119,
        completion_tokens: 503,
        total_tokens: 3622,
        prompt_tokens_details: { cached_tokens: 1024 },
      },
    });
    expect(() => readNativeMessage({ choices: [] }, 'anthropic')).toThrow(UpstreamError);
  });

  it('pass every stream event through unchanged, ping included, and report the usage', async () => {
    const lines = readChunkFixture('anthropic', 'tool-call.chunks.txt');
    const { events, text, usage } = await native(lines);
    expect(events.map((event) => event.data)).toEqual(lines);
    expect(events.map((event) => event.event)).toEqual(lines.map((line) => JSON.parse(line).type));
    expect(text).not.toContain('[DONE]');
    expect(usage).toMatchObject({ prompt_tokens: 472, completion_tokens: 89 });
  });

  it('end with the provider’s error event as it came', async () => {
    const lines = readChunkFixture('anthropic', 'stream-error.chunks.txt');
    const { events } = await native(lines);
    expect(events.at(-1)).toMatchObject({ event: 'error', data: lines.at(-1) });
  });

  it('end a stream cut before message_stop with Anthropic’s error event', async () => {
    const lines = readChunkFixture('anthropic', 'text.chunks.txt').slice(0, 4);
    const { events, usage, partialUsage } = await native(lines);
    expect(events.at(-1)?.event).toBe('error');
    expect(JSON.parse(events.at(-1)?.data ?? '')).toEqual({
      type: 'error',
      error: {
        type: 'api_error',
        message: 'the provider stream ended before message_stop',
        code: 'PK_ERR_STREAM_INTERRUPTED',
      },
    });
    expect(usage).toBeUndefined();
    // What message_start reported (the provider bills it) is kept apart, as the usage so far.
    expect(partialUsage).toMatchObject({ prompt_tokens: 25, completion_tokens: 1, total_tokens: 26 });
  });
});
