import { PkError } from '@pk/config';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ProxyServices, runProxiedRequest } from '../proxy/run-proxied-request.js';
import { unsafePathProblemOf, upstreamPathOf } from './upstream-path.js';

/** OpenAI endpoints without a translation: sent to the named provider as they are. */
const NAMED_ROUTES = [
  '/images/generations',
  '/images/edits',
  '/images/variations',
  '/audio/speech',
  '/audio/transcriptions',
  '/audio/translations',
];

/**
 * OpenAI API namespaces also accepted without the `/v1` prefix (the SDKs with a bare base URL), as
 * are one model's and the stored chat completions' paths; every other path under `/v1` is passed
 * through too, but only with the prefix.
 */
const OPENAI_NAMESPACES = [
  'images',
  'audio',
  'files',
  'batches',
  'responses',
  'moderations',
  'fine_tuning',
  'vector_stores',
  'uploads',
  'assistants',
  'threads',
  'containers',
  'conversations',
  'evals',
  'realtime',
  'videos',
  'chatkit',
];

/** True when the request announces a body (a length above zero, or chunked framing). */
function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Content types passed through as bytes (multipart uploads, raw audio); JSON is parsed as usual. */
const RAW_CONTENT_TYPES: readonly (string | RegExp)[] = ['multipart/form-data', /^audio\/[\w.+-]+$/];

/** The pass-through routes' handler (also `GET /v1/realtime`'s for a request that is not an upgrade). */
export function passthroughHandlerOf(
  services: ProxyServices,
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  return (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method === 'GET' && hasBody(request)) {
      // Never forwarded (a GET goes upstream without a body): refused rather than silently dropped.
      // Thrown, as every refusal of a proxy route: the error handler logs and stores it.
      throw new PkError('PK_ERR_INVALID_REQUEST', 'a GET request must not carry a body');
    }
    const pathProblem = unsafePathProblemOf(request.url);
    if (pathProblem !== undefined) throw new PkError('PK_ERR_INVALID_REQUEST', pathProblem);
    const raw = Buffer.isBuffer(request.body) ? request.body : undefined;
    const contentType = request.headers['content-type'];
    return runProxiedRequest(services, 'passthrough', request, reply, {
      path: upstreamPathOf(request.url),
      method: request.method,
      ...(raw === undefined
        ? {}
        : {
            rawBody: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength),
            ...(contentType === undefined ? {} : { contentType }),
          }),
    });
  };
}

/**
 * The pass-through routes: images, audio, files, batches … go to the named provider unchanged
 * (endpoint `passthrough`, path without `/v1`, query kept), through the same engine, so retries,
 * fallbacks and breakers apply. Multipart and `audio/*` bodies, chunked ones included, are buffered
 * within the body limit and sent as they came, with their content type (boundary included).
 */
export async function passthroughRoutes(
  app: FastifyInstance,
  options: { services: ProxyServices },
): Promise<void> {
  // Scoped to this plugin: the chat and embeddings routes keep refusing these types with 415.
  for (const type of RAW_CONTENT_TYPES) {
    app.addContentTypeParser(type, { parseAs: 'buffer' }, (_request, body, done) => {
      done(null, body);
    });
  }
  const handler = passthroughHandlerOf(options.services);
  // Every route is a proxy route: a request refused before it ran (its body too large, of a type
  // not taken, not JSON; a GET with a body; a dot segment) is stored as a `passthrough` request.
  const config = { proxyEndpoint: 'passthrough' };
  for (const path of NAMED_ROUTES) {
    app.post(`/v1${path}`, { config }, handler);
    app.post(path, { config }, handler);
  }
  // `/models` (the list) is `models-routes.ts`'s; one model, and chat completions stored with
  // `store: true` (listed, retrieved, updated, deleted, their messages) pass through.
  app.route({ method: [...METHODS], url: '/models/*', config, handler });
  app.route({ method: ['GET'], url: '/chat/completions', config, handler });
  app.route({ method: [...METHODS], url: '/chat/completions/*', config, handler });
  for (const namespace of OPENAI_NAMESPACES) {
    // `POST /responses` is the Responses API's create, served by `responses-routes.ts`.
    const methods = namespace === 'responses' ? METHODS.filter((method) => method !== 'POST') : METHODS;
    app.route({ method: [...methods], url: `/${namespace}`, config, handler });
    app.route({ method: [...METHODS], url: `/${namespace}/*`, config, handler });
  }
  app.route({ method: [...METHODS], url: '/v1/*', config, handler });
}
