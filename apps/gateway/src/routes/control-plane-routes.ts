import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendPkError } from '../plugins/error-envelope.js';

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

/** The 501 `PK_ERR_NOT_IMPLEMENTED` of a control-plane path pk does not serve (never sent to a provider). */
export function answerNotImplemented(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendPkError(
    reply,
    request,
    'PK_ERR_NOT_IMPLEMENTED',
    `${request.url.split('?')[0]} is part of Portkey's control plane, which pk does not implement`,
  );
}

/** Every method a route can have (fastify's `all`). */
const ALL_METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS'] as const;

/**
 * Every method on each control-plane path, with and without `/v1`, answers 501
 * `PK_ERR_NOT_IMPLEMENTED`, except what the admin routes serve: `served` maps a segment to the
 * methods its own path answers (`configs` → GET, POST); its other methods, and paths below it that
 * no admin route matches (`/v1/configs/a/b`), still answer 501, so none reaches a provider.
 */
export async function controlPlaneRoutes(
  app: FastifyInstance,
  options: {
    readonly served?: Readonly<Record<string, readonly string[]>>;
    /** Segments pk serves but this gateway was started without, with why (`PK_LOG_STORE=off`). */
    readonly switchedOff?: Readonly<Record<string, string>>;
  } = {},
): Promise<void> {
  const served = options.served ?? {};
  for (const segment of CONTROL_PLANE_SEGMENTS) {
    const why = options.switchedOff?.[segment];
    const handler =
      why === undefined
        ? answerNotImplemented
        : (request: FastifyRequest, reply: FastifyReply) =>
            sendPkError(
              reply,
              request,
              'PK_ERR_NOT_IMPLEMENTED',
              `${request.url.split('?')[0]} is off: ${why}`,
            );
    for (const prefix of ['/v1', '']) {
      const taken = served[segment];
      if (taken === undefined) app.all(`${prefix}/${segment}`, handler);
      else {
        const left = ALL_METHODS.filter(
          (method) => !taken.includes(method) && !(method === 'HEAD' && taken.includes('GET')),
        );
        app.route({ method: [...left], url: `${prefix}/${segment}`, handler });
      }
      app.all(`${prefix}/${segment}/*`, handler);
    }
  }
  // The deprecated `generations.create` of the SDK sends `/v1/v1/prompts/:id/generate`.
  app.all('/v1/v1/prompts/*', answerNotImplemented);
}
