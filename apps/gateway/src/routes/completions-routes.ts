import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ProxyServices, runProxiedRequest } from '../proxy/run-proxied-request.js';

/** `POST /v1/completions` (legacy text completions) through the engine, also without the `/v1` prefix. */
export async function completionsRoutes(
  app: FastifyInstance,
  options: { services: ProxyServices },
): Promise<void> {
  const handler = (request: FastifyRequest, reply: FastifyReply) =>
    runProxiedRequest(options.services, 'completions', request, reply);
  app.post('/v1/completions', handler);
  app.post('/completions', handler);
}
