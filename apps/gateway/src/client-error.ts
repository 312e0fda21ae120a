import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createErrorEnvelope, type PkErrorCode } from '@pk/config';

/** How each HTTP-parser error is answered: status, reason phrase, code and message. */
function answerOf(code: string | undefined): {
  status: number;
  reason: string;
  code: PkErrorCode;
  message: string;
} {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return {
      status: 431,
      reason: 'Request Header Fields Too Large',
      code: 'PK_ERR_INVALID_REQUEST',
      message: 'the request headers are larger than this gateway accepts',
    };
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return {
      status: 408,
      reason: 'Request Timeout',
      code: 'PK_ERR_TIMEOUT',
      message: 'the request was not received in time',
    };
  }
  return {
    status: 400,
    reason: 'Bad Request',
    code: 'PK_ERR_INVALID_REQUEST',
    message: 'the HTTP request is malformed',
  };
}

/** Whether the response in flight on a connection has sent its head. */
function responseStartedOn(socket: Socket): boolean {
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: unknown } | null })._httpMessage;
  return inFlight?.headersSent === true;
}

/**
 * Answers what Node's HTTP parser rejects before fastify sees a request (oversized headers, bad
 * chunking, malformed request lines, a request that took too long to arrive) in the OpenAI envelope
 * with a trace id, instead of a bare 400.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // A response already under way on this connection (a route that answered before reading a body
  // the parser then rejected) gets no second answer after it: the connection is only closed, as
  // Node's own handler does (it reads the same internal `_httpMessage`).
  if (!socket.writable || responseStartedOn(socket)) {
    socket.destroy();
    return;
  }
  const answer = answerOf(error.code);
  const body = JSON.stringify(createErrorEnvelope({ code: answer.code, message: answer.message }));
  socket.end(
    `HTTP/1.1 ${answer.status} ${answer.reason}\r\n` +
      'content-type: application/json\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      `x-portkey-trace-id: ${randomUUID()}\r\n` +
      'x-should-retry: false\r\n' +
      'connection: close\r\n\r\n' +
      body,
  );
}

/**
 * Answers a request whose `Expect` header is not `100-continue` (Node's `checkExpectation` event):
 * 417 in the OpenAI envelope with a trace id, instead of Node's own 417 without a body.
 */
export function answerExpectationFailed(_request: IncomingMessage, response: ServerResponse): void {
  const body = JSON.stringify(
    createErrorEnvelope({
      code: 'PK_ERR_INVALID_REQUEST',
      message: 'the Expect header asks for something this gateway does not do (only 100-continue)',
      param: 'expect',
    }),
  );
  response.writeHead(417, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-portkey-trace-id': randomUUID(),
    'x-should-retry': 'false',
    connection: 'close',
  });
  response.end(body);
}
