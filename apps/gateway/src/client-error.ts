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

/** What an HTTP-parser refusal is counted (`pk_http_parser_refusals_total`) and logged as: fixed words, never the request's bytes. */
export const PARSER_REFUSAL_REASONS = [
  'headers_too_large',
  'request_timeout',
  'bad_request_line',
  'bad_headers',
  'bad_body_framing',
  'incomplete',
  'malformed',
] as const;

/** One of {@link PARSER_REFUSAL_REASONS}. */
export type ParserRefusalReason = (typeof PARSER_REFUSAL_REASONS)[number];

/** llhttp's codes for a request line it cannot read (method, target, version). */
const BAD_REQUEST_LINE = new Set([
  'HPE_INVALID_METHOD',
  'HPE_INVALID_URL',
  'HPE_INVALID_VERSION',
  'HPE_INVALID_CONSTANT',
]);
/** llhttp's codes for headers it refuses (a bad name or value, conflicting or bad body-length headers). */
const BAD_HEADERS = new Set([
  'HPE_INVALID_HEADER_TOKEN',
  'HPE_INVALID_CONTENT_LENGTH',
  'HPE_UNEXPECTED_CONTENT_LENGTH',
  'HPE_INVALID_TRANSFER_ENCODING',
]);
/** llhttp's codes for a body whose chunked framing is broken. */
const BAD_BODY_FRAMING = new Set(['HPE_INVALID_CHUNK_SIZE', 'HPE_CHUNK_EXTENSIONS_OVERFLOW']);

/**
 * The reason a `clientError` is a refusal, from Node's error code; `undefined` for what is no
 * refusal (a connection the client reset, a write that failed: it left, nothing was refused).
 */
export function parserRefusalReason(code: string | undefined): ParserRefusalReason | undefined {
  if (code === 'HPE_HEADER_OVERFLOW') return 'headers_too_large';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request_timeout';
  if (code === undefined || !code.startsWith('HPE_')) return undefined;
  if (BAD_REQUEST_LINE.has(code)) return 'bad_request_line';
  if (BAD_HEADERS.has(code)) return 'bad_headers';
  if (BAD_BODY_FRAMING.has(code)) return 'bad_body_framing';
  // The client closed its side before the request's end (headers or body cut short).
  if (code === 'HPE_INVALID_EOF_STATE') return 'incomplete';
  return 'malformed';
}

/** A request the HTTP parser refused, as it is logged and counted (nothing of what the client sent). */
export interface ParserRefusal {
  readonly reason: ParserRefusalReason;
  /** Node's code: `HPE_INVALID_CHUNK_SIZE`, `HPE_HEADER_OVERFLOW`, `ERR_HTTP_REQUEST_TIMEOUT` … */
  readonly code: string;
  /** The status answered; `undefined` when the connection was only closed (a response was under way). */
  readonly status: number | undefined;
  /** The answer's `x-portkey-trace-id`, so the line of a client's report can be found. */
  readonly traceId: string | undefined;
  readonly remoteAddress: string | undefined;
}

/** How long a refused client's connection stays open after its answer, at most (ms). */
const HALF_OPEN_GRACE_MS = 1000;

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
export function answerClientError(
  error: Error & { code?: string },
  socket: Socket,
): { readonly status: number; readonly traceId: string } | undefined {
  // A response already under way on this connection (a route that answered before reading a body
  // the parser then rejected) gets no second answer after it: the connection is only closed, as
  // Node's own handler does (it reads the same internal `_httpMessage`).
  if (!socket.writable || responseStartedOn(socket)) {
    socket.destroy();
    return undefined;
  }
  const answer = answerOf(error.code);
  const traceId = randomUUID();
  const body = JSON.stringify(createErrorEnvelope({ code: answer.code, message: answer.message }));
  socket.end(
    `HTTP/1.1 ${answer.status} ${answer.reason}\r\n` +
      'content-type: application/json\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      `x-portkey-trace-id: ${traceId}\r\n` +
      'x-should-retry: false\r\n' +
      'connection: close\r\n\r\n' +
      body,
  );
  // end() only half-closes (Node's HTTP server keeps sockets half-open): a client that keeps its
  // side open, still sending (a slowloris), would hold the connection for ever. It gets a moment to
  // read the answer, then the connection is closed.
  setTimeout(() => socket.destroy(), HALF_OPEN_GRACE_MS).unref();
  return { status: answer.status, traceId };
}

/**
 * fastify's `clientErrorHandler`: {@link answerClientError}, then `onRefused` with what a refusal
 * (not a client that reset its connection) is logged and counted as.
 */
export function createClientErrorHandler(
  onRefused: (refusal: ParserRefusal) => void,
): (error: Error & { code?: string }, socket: Socket) => void {
  return (error, socket) => {
    // Read before the answer: a destroyed socket may no longer say where it came from.
    const remoteAddress = socket.remoteAddress;
    const answered = answerClientError(error, socket);
    const reason = parserRefusalReason(error.code);
    if (reason === undefined) return;
    onRefused({
      reason,
      code: error.code ?? 'unknown',
      status: answered?.status,
      traceId: answered?.traceId,
      remoteAddress,
    });
  };
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
