import { createErrorEnvelope } from '@pk/config';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendPkError } from '../plugins/error-envelope.js';
import { MAX_PATH_PARAM_LENGTH } from '../plugins/trace-id.js';
import { shownPath } from '../shown-value.js';

/**
 * First path segments of Portkey's control-plane API that the official SDK calls (wire contract §9):
 * prompts, feedback, configs, logs, keys, admin, analytics … Those pk does not serve answer 501 and
 * are never sent to an LLM provider (whose credentials they would otherwise carry).
 */
export const CONTROL_PLANE_SEGMENTS: readonly string[] = [
  'feedback',
  'prompts',
  'configs',
  'logs',
  'virtual-keys',
  'api-keys',
  'admin',
  'labels',
  'collections',
  'integrations',
  'providers',
  'guardrails',
  'analytics',
  'mcp-servers',
  'mcp-integrations',
];

/**
 * First path segments of pk's own API, beside Portkey's: `/v1/traces/:traceId` (the request log
 * store) and `/v1/breakers` (circuit breakers). Under `/v1`, a path no route of theirs matches
 * (`GET /v1/traces`, `POST /v1/breakers`) would otherwise be passed through to the provider with the
 * caller's credentials; like Portkey's segments they answer 501 instead.
 */
export const PK_SEGMENTS: readonly string[] = ['traces', 'breakers'];

/** The 501 `PK_ERR_NOT_IMPLEMENTED` of a control-plane path pk does not serve (never sent to a provider). */
export function answerNotImplemented(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendPkError(
    reply,
    request,
    'PK_ERR_NOT_IMPLEMENTED',
    `${shownPath(request.url)} is part of Portkey's control plane, which pk does not implement`,
  );
}

/** A method or sub-path of pk's own API that no route serves: 404, as any unknown route (never sent on). */
function answerNoSuchRoute(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendPkError(
    reply,
    request,
    'PK_ERR_NOT_FOUND',
    `no route ${request.method} ${shownPath(request.url)}`,
  );
}

/**
 * The 404 of a path under a segment pk serves whose id is longer than the router matches
 * (`GET /v1/configs/<5,000 characters>`): no record can have it, so it is not found, rather than
 * the 501 that said pk does not implement the saved-config API. Neither message repeats the path.
 */
function answerIdTooLong(reply: FastifyReply, length: number): FastifyReply {
  const message = `no record has an id of ${length} characters: ids in a path are at most ${MAX_PATH_PARAM_LENGTH}`;
  const envelope = createErrorEnvelope({ code: 'PK_ERR_RECORD_NOT_FOUND', message, param: null });
  return reply
    .code(404)
    .type('application/json')
    .send({ ...envelope, message });
}

/** The length of the longest segment of the request's path. */
function longestPathSegment(request: FastifyRequest): number {
  const path = request.url.split('?')[0] ?? '';
  let longest = 0;
  for (const segment of path.split('/')) longest = Math.max(longest, segment.length);
  return longest;
}

/** Every method a route can have (fastify's `all`). */
const ALL_METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS'] as const;

/**
 * Every method on each control-plane path (Portkey's segments and pk's own), with and without
 * `/v1`, answers 501 `PK_ERR_NOT_IMPLEMENTED`, except what the admin routes serve: `served` maps a segment to the
 * methods its own path answers (`configs` → GET, POST); its other methods, and paths below it that
 * no admin route matches (`/v1/configs/a/b`), still answer 501, so none reaches a provider.
 */
export async function controlPlaneRoutes(
  app: FastifyInstance,
  options: {
    readonly served?: Readonly<Record<string, readonly string[]>>;
    /**
     * Segments pk serves but this gateway was started without, with why (`PK_LOG_STORE=off`): their
     * 501 says the feature is off rather than not implemented.
     */
    readonly switchedOff?: Readonly<Record<string, string>>;
  } = {},
): Promise<void> {
  const served = options.served ?? {};
  for (const segment of [...CONTROL_PLANE_SEGMENTS, ...PK_SEGMENTS]) {
    const why = options.switchedOff?.[segment];
    const handler =
      why !== undefined
        ? (request: FastifyRequest, reply: FastifyReply) =>
            sendPkError(reply, request, 'PK_ERR_NOT_IMPLEMENTED', `${shownPath(request.url)} is off: ${why}`)
        : PK_SEGMENTS.includes(segment)
          ? answerNoSuchRoute
          : answerNotImplemented;
    for (const prefix of ['/v1', '']) {
      const taken = served[segment];
      if (taken === undefined) app.all(`${prefix}/${segment}`, handler);
      else {
        const left = ALL_METHODS.filter(
          (method) => !taken.includes(method) && !(method === 'HEAD' && taken.includes('GET')),
        );
        app.route({ method: [...left], url: `${prefix}/${segment}`, handler });
      }
      if (taken === undefined || why !== undefined) app.all(`${prefix}/${segment}/*`, handler);
      else
        app.all(`${prefix}/${segment}/*`, (request, reply) => {
          const longest = longestPathSegment(request);
          return longest > MAX_PATH_PARAM_LENGTH ? answerIdTooLong(reply, longest) : handler(request, reply);
        });
    }
  }
  // pk's probe and scrape live at the root; under `/v1` only `GET /v1/health` is served (health.ts),
  // and no other method or sub-path of them, nor `/v1/metrics`, may be passed through to the provider.
  app.route({
    method: ALL_METHODS.filter((method) => method !== 'GET' && method !== 'HEAD'),
    url: '/v1/health',
    handler: answerNoSuchRoute,
  });
  app.all('/v1/health/*', answerNoSuchRoute);
  app.all('/v1/metrics', answerNoSuchRoute);
  app.all('/v1/metrics/*', answerNoSuchRoute);
  // The deprecated `generations.create` of the SDK sends `/v1/v1/prompts/:id/generate`.
  app.all('/v1/v1/prompts/*', answerNotImplemented);
}

/**
 * The segments pk serves that this gateway runs without, with why: without a store (an app built
 * without one) the logs, traces, analytics and breaker routes; with `PK_LOG_STORE=off` those of the
 * request log store (`/v1/logs`, `/v1/traces`, `/v1/analytics`).
 */
export function switchedOffSegments(hasStore: boolean, hasLogStore: boolean): Record<string, string> {
  if (!hasStore) {
    const why = 'this gateway runs without a store';
    return { logs: why, traces: why, analytics: why, breakers: why };
  }
  if (hasLogStore) return {};
  const why = 'this gateway runs without the request log store (PK_LOG_STORE=off)';
  return { logs: why, traces: why, analytics: why };
}
