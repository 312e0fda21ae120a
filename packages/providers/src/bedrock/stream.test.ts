import { describe, expect, it } from 'vitest';
import { bedrockFramesFromChunks } from '../test-support/bedrock-frames.js';
import { readChunkFixture } from '../test-support/fixtures.js';
import { runAdapterStream } from '../test-support/run-stream.js';
import { bedrockAdapter } from './index.js';

const frames = (name: string) => bedrockFramesFromChunks(readChunkFixture('bedrock', name));

describe('createBedrockStreamTransformer', () => {
  it('streams text, the finish reason and one usage chunk from metadata', async () => {
    const { collected, usage } = await runAdapterStream({
      adapter: bedrockAdapter,
      frames: frames('text.chunks.txt'),
      includeUsage: true,
    });
    expect(collected).toMatchObject({
      content: 'Hello! How can I help you today?',
      finishReason: 'stop',
      usageChunks: 1,
      done: true,
    });
    expect(usage).toEqual({ prompt_tokens: 12, completion_tokens: 10, total_tokens: 22 });
  });

  it('streams tool input fragments under the tool call started by contentBlockStart', async () => {
    const { collected } = await runAdapterStream({
      adapter: bedrockAdapter,
      frames: frames('tool-call.chunks.txt'),
    });
    expect(collected.toolCalls).toEqual([
      { id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song', arguments: '{"sign": "WZPZ"}' },
    ]);
    expect(collected.finishReason).toBe('tool_calls');
  });

  it('gives a tool call that streamed no input the arguments {}, as OpenAI sends a call without parameters', async () => {
    const { collected } = await runAdapterStream({
      adapter: bedrockAdapter,
      frames: frames('tool-call-no-input.chunks.txt'),
    });
    expect(collected.toolCalls).toEqual([
      { id: 'tooluse_3Nw5bXbVQqKJ0lS7sGyRzA', name: 'get_time', arguments: '{}' },
      { id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song', arguments: '{"sign": "WZPZ"}' },
    ]);
  });

  it('streams reasoning text, then its signature and encrypted reasoning as thinking_blocks, with strict compliance off', async () => {
    const { events, collected } = await runAdapterStream({
      adapter: bedrockAdapter,
      frames: frames('reasoning.chunks.txt'),
      strict: false,
    });
    expect(collected.content).toBe("I'll look that up.");
    const deltas = events
      .filter((event) => event.data !== '[DONE]')
      .map(
        (event) =>
          (JSON.parse(event.data) as { choices?: { delta?: Record<string, unknown> }[] }).choices?.[0]?.delta,
      )
      .filter((delta) => delta?.reasoning_content !== undefined || delta?.thinking_blocks !== undefined);
    expect(deltas).toEqual([
      { reasoning_content: 'The user wants the top song' },
      { reasoning_content: ' for WZPZ.' },
      {
        thinking_blocks: [
          { type: 'thinking', thinking: '', signature: 'ErUBCkYIBxgCIkDbSk4x8k3rS0Ut7Jk0mQ==' },
        ],
      },
      {
        thinking_blocks: [
          { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIw' },
        ],
      },
    ]);
    const strict = await runAdapterStream({
      adapter: bedrockAdapter,
      frames: frames('reasoning.chunks.txt'),
    });
    const strictData = strict.events.map((event) => event.data).join('\n');
    expect(strictData).not.toContain('thinking_blocks');
    expect(strictData).not.toContain('reasoning_content');
  });

  it('keeps Converse’s stopReason with strict compliance off, as Portkey', async () => {
    const run = (name: string, strict: boolean) =>
      runAdapterStream({ adapter: bedrockAdapter, frames: frames(name), strict });
    expect((await run('text.chunks.txt', false)).collected.finishReason).toBe('end_turn');
    expect((await run('tool-call.chunks.txt', false)).collected.finishReason).toBe('tool_use');
    expect((await run('guardrail.chunks.txt', false)).collected.finishReason).toBe('guardrail_intervened');
    expect((await run('tool-call.chunks.txt', true)).collected.finishReason).toBe('tool_calls');
  });

  it('ends a guardrail stop with content_filter and an exception event with event: error', async () => {
    const guarded = await runAdapterStream({
      adapter: bedrockAdapter,
      frames: frames('guardrail.chunks.txt'),
    });
    expect(guarded.collected.finishReason).toBe('content_filter');
    const failed = await runAdapterStream({
      adapter: bedrockAdapter,
      frames: frames('stream-error.chunks.txt'),
    });
    expect(failed.collected.content).toBe('Hello');
    expect(failed.collected.error).toMatchObject({
      type: 'throttlingException',
      message: expect.stringContaining('Too many'),
    });
    expect(failed.collected.done).toBe(false);
  });
});
