import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { timeOrderedUuid } from './time-ordered-uuid.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's trace id: `x-portkey-trace-id`, else the W3C `traceparent` trace id, else a new UUID (version 7: ordered by time). */
    traceId: string;
  }
}

const TRACE_ID_HEADER = 'x-portkey-trace-id';
/** The longest `x-portkey-trace-id` kept (a longer one is replaced by a new id). */
export const MAX_TRACE_ID_LENGTH = 256;
/**
 * The longest path parameter the router matches (a whole trace id, each character percent-encoded
 * at worst). A longer one matches no route of its own.
 */
export const MAX_PATH_PARAM_LENGTH = 3 * MAX_TRACE_ID_LENGTH;
const traceparentPattern = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;
// Printable ASCII only: a trace id is echoed in a response header and written to logs.
const safeTraceIdPattern = /^[\x21-\x7e]+$/;

/** Picks the trace id of a request from its headers, or makes one. */
export function traceIdFromHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): string {
  const given = headers[TRACE_ID_HEADER];
  if (typeof given === 'string' && given.length <= MAX_TRACE_ID_LENGTH && safeTraceIdPattern.test(given)) {
    return given;
  }
  const traceparent = headers.traceparent;
  if (typeof traceparent === 'string') {
    const match = traceparentPattern.exec(traceparent.trim());
    if (match?.[1] && match[1] !== '0'.repeat(32)) return match[1];
  }
  return timeOrderedUuid();
}

/** Gives every request a trace id and puts it on every response, errors included (wire contract §0.6). */
export const traceIdPlugin = fastifyPlugin(
  async (app: FastifyInstance) => {
    app.decorateRequest('traceId', '');
    // Callback hooks, not async ones: no promise and no extra microtask per request.
    app.addHook('onRequest', (request, reply, done) => {
      request.traceId = traceIdFromHeaders(request.headers);
      reply.header(TRACE_ID_HEADER, request.traceId);
      done();
    });
  },
  { name: 'pk-trace-id' },
);
