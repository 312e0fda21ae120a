import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';

/**
 * Response headers a browser page may read: pk's `x-portkey-*` headers, the retry hints, and the
 * provider's headers pk passes on that the official SDKs read: the request ids (`x-request-id`, the
 * `openai` SDK's `_request_id`; Anthropic's `request-id`) and OpenAI's `x-ratelimit-*` quota, which
 * pk's own rate limits answer with too. CORS has no wildcard for a name prefix, so each is listed.
 */
export const EXPOSED_HEADERS = [
  'x-portkey-trace-id',
  'x-portkey-provider',
  'x-portkey-last-used-option-index',
  'x-portkey-retry-attempt-count',
  'x-portkey-cache-status',
  'x-pk-warnings',
  'x-pk-cache-error',
  'x-should-retry',
  'retry-after',
  'retry-after-ms',
  'x-request-id',
  'request-id',
  'openai-processing-ms',
  ...['requests', 'tokens'].flatMap((measure) =>
    ['limit', 'remaining', 'reset'].flatMap((part) => [
      `x-ratelimit-${part}-${measure}`,
      // pk's own room under a virtual key's or metadata's limits (`limits/limit-headers.ts`).
      `x-pk-ratelimit-${part}-${measure}`,
    ]),
  ),
  // Anthropic's, passed on its answers (`@pk/providers`' answer headers), which its SDK's users read.
  ...['requests', 'tokens', 'input-tokens', 'output-tokens'].flatMap((measure) =>
    ['limit', 'remaining', 'reset'].map((part) => `anthropic-ratelimit-${measure}-${part}`),
  ),
].join(', ');

const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
/** Request headers allowed when a preflight names none: the SDK's own. */
const DEFAULT_ALLOWED_HEADERS = 'authorization, content-type, x-portkey-*';
/** How long a browser may cache a preflight answer (seconds). */
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/**
 * CORS for browser clients, off unless the settings list `allowed_origins`. A request from a listed
 * origin gets `Access-Control-Allow-Origin` (that origin, never `*`) and `-Expose-Headers` with the
 * response headers a client reads (`EXPOSED_HEADERS`); its preflight is answered here with 204, before authentication
 * (browsers send preflights without credentials). Unlisted origins get no CORS headers and are
 * refused with 403 by the access guard, preflights included.
 */
export const corsPlugin = fastifyPlugin(
  async (app: FastifyInstance, options: { allowedOrigins: readonly string[] }) => {
    const origins = new Set(options.allowedOrigins);
    if (origins.size === 0) return;
    app.addHook('onRequest', async (request, reply) => {
      const origin = request.headers.origin;
      if (typeof origin !== 'string' || !origins.has(origin)) return undefined;
      reply.header('access-control-allow-origin', origin);
      reply.header('vary', 'Origin');
      const requestedMethod = request.headers['access-control-request-method'];
      if (request.method !== 'OPTIONS' || typeof requestedMethod !== 'string') {
        reply.header('access-control-expose-headers', EXPOSED_HEADERS);
        return undefined;
      }
      const requestedHeaders = request.headers['access-control-request-headers'];
      return reply
        .code(204)
        .headers({
          'access-control-allow-methods': ALLOWED_METHODS,
          'access-control-allow-headers':
            typeof requestedHeaders === 'string' && /^[\w\-, ]{1,4096}$/.test(requestedHeaders)
              ? requestedHeaders
              : DEFAULT_ALLOWED_HEADERS,
          'access-control-max-age': PREFLIGHT_MAX_AGE_SECONDS,
        })
        .send();
    });
  },
  { name: 'pk-cors', dependencies: ['pk-trace-id'] },
);
