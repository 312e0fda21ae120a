import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type GatewayProcess, startGateway } from './server-process.js';
import { textLine } from './support/output-lines.js';
import { temporaryDataDir } from './support/store-fixtures.js';

// SIGTERM as orchestrators send it: in-flight streams finish, new requests get 503, exit 0.
let upstream: MockOpenAI;
const running: GatewayProcess[] = [];
beforeAll(async () => {
  // 20 pieces 100 ms apart: a stream of about 2 s.
  upstream = await startMockOpenAI({ chunks: 20, chunkDelayMs: 100, text: 'abcdefghijklmnopqrst' });
});
afterAll(async () => {
  for (const gateway of running) gateway.child.kill('SIGKILL');
  await upstream.close();
});

const providerHeaders = () => ({
  'content-type': 'application/json',
  'x-portkey-provider': 'openai',
  authorization: 'Bearer sk-shutdown-test',
  'x-portkey-custom-host': `${upstream.url}/v1`,
});

/** The request line of a trace id in the gateway's output. */
function lineOf(gateway: GatewayProcess, traceId: string): Record<string, unknown> | undefined {
  const line = gateway
    .output()
    .split('\n')
    .find((text) => text.includes(`"traceId":"${traceId}"`) && text.includes('"path"'));
  return line === undefined ? undefined : (JSON.parse(line) as Record<string, unknown>);
}

/** A chat request on a keep-alive connection (as the SDKs send them), resolving to its status or error. */
function keepAliveChat(
  gateway: GatewayProcess,
  agent: Agent,
  model: string,
  traceId: string,
): Promise<{ status?: number; connection?: string; error?: string }> {
  return new Promise((resolve) => {
    const call = request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      agent,
      headers: { ...providerHeaders(), 'x-portkey-trace-id': traceId },
    });
    call.on('response', (response) => {
      response.resume();
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, connection: String(response.headers.connection) }),
      );
    });
    call.on('error', (error) => resolve({ error: error.message }));
    call.end(JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }));
  });
}

async function openStream(
  gateway: GatewayProcess,
  traceId?: string,
): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      ...(traceId === undefined ? {} : { 'x-portkey-trace-id': traceId }),
      'content-type': 'application/json',
      'x-portkey-provider': 'openai',
      authorization: 'Bearer sk-shutdown-test',
      'x-portkey-custom-host': `${upstream.url}/v1`,
    },
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'count' }],
    }),
  });
  expect(response.status).toBe(200);
  const reader = response.body?.getReader();
  if (!reader) throw new Error('no body');
  return reader;
}

async function readAll(reader: ReadableStreamDefaultReader<Uint8Array>, first = ''): Promise<string> {
  const decoder = new TextDecoder();
  let text = first;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += decoder.decode(value, { stream: true });
  }
}

describe('SIGTERM', () => {
  it('lets a 2 s stream complete, answers new requests 503 + connection: close, then exits 0', async () => {
    const gateway = await startGateway();
    running.push(gateway);
    const reader = await openStream(gateway);
    const first = new TextDecoder().decode((await reader.read()).value);
    gateway.child.kill('SIGTERM');
    // Asked once the gateway said it drains (not after a fixed wait a loaded machine can outlast).
    await gateway.waitForLine(textLine('draining: new requests get 503'));
    const refused = await fetch(`${gateway.url}/health`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('connection')).toBe('close');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('PK_ERR_SHUTTING_DOWN');
    const text = await readAll(reader, first);
    const content = [...text.matchAll(/"content":"([^"]*)"/g)].map((match) => match[1]).join('');
    expect(content).toBe('abcdefghijklmnopqrst');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(text).not.toContain('event: error');
    expect(await gateway.exited).toBe(0);
  });

  it('ends a Responses stream still open after PK_SHUTDOWN_TIMEOUT_MS with an error event numbered after the events sent', async () => {
    const gateway = await startGateway({ PK_SHUTDOWN_TIMEOUT_MS: '300' });
    running.push(gateway);
    // Groq has no Responses API: the stream is translated from the mock's chat chunks.
    const openai = new OpenAI({
      baseURL: `${gateway.url}/v1`,
      apiKey: 'sk-shutdown-test',
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-provider': 'groq', 'x-portkey-custom-host': `${upstream.url}/v1` },
    });
    const raw = await openai.responses
      .create({ model: 'llama-3.1-8b-instant', input: 'count', stream: true })
      .asResponse();
    const reader = raw.body?.getReader();
    if (!reader) throw new Error('no body');
    const first = new TextDecoder().decode((await reader.read()).value);
    gateway.child.kill('SIGTERM');
    const text = await readAll(reader, first);
    const events = [...text.matchAll(/^data: (.*)$/gm)].map(
      (line) => JSON.parse(line[1] ?? '{}') as { type: string; sequence_number: number },
    );
    expect(events.at(-1)).toMatchObject({ type: 'error', message: 'the gateway is shutting down' });
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_event, index) => index));
    expect(await gateway.exited).toBe(0);
  });

  it('ends streams still open after PK_SHUTDOWN_TIMEOUT_MS with event: error, logged as such, then exits 0', async () => {
    const dataDir = temporaryDataDir();
    const gateway = await startGateway({ PK_SHUTDOWN_TIMEOUT_MS: '300', PK_DATA_DIR: dataDir.path });
    running.push(gateway);
    const reader = await openStream(gateway, 'cut-by-shutdown');
    await reader.read();
    gateway.child.kill('SIGTERM');
    const text = await readAll(reader);
    expect(text).toContain('event: error');
    expect(text).toContain('the gateway is shutting down');
    expect(text).not.toContain('data: [DONE]');
    expect(await gateway.exited).toBe(0);
    // Its line keeps the 200 that was sent, with the error the client got: not a success.
    const line = gateway
      .output()
      .split('\n')
      .find((text) => text.includes('"streamChunks"'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ status: 200, errorCode: 'PK_ERR_STREAM_INTERRUPTED' });
    // Its stored record, read through the logs API of the next start, says what the client saw.
    try {
      const next = await startGateway({ PK_DATA_DIR: dataDir.path });
      running.push(next);
      const response = await fetch(`${next.url}/v1/logs?trace_id=cut-by-shutdown`);
      expect(response.status).toBe(200);
      const { data } = (await response.json()) as { data: Record<string, unknown>[] };
      expect(data).toEqual([
        expect.objectContaining({
          status: 200,
          error_code: 'PK_ERR_STREAM_INTERRUPTED',
          error_message: 'the gateway is shutting down',
        }),
      ]);
      next.child.kill('SIGTERM');
      expect(await next.exited).toBe(0);
    } finally {
      dataDir.remove();
    }
  });

  it('a second signal ends the drain at once: the open stream ends with an error, the request still waiting is ended, both are stored, exit 0', async () => {
    // A stream of about 40 s and an answer 60 s away, both far beyond the second signal.
    const long = await startMockOpenAI({ chunks: 400, chunkDelayMs: 100, text: 'x'.repeat(400) });
    const dataDir = temporaryDataDir();
    try {
      const gateway = await startGateway({ PK_SHUTDOWN_TIMEOUT_MS: '60000', PK_DATA_DIR: dataDir.path });
      running.push(gateway);
      const openai = new OpenAI({
        baseURL: `${gateway.url}/v1`,
        apiKey: 'sk-shutdown-test',
        maxRetries: 0,
        defaultHeaders: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${long.url}/v1` },
      });
      const messages = [{ role: 'user' as const, content: 'count' }];
      const stream = await openai.chat.completions.create(
        { model: 'gpt-4o-mini', stream: true, messages },
        { headers: { 'x-portkey-trace-id': 'stream-cut-by-second-signal' } },
      );
      const chunks = stream[Symbol.asyncIterator]();
      expect((await chunks.next()).done).toBe(false);
      const waiting = openai.chat.completions
        .create(
          { model: 'slow-60000', messages },
          { headers: { 'x-portkey-trace-id': 'waiting-cut-by-second-signal' } },
        )
        .then(
          () => 'answered',
          (error: unknown) => error,
        );
      await vi.waitFor(() => expect(long.requests.get('/v1/chat/completions') ?? 0).toBe(2), {
        timeout: 10_000,
        interval: 20,
      });
      gateway.child.kill('SIGTERM');
      await gateway.waitForLine(textLine('draining: new requests get 503'));
      const secondSignal = Date.now();
      gateway.child.kill('SIGINT');
      const streamEnd = await (async () => {
        try {
          for (;;) if ((await chunks.next()).done) return 'completed';
        } catch (error) {
          return error;
        }
      })();
      expect(streamEnd, 'the stream ends with the error event, not its end').toMatchObject({
        message: expect.stringContaining('the gateway is shutting down'),
      });
      expect(await waiting, 'the request still waiting loses its connection').toBeInstanceOf(
        OpenAI.APIConnectionError,
      );
      expect(await gateway.exited).toBe(0);
      // The second signal's moment, not the 60 s drain nor the 40 s stream.
      expect(Date.now() - secondSignal).toBeLessThan(10_000);
      expect(gateway.output()).toContain('second signal: ending the drain now');
      // Both records were written before the exit: the next start serves them.
      const next = await startGateway({ PK_DATA_DIR: dataDir.path });
      running.push(next);
      const recordOf = async (traceId: string): Promise<unknown> => {
        const response = await fetch(`${next.url}/v1/logs?trace_id=${traceId}`);
        return ((await response.json()) as { data: unknown[] }).data;
      };
      expect(await recordOf('stream-cut-by-second-signal')).toEqual([
        expect.objectContaining({ status: 200, error_code: 'PK_ERR_STREAM_INTERRUPTED' }),
      ]);
      expect(await recordOf('waiting-cut-by-second-signal')).toEqual([
        expect.objectContaining({ status: 499, error_code: 'PK_ERR_SHUTTING_DOWN' }),
      ]);
      next.child.kill('SIGTERM');
      expect(await next.exited).toBe(0);
    } finally {
      await long.close();
      dataDir.remove();
    }
  }, 60_000);

  it('a keep-alive connection idle at SIGTERM and used during the drain gets 503 + connection: close, not a reset under the client', async () => {
    // Two replicas under load, one stopped: closing idle keep-alive connections during the drain
    // raced with the clients reusing them (a request written as the server closed its socket), so
    // some POSTs failed with ECONNRESET / "other side closed", which no client can tell from a
    // request lost mid-way. A connection used during the drain is answered and closed by that answer.
    const gateway = await startGateway();
    running.push(gateway);
    const { port } = new URL(gateway.url);
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
    });
    const closed = new Promise<void>((resolve) => {
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
    socket.write('GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: keep-alive\r\n\r\n');
    await vi.waitFor(() => expect(received).toContain('{"status":"ok"}'), { timeout: 5000, interval: 10 });
    received = '';
    // A stream keeps the drain going while the idle connection is used.
    const reader = await openStream(gateway);
    gateway.child.kill('SIGTERM');
    await gateway.waitForLine(textLine('draining: new requests get 503'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.write('GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: keep-alive\r\n\r\n');
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 503 /);
    expect(received.toLowerCase()).toContain('connection: close');
    expect(received).toContain('PK_ERR_SHUTTING_DOWN');
    await readAll(reader);
    expect(await gateway.exited).toBe(0);
  });

  it('keep-alive clients do not hold the process: an answer in the drain is sent, one still waited for at the deadline is ended, exit 0 in time', async () => {
    const gateway = await startGateway({ PK_SHUTDOWN_TIMEOUT_MS: '2000' });
    running.push(gateway);
    const agent = new Agent({ keepAlive: true });
    // Warm the keep-alive connection first, as a client that sent earlier requests has.
    expect((await keepAliveChat(gateway, agent, 'gpt-4o-mini', 'warm')).status).toBe(200);
    const chatsBefore = upstream.requests.get('/v1/chat/completions') ?? 0;
    const answered = keepAliveChat(gateway, agent, 'slow-1200', 'answered-in-drain');
    const waited = keepAliveChat(gateway, agent, 'slow-8000', 'past-the-deadline');
    // Both in flight before the signal (a new connection for the second): the upstream has both.
    await vi.waitFor(() => expect(upstream.requests.get('/v1/chat/completions') ?? 0).toBe(chatsBefore + 2), {
      timeout: 10_000,
      interval: 20,
    });
    const signalled = Date.now();
    gateway.child.kill('SIGTERM');
    expect(await answered).toMatchObject({ status: 200 });
    const waitedResult = await waited;
    expect(waitedResult, 'ended at the deadline, not answered').toMatchObject({ error: expect.any(String) });
    expect(await gateway.exited).toBe(0);
    // The deadline (2 s) and the close, not the keep-alive timeout (72 s) nor the slow answer (8 s).
    expect(Date.now() - signalled).toBeLessThan(4500);
    expect(lineOf(gateway, 'past-the-deadline')).toMatchObject({
      status: 499,
      errorCode: 'PK_ERR_SHUTTING_DOWN',
    });
    agent.destroy();
  });

  it('a connection that never sent a request (a browser’s preconnect, a balancer’s spare) does not hold the process: exit 0 at once', async () => {
    const gateway = await startGateway();
    running.push(gateway);
    const { port } = new URL(gateway.url);
    const spare = connect(Number(port), '127.0.0.1');
    await once(spare, 'connect');
    const closedBy = new Promise<string>((resolve) => {
      spare.on('close', () => resolve('closed'));
      spare.on('error', () => resolve('closed'));
    });
    // A request served first, so the exit has something to write.
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    const signalled = Date.now();
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    // Not the headers timeout (60 s) Node waits for a connection that sends nothing.
    expect(Date.now() - signalled).toBeLessThan(5000);
    expect(await closedBy).toBe('closed');
  });
});
