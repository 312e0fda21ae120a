import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from '../../anthropic/index.js';
import { azureOpenAIAdapter } from '../../azure-openai/index.js';
import { bedrockAdapter } from '../../bedrock/index.js';
import { openAIAdapter } from '../../openai/index.js';
import { getProviderAdapter } from '../../registry/registry.js';
import { bedrockFramesFromChunks } from '../../test-support/bedrock-frames.js';
import { dialectTestContext } from '../../test-support/context.js';
import { readChunkFixture, sseFramesFromChunks } from '../../test-support/fixtures.js';
import { runDialectStream } from '../../test-support/run-dialect-stream.js';
import { createMessagesStreamAccumulator } from './accumulator.js';
import { anthropicMessagesDialect } from './index.js';

async function messageOf(chunks: readonly Uint8Array[]) {
  const accumulator = createMessagesStreamAccumulator();
  for (const chunk of chunks) accumulator.push(chunk);
  return accumulator.result();
}

describe('Messages stream translated from chat chunks', () => {
  it('OpenAI text: message_start, ping, one text block, message_delta with the whole usage, message_stop', async () => {
    const frames = sseFramesFromChunks(readChunkFixture('openai', 'text.chunks.txt'), 'openai');
    const { events, chunks, usage } = await runDialectStream({
      dialect: anthropicMessagesDialect,
      adapter: openAIAdapter,
      context: dialectTestContext('openai', {}),
      frames,
    });
    expect(events.map((event) => event.event)).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    for (const event of events) expect(JSON.parse(event.data).type).toBe(event.event);
    expect(await messageOf(chunks)).toEqual({
      id: 'chatcmpl-123',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-mini',
      content: [{ type: 'text', text: 'Hello! How can I help?' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 9,
        output_tokens: 3,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
    expect(usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 3 });
  });

  it('OpenAI tool call: a tool_use block with input_json_delta fragments and stop_reason tool_use', async () => {
    const frames = sseFramesFromChunks(readChunkFixture('openai', 'tool-call.chunks.txt'), 'openai');
    const { chunks, events } = await runDialectStream({
      dialect: anthropicMessagesDialect,
      adapter: openAIAdapter,
      context: dialectTestContext('openai', {}),
      frames,
    });
    expect(events.filter((event) => event.data.includes('input_json_delta')).length).toBe(5);
    expect(await messageOf(chunks)).toMatchObject({
      content: [
        {
          type: 'tool_use',
          id: 'call_abc123',
          name: 'get_current_weather',
          input: { location: 'Boston, MA' },
        },
      ],
      stop_reason: 'tool_use',
      // cached prompt tokens move to cache_read_input_tokens
      usage: { input_tokens: 18, output_tokens: 17, cache_read_input_tokens: 64 },
    });
  });

  it('calls whose arguments arrive interleaved each keep their input, one block after the other', async () => {
    const frames = sseFramesFromChunks(
      readChunkFixture('openai', 'interleaved-tool-calls.chunks.txt'),
      'openai',
    );
    const { chunks, events } = await runDialectStream({
      dialect: anthropicMessagesDialect,
      adapter: openAIAdapter,
      context: dialectTestContext('openai', {}),
      frames,
    });
    // Each block started, given its deltas and stopped before the next starts.
    const trail = events
      .map((event) => JSON.parse(event.data) as { type: string; index?: number })
      .filter((event) => event.type.startsWith('content_block'))
      .map((event) => `${event.type} ${event.index}`);
    expect(trail).toEqual([
      'content_block_start 0',
      'content_block_delta 0',
      'content_block_delta 0',
      'content_block_stop 0',
      'content_block_start 1',
      'content_block_delta 1',
      'content_block_stop 1',
    ]);
    expect(await messageOf(chunks)).toMatchObject({
      content: [
        { type: 'tool_use', id: 'call_AAA', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_BBB', name: 'get_time', input: { tz: 'CET' } },
      ],
      stop_reason: 'tool_use',
    });
  });

  it('a streamed refusal is the text, and the turn ends as a refusal', async () => {
    const frames = sseFramesFromChunks(readChunkFixture('openai', 'refusal.chunks.txt'), 'openai');
    const { chunks } = await runDialectStream({
      dialect: anthropicMessagesDialect,
      adapter: openAIAdapter,
      context: dialectTestContext('openai', {}),
      frames,
    });
    expect(await messageOf(chunks)).toMatchObject({
      content: [{ type: 'text', text: "I'm sorry, I cannot assist with that request." }],
      stop_reason: 'refusal',
    });
  });

  it('reasoning from a translated provider becomes a thinking block with its signature', async () => {
    const frames = sseFramesFromChunks(readChunkFixture('anthropic', 'thinking.chunks.txt'), 'anthropic');
    const { chunks } = await runDialectStream({
      dialect: anthropicMessagesDialect,
      adapter: anthropicAdapter,
      context: dialectTestContext('anthropic', {}),
      frames,
    });
    const message = (await messageOf(chunks)) as { content: Record<string, unknown>[] };
    expect(message.content).toEqual([
      {
        type: 'thinking',
        thinking: 'Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3',
        signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds...',
      },
      { type: 'text', text: '27 * 453 = 12,231' },
    ]);
  });

  it('Bedrock Converse tool use through its binary event stream', async () => {
    const { chunks } = await runDialectStream({
      dialect: anthropicMessagesDialect,
      adapter: bedrockAdapter,
      context: dialectTestContext('bedrock', {}),
      frames: bedrockFramesFromChunks(readChunkFixture('bedrock', 'tool-call.chunks.txt')),
    });
    expect(await messageOf(chunks)).toMatchObject({
      content: [
        { type: 'tool_use', id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song', input: { sign: 'WZPZ' } },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 375, output_tokens: 36 },
    });
  });

  it('Azure’s asynchronous filter annotations (a choice with no delta) carry nothing and break nothing', async () => {
    const { events, chunks } = await runDialectStream({
      dialect: anthropicMessagesDialect,
      adapter: azureOpenAIAdapter,
      context: dialectTestContext('azure-openai', {}),
      frames: sseFramesFromChunks(readChunkFixture('azure-openai', 'async-filter.chunks.txt'), 'openai'),
    });
    expect(events.map((event) => event.event)).not.toContain('error');
    expect(await messageOf(chunks)).toMatchObject({
      id: 'chatcmpl-AJ5cA',
      content: [{ type: 'text', text: 'Color is blue.' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 31, output_tokens: 4 },
    });
  });

  it('a provider error mid-stream becomes Anthropic’s error event and ends the stream', async () => {
    const frames = sseFramesFromChunks(readChunkFixture('openai', 'stream-error.chunks.txt'), 'openai');
    const { events, chunks } = await runDialectStream({
      dialect: anthropicMessagesDialect,
      adapter: openAIAdapter,
      context: dialectTestContext('openai', {}),
      frames,
    });
    const last = events.at(-1);
    expect(last?.event).toBe('error');
    expect(JSON.parse(last?.data ?? '')).toEqual({
      type: 'error',
      error: {
        type: 'api_error',
        message: 'The server had an error while processing your request. Sorry about that!',
      },
    });
    expect(events.map((event) => event.event)).not.toContain('message_stop');
    expect(await messageOf(chunks)).toBeUndefined();
  });

  it('OpenRouter’s mid-stream error chunk ends the stream with Anthropic’s error event, not a cut-short success', async () => {
    const { events, chunks } = await runDialectStream({
      dialect: anthropicMessagesDialect,
      adapter: getProviderAdapter('openrouter'),
      context: dialectTestContext('openrouter', {}),
      frames: sseFramesFromChunks(
        readChunkFixture('openai-compatible', 'openrouter/stream-error.chunks.txt'),
        'openai',
      ),
    });
    expect(events.at(-1)?.event).toBe('error');
    expect(JSON.parse(events.at(-1)?.data ?? '').error).toMatchObject({ message: 'Provider disconnected' });
    expect(events.map((event) => event.event)).not.toContain('message_stop');
    expect(await messageOf(chunks)).toBeUndefined();
  });

  it('a stream cut before its end is PK_ERR_STREAM_INTERRUPTED in Anthropic’s shape', async () => {
    const lines = readChunkFixture('openai', 'text.chunks.txt').filter((line) => line !== '[DONE]');
    const { events, partialUsage } = await runDialectStream({
      dialect: anthropicMessagesDialect,
      adapter: openAIAdapter,
      context: dialectTestContext('openai', {}),
      frames: sseFramesFromChunks(lines, 'openai'),
    });
    expect(events.at(-1)?.event).toBe('error');
    expect(JSON.parse(events.at(-1)?.data ?? '').error).toMatchObject({
      type: 'api_error',
      code: 'PK_ERR_STREAM_INTERRUPTED',
    });
    // The usage chunk came before the cut: the inner transformer’s usage so far reaches the pipeline.
    expect(partialUsage).toMatchObject({ prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 });
  });
});
