import { connect } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';

// A client that sends its request a byte at a time (slowloris), through the built gateway: it gets
// 408 PK_ERR_TIMEOUT in the envelope once `limits.receive_timeout_ms` is over, and its connection
// is closed even if it keeps its side open; the answer's time never counts (a stream longer than
// the timeout, a keep-alive connection idle past it).
const RECEIVE_TIMEOUT_MS = 2000;

let upstream: MockOpenAI;
let gateway: FeatureGateway;
beforeAll(async () => {
  // A stream of about 4 s: twice the receive timeout.
  upstream = await startMockOpenAI({ chunks: 40, chunkDelayMs: 100, text: 'a'.repeat(40) });
  gateway = await startFeatureGateway({ settings: { limits: { receive_timeout_ms: RECEIVE_TIMEOUT_MS } } });
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

/** What a client that trickles its body (and never closes its side) sees. */
interface Trickled {
  /** Everything the gateway sent. */
  readonly answer: string;
  /** Milliseconds from the first byte sent until the gateway answered; undefined if it never did. */
  readonly answeredAfterMs: number | undefined;
  /** Whether the connection was closed (not only half-closed) before `giveUpMs`. */
  readonly closed: boolean;
}

/** Sends headers at once, then a space every 200 ms of a 400-byte body, for up to `giveUpMs`. */
function trickleBody(port: number, giveUpMs: number): Promise<Trickled> {
  return new Promise((resolve) => {
    // allowHalfOpen: the gateway's FIN alone does not close this side (a hostile client's choice).
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const started = Date.now();
    let answer = '';
    let answeredAfterMs: number | undefined;
    const finish = (closed: boolean): void => {
      clearInterval(trickle);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ answer, answeredAfterMs, closed });
    };
    socket.on('data', (bytes) => {
      answeredAfterMs ??= Date.now() - started;
      answer += bytes.toString();
    });
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.write(
      'POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\n' +
        'x-portkey-provider: openai\r\nauthorization: Bearer sk-slow\r\ncontent-length: 400\r\n\r\n{',
    );
    const trickle = setInterval(() => {
      if (!socket.destroyed) socket.write(' ');
    }, 200);
    const giveUp = setTimeout(() => finish(false), giveUpMs);
  });
}

describe('a client that sends its body a byte at a time', () => {
  it('gets 408 PK_ERR_TIMEOUT in the envelope once limits.receive_timeout_ms is over, and its connection is closed', async () => {
    const port = Number(new URL(gateway.url).port);
    // Without a bound, the connection stays open as long as the client trickles: 20 s here.
    const trickled = await trickleBody(port, 20_000);
    expect(trickled.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(trickled.answer).toContain('"code":"PK_ERR_TIMEOUT"');
    expect(trickled.answer).toMatch(/x-portkey-trace-id: [0-9a-f-]{36}/);
    // Not before the timeout; within it and Node's check interval (a quarter of it), with room.
    expect(trickled.answeredAfterMs).toBeGreaterThanOrEqual(RECEIVE_TIMEOUT_MS - 100);
    expect(trickled.answeredAfterMs).toBeLessThan(RECEIVE_TIMEOUT_MS + 8000);
    expect(trickled.closed, 'closed, though the client kept its side open and went on sending').toBe(true);
    // The gateway goes on serving.
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
  }, 30_000);

  it('the answer’s own time does not count: a stream twice as long as the timeout, then a request on the same connection after it', async () => {
    const openai = new OpenAI({
      baseURL: gateway.base,
      apiKey: 'sk-slow',
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` },
    });
    const started = Date.now();
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'count' }],
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('a'.repeat(40));
    expect(Date.now() - started).toBeGreaterThan(RECEIVE_TIMEOUT_MS);
    // The keep-alive connection, idle past the timeout, still carries a request.
    await new Promise((resolve) => setTimeout(resolve, RECEIVE_TIMEOUT_MS + 500));
    const answer = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'again' }],
    });
    expect(answer.choices[0]?.message.content).toBe('a'.repeat(40));
    expect(upstream.requests.get('/v1/chat/completions')).toBe(2);
  }, 30_000);
});
