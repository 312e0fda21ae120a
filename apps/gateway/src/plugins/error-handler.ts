import { createErrorEnvelope, PkError, type PkErrorCode } from '@pk/config';
import { isRetryableStatus } from '@pk/providers';
import type { Catalog } from '@pk/store';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { captureBody } from '../request-facts/body-capture.js';
import { recordRefusedProxyRequest } from '../request-facts/refused-request.js';
import { shownPath } from '../shown-value.js';
import { sendPkError } from './error-envelope.js';
import { lingerBeforeClose } from './lingering-close.js';
import { traceIdFromHeaders } from './trace-id.js';

/** Maps fastify's own request errors (body parsing, limits) to pk codes. */
function codeOfFastifyError(error: FastifyError): PkErrorCode | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'PK_ERR_PAYLOAD_TOO_LARGE';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? 'PK_ERR_UNSUPPORTED_MEDIA_TYPE'
        : 'PK_ERR_INVALID_REQUEST';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'PK_ERR_INVALID_REQUEST';
    default:
      if (error.statusCode === 413) return 'PK_ERR_PAYLOAD_TOO_LARGE';
      if (error.statusCode === 415) return 'PK_ERR_UNSUPPORTED_MEDIA_TYPE';
      if (error.statusCode === 400) return 'PK_ERR_INVALID_REQUEST';
      return undefined;
  }
}

/**
 * fastify closes the connection after every body error (only its body parser sets `connection:
 * close` on an answer that reaches this handler). With the body fully read the connection is still
 * in step, so it stays open and pipelined requests behind it are served; with a body left unread
 * (413), the rest is read and thrown away before closing, so the client reads its answer.
 */
function keepOrLingerAfterBodyError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  if (reply.getHeader('connection') !== 'close') return;
  if (request.raw.complete) reply.removeHeader('connection');
  else if ((error as FastifyError).statusCode === 413) lingerBeforeClose(request.raw.socket, request.raw);
}

/** Path segments after `/v1` whose errors carry the admin API's top-level `message` (decision 0004). */
const ADMIN_PATH =
  /^\/(?:v1\/)?(?:configs|virtual-keys|api-keys|integrations|providers|guardrails|prompts|labels|collections|feedback|logs|breakers)(?:[/?]|$)/;

/**
 * fastify's `frameworkErrors`: a request its router refuses before any hook runs (a path whose
 * percent-encoding is not UTF-8, `/v1/configs/%E0%A4%A`) got fastify's own
 * `{"error":"Bad Request","code":"FST_ERR_BAD_URL"}`, which the SDKs cannot read. It is a 400
 * `PK_ERR_INVALID_REQUEST` in the envelope with a trace id like every other answer; the path is not
 * repeated (it may be very long).
 */
export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  // No hook has run: the trace id and `x-should-retry` are set here.
  request.traceId = traceIdFromHeaders(request.headers);
  const message =
    error.code === 'FST_ERR_BAD_URL'
      ? 'the request path holds a percent-encoded sequence that is not UTF-8 text'
      : 'the request path cannot be routed';
  const envelope = createErrorEnvelope({ code: 'PK_ERR_INVALID_REQUEST', message, param: null });
  void reply
    .code(400)
    .header('x-portkey-trace-id', request.traceId)
    .header('x-should-retry', 'false')
    .type('application/json')
    .send(ADMIN_PATH.test(request.raw.url ?? '') ? { ...envelope, message } : envelope);
}

const clientMessages: Partial<Record<PkErrorCode, string>> = {
  PK_ERR_PAYLOAD_TOO_LARGE: 'the request body is larger than this gateway accepts',
};

/**
 * A 415's message: the media type sent (without its parameters, at most 100 characters) and the
 * types the route takes: `application/json`, and on the pass-through routes multipart and audio too.
 */
export function unsupportedMediaTypeMessage(request: FastifyRequest): string {
  const header = request.headers['content-type'];
  const sent = (typeof header === 'string' ? header : '').split(';', 1)[0]?.trim().slice(0, 100) ?? '';
  const passthrough = request.routeOptions?.config?.proxyEndpoint === 'passthrough';
  const taken = passthrough ? 'application/json, multipart/form-data or audio/*' : 'application/json';
  return `the request body is ${sent === '' ? 'of no content type' : sent}: send it as ${taken}`;
}

/**
 * The one error handler: everything becomes the OpenAI envelope. 5xx answers never carry internals;
 * the error itself is logged with the trace id (request headers are never logged). Every answer of
 * 300 or more gets `x-should-retry: false` when its status cannot succeed on retry or the gateway
 * already made more than one attempt.
 */
export const errorHandlerPlugin = fastifyPlugin(
  async (app: FastifyInstance, options: { readonly catalog: Catalog }) => {
    app.setErrorHandler((error: FastifyError | PkError | Error, request, reply) => {
      // A proxy route's request that failed before it ran (its body, a handler's refusal) is still
      // logged and stored as a request of its endpoint.
      recordRefusedProxyRequest(request, options.catalog);
      if (error instanceof PkError) {
        return sendPkError(reply, request, error.code, error.message, error.param);
      }
      keepOrLingerAfterBodyError(error, request, reply);
      const code = codeOfFastifyError(error as FastifyError);
      if (code) {
        const message =
          (code === 'PK_ERR_UNSUPPORTED_MEDIA_TYPE' ? unsupportedMediaTypeMessage(request) : undefined) ??
          clientMessages[code] ??
          (code === 'PK_ERR_INVALID_REQUEST'
            ? `the request body is not valid JSON: ${error.message}`
            : error.message);
        return sendPkError(reply, request, code, message);
      }
      request.log.error(
        { traceId: request.traceId, err: { name: error.name, message: error.message, stack: error.stack } },
        'unhandled error',
      );
      return sendPkError(
        reply,
        request,
        'PK_ERR_INTERNAL',
        `internal error; quote trace id ${request.traceId}`,
      );
    });
    app.setNotFoundHandler((request, reply) =>
      sendPkError(reply, request, 'PK_ERR_NOT_FOUND', `no route ${request.method} ${shownPath(request.url)}`),
    );
    app.addHook('onSend', (request, reply, payload, done) => {
      const status = reply.statusCode;
      // Clients must not multiply the gateway's own attempts, nor retry what cannot succeed; a single
      // attempt that may succeed on retry (408, 409, 429, 5xx) leaves the client's own policy in charge.
      if (status >= 300) {
        if (!isRetryableStatus(status) || (request.logFields?.attempts ?? 0) > 1) {
          reply.header('x-should-retry', 'false');
        }
        // A proxied request's error answer, as sent, for its log record (its body and message).
        if (status >= 400 && typeof payload === 'string' && request.logFields?.endpoint !== undefined) {
          captureBody(request, 'errorAnswer', payload);
        }
      }
      done(null, payload);
    });
  },
  { name: 'pk-error-handler', dependencies: ['pk-trace-id'] },
);
