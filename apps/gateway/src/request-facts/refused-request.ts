import { parseRequestHeaders } from '@pk/headers';
import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The provider endpoint a proxy route runs (`chat.completions`, `messages` …): a request the
     * gateway refuses before running it (a body that is not JSON, too large, not the endpoint's shape;
     * a prompt that does not exist) is still a request of that endpoint, logged and stored as one.
     */
    proxyEndpoint?: string;
  }
}

/**
 * Records what the log store needs of a proxied request refused before it ran: its endpoint (which
 * makes it a stored record), the model its body asked for, and the facts of its Portkey headers that
 * name no stored record (metadata with `_user`, span ids, the debug opt-out), so the logs' filters
 * find it. Only for a route with a `proxyEndpoint`, and only once (a request that ran has its own).
 * Called by the error handler, where every such refusal ends (the routes throw theirs).
 */
export function recordRefusedProxyRequest(request: FastifyRequest): void {
  const log = request.logFields;
  const endpoint = request.routeOptions?.config?.proxyEndpoint;
  if (!log || endpoint === undefined || log.endpoint !== undefined) return;
  log.endpoint = endpoint;
  const body = request.body as { model?: unknown } | null | undefined;
  if (typeof body === 'object' && body !== null && typeof body.model === 'string') log.model = body.model;
  const { options } = parseRequestHeaders(request.headers);
  if (options.metadata) log.metadata = options.metadata;
  if (options.spanId !== undefined) log.spanId = options.spanId;
  if (options.parentSpanId !== undefined) log.parentSpanId = options.parentSpanId;
  if (options.spanName !== undefined) log.spanName = options.spanName;
  if (options.debug === false) log.debug = false;
}
