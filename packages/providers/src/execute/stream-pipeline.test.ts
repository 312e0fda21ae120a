import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
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
});
