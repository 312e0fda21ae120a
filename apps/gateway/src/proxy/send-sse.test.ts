import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { sendSse } from './send-sse.js';

const encoder = new TextEncoder();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Serves one response through `sendSse` over a real socket and returns what the client read. */
async function serve(
  makeStream: () => ReadableStream<Uint8Array>,
  options: { pingIntervalMs?: number; stopAfterMs?: number } = {},
): Promise<{ text: string; headers: Record<string, string | string[] | undefined> }> {
  const stop = new AbortController();
  const server = createServer((_request, response) => {
    void sendSse({
      response,
      stream: makeStream(),
      headers: [{ 'x-portkey-trace-id': 't-1' }],
      stop: stop.signal,
      ...(options.pingIntervalMs ? { pingIntervalMs: options.pingIntervalMs } : {}),
    });
    if (options.stopAfterMs !== undefined) setTimeout(() => stop.abort(), options.stopAfterMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    return { text: await response.text(), headers: Object.fromEntries(response.headers) };
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

describe('sendSse', () => {
  it('flushes the headers at once with X-Accel-Buffering: no, and sends the frames through', async () => {
    const { text, headers } = await serve(
      () =>
        new ReadableStream({
          start(controller) {
            controller.enqueue(encoder.encode('data: {"a":1}\n\n'));
            controller.enqueue(encoder.encode('data: [DONE]\n\n'));
            controller.close();
          },
        }),
    );
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(headers['x-accel-buffering']).toBe('no');
    expect(headers['x-portkey-trace-id']).toBe('t-1');
    expect(text).toBe('data: {"a":1}\n\ndata: [DONE]\n\n');
  });

  it('sends the headers on their own when the first piece is late', async () => {
    const server = createServer((_request, response) => {
      void sendSse({
        response,
        stream: new ReadableStream({
          async start(controller) {
            await sleep(400);
            controller.enqueue(encoder.encode('data: [DONE]\n\n'));
            controller.close();
          },
        }),
        headers: [],
        stop: new AbortController().signal,
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const started = performance.now();
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(performance.now() - started).toBeLessThan(300);
      expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(await response.text()).toBe('data: [DONE]\n\n');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('sends a ": ping" comment when the stream is idle', async () => {
    const { text } = await serve(
      () =>
        new ReadableStream({
          async start(controller) {
            controller.enqueue(encoder.encode('data: {"a":1}\n\n'));
            await sleep(200);
            controller.enqueue(encoder.encode('data: [DONE]\n\n'));
            controller.close();
          },
        }),
      { pingIntervalMs: 40 },
    );
    expect(text).toMatch(/^data: \{"a":1\}\n\n(: ping\n\n)+data: \[DONE\]\n\n$/);
  });

  it('ends a broken stream with event: error and a clean close, keeping what was sent', async () => {
    const { text } = await serve(
      () =>
        new ReadableStream({
          async start(controller) {
            controller.enqueue(encoder.encode('data: {"a":1}\n\n'));
            await sleep(20);
            controller.error(new Error('socket reset'));
          },
        }),
    );
    expect(text.startsWith('data: {"a":1}\n\n')).toBe(true);
    expect(text).toContain('event: error\ndata: {"error":');
    expect(text).toContain('"code":"PK_ERR_STREAM_INTERRUPTED"');
  });

  it('ends an open stream with event: error when the gateway must stop', async () => {
    const { text } = await serve(
      () =>
        new ReadableStream({
          start(controller) {
            controller.enqueue(encoder.encode('data: {"a":1}\n\n'));
          },
        }),
      { stopAfterMs: 50 },
    );
    expect(text).toContain('event: error');
    expect(text).toContain('the gateway is shutting down');
    expect(text).not.toContain('[DONE]');
  });
});
