import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { createErrorEnvelope } from '@pk/config';

/**
 * Answers what Node's HTTP parser rejects before fastify sees a request (oversized headers, bad
 * chunking, malformed request lines) in the OpenAI envelope with a trace id, instead of a bare 400.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify(
    createErrorEnvelope({
      code: 'PK_ERR_INVALID_REQUEST',
      message: tooLarge
        ? 'the request headers are larger than this gateway accepts'
        : 'the HTTP request is malformed',
    }),
  );
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      'content-type: application/json\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      `x-portkey-trace-id: ${randomUUID()}\r\n` +
      'x-should-retry: false\r\n' +
      'connection: close\r\n\r\n' +
      body,
  );
}
