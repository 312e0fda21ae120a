import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseResponses, rawExchange } from '../test/support/raw-http.js';
import {
  answerExpectationFailed,
  createClientErrorHandler,
  type ParserRefusal,
  parserRefusalReason,
} from './client-error.js';

let server: Server | undefined;
/** What the handler reported of each refusal, in order. */
let refused: ParserRefusal[] = [];
afterEach(async () => {
  refused = [];
  const running = server;
  server = undefined;
  if (running === undefined) return;
  running.closeAllConnections();
  await new Promise((resolve) => running.close(resolve));
});

/** A bare Node server answering its parser's errors as the gateway does. */
async function serve(options: { requestTimeout?: number; answerAtOnce?: boolean } = {}): Promise<number> {
  const created = createServer(
    {
      requestTimeout: options.requestTimeout ?? 300_000,
      connectionsCheckingInterval: 50,
      maxHeaderSize: 1024,
    },
    (request, response) => {
      request.resume();
      if (options.answerAtOnce) response.end('ok');
      else request.on('end', () => response.end('ok'));
    },
  );
  server = created;
  created.on(
    'clientError',
    createClientErrorHandler((refusal) => refused.push(refusal)),
  );
  created.on('checkExpectation', answerExpectationFailed);
  await new Promise<void>((resolve) => created.listen(0, '127.0.0.1', resolve));
  return (created.address() as AddressInfo).port;
}

const envelope = (code: string, param: string | null = null) => ({
  error: { message: expect.any(String), type: expect.any(String), param, code },
});

describe("answers to the HTTP parser's own errors", () => {
  it('a request line that is not HTTP: 400 in the envelope with a trace id', async () => {
    const [answer] = await rawExchange(await serve(), 'HELLO\r\n\r\n');
    expect(answer).toMatchObject({ status: 400, body: envelope('PK_ERR_INVALID_REQUEST') });
    expect(answer?.traceId).toMatch(/^[\w-]{36}$/);
  });

  it('headers over the limit: 431', async () => {
    const [answer] = await rawExchange(
      await serve(),
      `GET / HTTP/1.1\r\nHost: a\r\nx: ${'a'.repeat(4096)}\r\n\r\n`,
    );
    expect(answer).toMatchObject({ status: 431, body: envelope('PK_ERR_INVALID_REQUEST') });
  });

  it('a request that does not arrive in time: 408 PK_ERR_TIMEOUT', async () => {
    const port = await serve({ requestTimeout: 200 });
    const [answer] = await rawExchange(port, 'POST / HTTP/1.1\r\nHost: a\r\ncontent-length: 10\r\n\r\n{');
    expect(answer).toMatchObject({ status: 408, body: envelope('PK_ERR_TIMEOUT') });
    expect(answer?.headers?.['x-should-retry']).toBe('false');
  });

  it('an Expect other than 100-continue: 417', async () => {
    const [answer] = await rawExchange(await serve(), 'GET / HTTP/1.1\r\nHost: a\r\nExpect: nope\r\n\r\n');
    expect(answer).toMatchObject({ status: 417, body: envelope('PK_ERR_INVALID_REQUEST', 'expect') });
    expect(answer?.traceId).toMatch(/^[\w-]{36}$/);
  });

  it('bad chunking after the route already answered: that answer only, then the connection closes', async () => {
    const answers = await rawExchange(
      await serve({ answerAtOnce: true }),
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n0\r\n\r\n',
    );
    expect(answers.map((answer) => answer.status)).toEqual([200]);
  });

  it('bad chunking before any answer: 400 in the envelope', async () => {
    const [answer, ...more] = await rawExchange(
      await serve(),
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n0\r\n\r\n',
    );
    expect(answer).toMatchObject({ status: 400, body: envelope('PK_ERR_INVALID_REQUEST') });
    expect(more).toEqual([]);
  });

  it('reports each refusal with its reason, status, the answer’s trace id and the remote address', async () => {
    const port = await serve({ requestTimeout: 200 });
    const answers = [
      ...(await rawExchange(port, 'HELLO secret-marker\r\n\r\n')),
      ...(await rawExchange(port, `GET / HTTP/1.1\r\nHost: a\r\nx: ${'a'.repeat(4096)}\r\n\r\n`)),
      ...(await rawExchange(port, 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')),
      ...(await rawExchange(port, 'GET / HTTP/1.1\r\nHost: a\r\nbad header: x\r\n\r\n')),
      ...(await rawExchange(port, 'POST / HTTP/1.1\r\nHost: a\r\ncontent-length: 10\r\n\r\n{')),
    ];
    expect(refused.map((refusal) => [refusal.reason, refusal.status])).toEqual([
      ['bad_request_line', 400],
      ['headers_too_large', 431],
      ['bad_body_framing', 400],
      ['bad_headers', 400],
      ['request_timeout', 408],
    ]);
    expect(refused.map((refusal) => refusal.traceId)).toEqual(answers.map((answer) => answer.traceId));
    for (const refusal of refused) {
      expect(refusal.remoteAddress).toBe('127.0.0.1');
      expect(refusal.code).toMatch(/^(HPE_|ERR_HTTP_REQUEST_TIMEOUT)/);
    }
    expect(JSON.stringify(refused)).not.toContain('secret-marker');
  });

  it('reports a refusal after a response was under way as closed, and a connection reset not at all', async () => {
    await rawExchange(
      await serve({ answerAtOnce: true }),
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n0\r\n\r\n',
    );
    expect(refused).toMatchObject([{ reason: 'bad_body_framing', status: undefined, traceId: undefined }]);
    for (const code of ['ECONNRESET', 'EPIPE', undefined])
      expect(parserRefusalReason(code), code).toBeUndefined();
    expect(parserRefusalReason('HPE_SOMETHING_NEW')).toBe('malformed');
    // A client that closes its side half-way through a request (an upload it cancelled).
    expect(parserRefusalReason('HPE_INVALID_EOF_STATE')).toBe('incomplete');
  });

  it('parses every response of a connection', () => {
    const bytes = Buffer.from(
      'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}HTTP/1.1 400 Bad\r\ncontent-length: 0\r\n\r\n',
    );
    expect(parseResponses(bytes).map((answer) => answer.status)).toEqual([200, 400]);
  });
});
