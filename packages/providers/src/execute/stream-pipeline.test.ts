import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from '../anthropic/index.js';
import { openAIAdapter } from '../openai/index.js';
import { preparedChat, testContext } from '../test-support/context.js';
import { translateAdapterStream } from './stream-pipeline.js';

const chunk = (content: string) =>
  `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"${content}"},"finish_reason":null}]}\n\n`;

/** A stream through the OpenAI adapter, fed from a real Node stream the test writes to. */
function openAIStream() {
  const upstream = new PassThrough();
  const translated = translateAdapterStream({
    body: upstream,
    adapter: openAIAdapter,
    request: preparedChat('openai', { model: 'm', messages: [], stream: true }),
    context: testContext('openai', {}),
  });
  const pieces = translated.stream[Symbol.asyncIterator]();
  const text = async () => new TextDecoder().decode((await pieces.next()).value);
  return { upstream, translated, pieces, text };
}

const usageChunk =
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}\n\n';

const anthropicEvent = (type: string, data: object) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

/** A stream through the Anthropic adapter whose `message_start` reported 325 input tokens (200 cache reads, 100 writes). */
function anthropicStreamStarted() {
  const upstream = new PassThrough();
  const translated = translateAdapterStream({
    body: upstream,
    adapter: anthropicAdapter,
    request: preparedChat('anthropic', { model: 'claude-sonnet-4-20250514', messages: [], stream: true }),
    context: testContext('anthropic', {}),
  });
  const pieces = translated.stream[Symbol.asyncIterator]();
  upstream.write(
    anthropicEvent('message_start', {
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-20250514',
        content: [],
        usage: {
          input_tokens: 25,
          cache_read_input_tokens: 200,
          cache_creation_input_tokens: 100,
          output_tokens: 1,
        },
      },
    }),
  );
  return { upstream, translated, pieces };
}

describe('translateAdapterStream', () => {
  it('sends the frames of one upstream read as one piece, and ends with [DONE]', async () => {
    const { upstream, pieces, text } = openAIStream();
    upstream.write(chunk('a') + chunk('b') + chunk('c'));
    expect(await text()).toBe(chunk('a') + chunk('b') + chunk('c'));
    upstream.end('data: [DONE]\n\n');
    expect(await text()).toBe('data: [DONE]\n\n');
    expect((await pieces.next()).done).toBe(true);
  });

  it('counts the chunks handed on so far (what a client that left had received)', async () => {
    const { upstream, translated, text } = openAIStream();
    expect(translated.progress.chunks).toBe(0);
    upstream.write(chunk('a') + chunk('b'));
    await text();
    expect(translated.progress.chunks).toBe(2);
    upstream.write(chunk('c'));
    await text();
    expect(translated.progress.chunks).toBe(3);
  });

  it('holds a frame split across reads until it completes', async () => {
    const { upstream, text } = openAIStream();
    const frame = chunk('split');
    upstream.write(frame.slice(0, 20));
    const next = text();
    upstream.write(frame.slice(20));
    expect(await next).toBe(frame);
  });

  it('cancel ends a pending read at once and destroys the upstream body', async () => {
    const { upstream, translated, pieces } = openAIStream();
    const pending = pieces.next();
    const started = performance.now();
    setTimeout(() => translated.stream.cancel(new Error('the client went away')), 20);
    expect((await pending).done).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
    expect(upstream.destroyed).toBe(true);
    expect(await translated.usage).toBeUndefined();
  });

  it('releases the upstream when the reader stops early', async () => {
    const { upstream, translated } = openAIStream();
    upstream.write(chunk('a'));
    for await (const piece of translated.stream) {
      expect(new TextDecoder().decode(piece)).toContain('"a"');
      break;
    }
    expect(upstream.destroyed).toBe(true);
  });

  it('after an in-band error sends event: error, no [DONE], and lets go of the upstream', async () => {
    const { upstream, pieces, text } = openAIStream();
    upstream.write(
      `${chunk('a')}data: {"error":{"message":"overloaded","type":"server_error"}}\n\n${chunk('b')}`,
    );
    const sent = await text();
    expect(sent).toContain('"a"');
    expect(sent).toContain('event: error\ndata: {"error":{"message":"overloaded"');
    expect(sent).not.toContain('"b"');
    expect((await pieces.next()).done).toBe(true);
    expect(upstream.destroyed).toBe(true);
  });

  it('turns a broken upstream body into PK_ERR_STREAM_INTERRUPTED after what was sent', async () => {
    const { upstream, pieces, text } = openAIStream();
    upstream.write(chunk('a'));
    expect(await text()).toContain('"a"');
    upstream.destroy(new Error('socket reset'));
    const last = await text();
    expect(last).toContain('event: error');
    expect(last).toContain('PK_ERR_STREAM_INTERRUPTED');
    expect((await pieces.next()).done).toBe(true);
  });

  describe('the usage reported before a stream ended short', () => {
    it('a body cut after message_start keeps Anthropic’s input tokens as partialUsage, the usage itself undefined', async () => {
      const { upstream, translated, pieces } = anthropicStreamStarted();
      await pieces.next();
      upstream.destroy(new Error('socket reset'));
      for (let piece = await pieces.next(); !piece.done; piece = await pieces.next());
      expect(await translated.usage).toBeUndefined();
      expect(translated.progress.partialUsage).toMatchObject({
        prompt_tokens: 325,
        completion_tokens: 1,
        prompt_tokens_details: { cached_tokens: 200 },
        cache_creation_input_tokens: 100,
      });
    });

    it('a consumer that cancels keeps the output a message_delta reported so far', async () => {
      const { upstream, translated, pieces } = anthropicStreamStarted();
      upstream.write(
        anthropicEvent('message_delta', { delta: { stop_reason: null }, usage: { output_tokens: 9 } }),
      );
      await pieces.next();
      translated.stream.cancel(new Error('the client went away'));
      expect(await translated.usage).toBeUndefined();
      expect(translated.progress.partialUsage).toMatchObject({ prompt_tokens: 325, completion_tokens: 9 });
    });

    it('an OpenAI stream cut after its usage chunk, before [DONE], keeps that usage', async () => {
      const { upstream, translated, pieces, text } = openAIStream();
      upstream.write(chunk('a') + usageChunk);
      await text();
      upstream.destroy(new Error('socket reset'));
      expect(await text()).toContain('PK_ERR_STREAM_INTERRUPTED');
      expect((await pieces.next()).done).toBe(true);
      expect(await translated.usage).toBeUndefined();
      expect(translated.progress.partialUsage).toEqual({
        prompt_tokens: 7,
        completion_tokens: 3,
        total_tokens: 10,
      });
    });

    it('a stream cut before any usage, or one that ended whole, has no partialUsage', async () => {
      const cut = openAIStream();
      cut.upstream.write(chunk('a'));
      await cut.text();
      cut.upstream.destroy(new Error('socket reset'));
      await cut.text();
      expect((await cut.pieces.next()).done).toBe(true);
      expect(await cut.translated.usage).toBeUndefined();
      expect(cut.translated.progress.partialUsage).toBeUndefined();
      const whole = openAIStream();
      whole.upstream.end(`${chunk('a')}${usageChunk}data: [DONE]\n\n`);
      for await (const _piece of whole.translated.stream);
      expect(await whole.translated.usage).toEqual({
        prompt_tokens: 7,
        completion_tokens: 3,
        total_tokens: 10,
      });
      expect(whole.translated.progress.partialUsage).toBeUndefined();
    });
  });
});
