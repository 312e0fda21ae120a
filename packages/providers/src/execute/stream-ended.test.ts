import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from '../anthropic/index.js';
import { bedrockAdapter } from '../bedrock/index.js';
import { cohereAdapter } from '../cohere/index.js';
import { anthropicMessagesDialect } from '../dialects/anthropic-messages/index.js';
import { openAIResponsesDialect } from '../dialects/openai-responses/index.js';
import { googleAdapter } from '../google/index.js';
import { openAIAdapter } from '../openai/index.js';
import { getProviderAdapter } from '../registry/registry.js';
import type { ProviderAdapter } from '../spec/provider-adapter.js';
import { bedrockFramesFromChunks } from '../test-support/bedrock-frames.js';
import { dialectTestContext } from '../test-support/context.js';
import {
  readChunkFixture,
  readFixtureText,
  sseFramesFromChunks,
  type WireFormat,
} from '../test-support/fixtures.js';
import { runDialectStream } from '../test-support/run-dialect-stream.js';
import { runAdapterStream } from '../test-support/run-stream.js';

// A connection that breaks after the vendor's stream ended in its own terms (OpenAI's `[DONE]`,
// Anthropic's `message_stop`, Gemini's finish reason, Bedrock's `messageStop`/`metadata`, Cohere's
// `message-end`) lost nothing: the client's stream is the one an unbroken body gives, `[DONE]` and
// usage included, with no error. Each case runs the vendor's recorded stream twice, ended and broken.

/** The vendor's frames for a fixture, as its wire format frames them. */
function framesOf(folder: string, format: WireFormat | 'bedrock', name: string): (string | Uint8Array)[] {
  const lines = readChunkFixture(folder, name);
  return format === 'bedrock' ? bedrockFramesFromChunks(lines) : sseFramesFromChunks(lines, format);
}

const chatCases: readonly {
  readonly vendor: string;
  readonly adapter: ProviderAdapter;
  readonly format: WireFormat;
  readonly terminal: string;
}[] = [
  { vendor: 'OpenAI', adapter: openAIAdapter, format: 'openai', terminal: '[DONE]' },
  { vendor: 'Anthropic', adapter: anthropicAdapter, format: 'anthropic', terminal: 'message_stop' },
  { vendor: 'Gemini', adapter: googleAdapter, format: 'google', terminal: 'its finish reason' },
  { vendor: 'Bedrock', adapter: bedrockAdapter, format: 'bedrock', terminal: 'metadata' },
  { vendor: 'Cohere', adapter: cohereAdapter, format: 'cohere', terminal: 'message-end' },
];

describe('a chat stream whose body breaks after the vendor’s own end', () => {
  it.each(chatCases)(
    '$vendor, broken after $terminal: the whole stream, [DONE] and usage, no error',
    async ({ adapter, format }) => {
      for (const fixture of ['text.chunks.txt', 'tool-call.chunks.txt']) {
        const frames = framesOf(adapter.id, format, fixture);
        const whole = await runAdapterStream({ adapter, frames, includeUsage: true });
        const broken = await runAdapterStream({ adapter, frames, includeUsage: true, end: 'breaks' });
        expect(whole.collected.done).toBe(true);
        expect(whole.usage).toBeDefined();
        expect(broken.events).toEqual(whole.events);
        expect(broken.usage).toEqual(whole.usage);
        expect(broken.error).toBeUndefined();
        expect(broken.partialUsage).toBeUndefined();
      }
    },
  );

  it.each(chatCases)(
    '$vendor, broken before $terminal: still PK_ERR_STREAM_INTERRUPTED',
    async ({ adapter, format }) => {
      const frames = framesOf(adapter.id, format, 'text.chunks.txt');
      const cut = frames.slice(0, format === 'openai' || format === 'bedrock' ? -2 : -1);
      const broken = await runAdapterStream({ adapter, frames: cut, end: 'breaks' });
      expect(broken.events.at(-1)?.event).toBe('error');
      expect(broken.error).toMatchObject({ code: 'PK_ERR_STREAM_INTERRUPTED' });
      expect(broken.usage).toBeUndefined();
    },
  );

  it('Azure AI with strict compliance (its filter-only first chunk dropped), broken after [DONE]: the whole stream, no error', async () => {
    const adapter = getProviderAdapter('azure-ai');
    const filterOnly =
      'data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}]}\n\n';
    const frames = [
      filterOnly,
      ...readFixtureText('openai-compatible', 'azure-ai/stream.sse').split(/(?<=\n\n)/),
    ];
    const whole = await runAdapterStream({ adapter, frames, includeUsage: true });
    const broken = await runAdapterStream({ adapter, frames, includeUsage: true, end: 'breaks' });
    expect(whole.collected.done).toBe(true);
    expect(broken.events).toEqual(whole.events);
    expect(broken.usage).toEqual(whole.usage);
    expect(broken.error).toBeUndefined();
  });

  it('Bedrock, broken after messageStop and before metadata: whole (as a body that ends there), without usage', async () => {
    const frames = framesOf('bedrock', 'bedrock', 'text.chunks.txt').slice(0, -1);
    const ended = await runAdapterStream({ adapter: bedrockAdapter, frames });
    const broken = await runAdapterStream({ adapter: bedrockAdapter, frames, end: 'breaks' });
    expect(broken.events).toEqual(ended.events);
    expect(broken.collected).toMatchObject({ finishReason: 'stop', done: true });
    expect(broken.error).toBeUndefined();
  });

  it('Gemini asked for two candidates, broken after the first one’s finish reason only: interrupted', async () => {
    const frames = framesOf('google', 'google', 'text.chunks.txt');
    const broken = await runAdapterStream({
      adapter: googleAdapter,
      frames,
      body: { n: 2 },
      end: 'breaks',
    });
    expect(broken.error).toMatchObject({ code: 'PK_ERR_STREAM_INTERRUPTED' });
  });
});

describe('a dialect stream whose body breaks after the vendor’s own end', () => {
  it('native Messages (Anthropic), broken after message_stop: the events as sent, the usage, no error event', async () => {
    const lines = readChunkFixture('anthropic', 'tool-call.chunks.txt');
    const run = (end: 'ends' | 'breaks') =>
      runDialectStream({
        dialect: anthropicMessagesDialect,
        context: dialectTestContext('anthropic', {}),
        frames: sseFramesFromChunks(lines, 'anthropic'),
        end,
      });
    const whole = await run('ends');
    const broken = await run('breaks');
    expect(broken.events.map((event) => event.data)).toEqual(lines);
    expect(broken.text).toBe(whole.text);
    expect(broken.usage).toEqual(whole.usage);
    expect(broken.usage).toMatchObject({ prompt_tokens: 472, completion_tokens: 89 });
    expect(broken.error).toBeUndefined();
  });

  it.each([
    { vendor: 'Gemini', adapter: googleAdapter, format: 'google' as const },
    { vendor: 'Bedrock', adapter: bedrockAdapter, format: 'bedrock' as const },
    { vendor: 'Cohere', adapter: cohereAdapter, format: 'cohere' as const },
  ])(
    'Messages and Responses translated from $vendor, broken after its end: closed with message_stop / response.completed',
    async ({ adapter, format }) => {
      const frames = framesOf(adapter.id, format, 'text.chunks.txt');
      for (const dialect of [anthropicMessagesDialect, openAIResponsesDialect]) {
        const run = (end: 'ends' | 'breaks') =>
          runDialectStream({
            dialect,
            context: dialectTestContext(adapter.id, {}),
            adapter,
            request: { model: 'm' },
            frames,
            end,
          });
        const whole = await run('ends');
        const broken = await run('breaks');
        expect(broken.events.map((event) => event.event)).toEqual(whole.events.map((event) => event.event));
        expect(broken.events.at(-1)?.event).toMatch(/^(message_stop|response\.completed)$/);
        expect(broken.usage).toEqual(whole.usage);
        expect(broken.error).toBeUndefined();
      }
    },
  );
});
