import { parseRequestHeaders } from '@pk/headers';
import type { Catalog } from '@pk/store';
import type { FastifyRequest } from 'fastify';
import { recordHeaderFacts } from './request-facts.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The provider endpoint a proxy route runs (`chat.completions`, `messages`, `passthrough` …): a
     * request the gateway refuses before running it (a body that is not JSON, too large, not the
     * endpoint's shape; a prompt that does not exist; a pass-through GET with a body) is still a
     * request of that endpoint, logged and stored as one.
     */
    proxyEndpoint?: string;
  }
}

/**
 * Records what the log store needs of a proxied request refused before it ran: its endpoint (which
 * makes it a stored record), the model its body asked for, and what its Portkey headers say
 * (`recordHeaderFacts`, as for a request that ran: metadata with `_user`, span ids, the saved config
 * and virtual key they name when those are stored records), so the logs'
 * filters find it. Only for a route with a `proxyEndpoint`, and only once (a request that ran has
 * its own). Called by the error handler, where every such refusal ends (the routes throw theirs).
 */
export function recordRefusedProxyRequest(request: FastifyRequest, catalog: Catalog): void {
  const log = request.logFields;
  const endpoint = request.routeOptions?.config?.proxyEndpoint;
  if (!log || endpoint === undefined || log.endpoint !== undefined) return;
  log.endpoint = endpoint;
  const body = request.body as { model?: unknown } | null | undefined;
  if (typeof body === 'object' && body !== null && typeof body.model === 'string') log.model = body.model;
  recordHeaderFacts(log, parseRequestHeaders(request.headers), catalog);
}
