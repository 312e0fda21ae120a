import type { ProviderEndpoint } from '@pk/providers';
import type { FastifyInstance } from 'fastify';
import { type ProxyServices, runProxiedRequest } from '../proxy/run-proxied-request.js';

const ROUTES: readonly [string, ProviderEndpoint][] = [
  ['/chat/completions', 'chat.completions'],
  ['/embeddings', 'embeddings'],
];

/** The OpenAI-compatible routes, under `/v1` and (as the SDK with a bare base URL sends them) without it. */
export async function openAIRoutes(
  app: FastifyInstance,
  options: { services: ProxyServices },
): Promise<void> {
  for (const [path, endpoint] of ROUTES) {
    const handler = (
      request: Parameters<typeof runProxiedRequest>[2],
      reply: Parameters<typeof runProxiedRequest>[3],
    ) => runProxiedRequest(options.services, endpoint, request, reply);
    app.post(`/v1${path}`, handler);
    app.post(path, handler);
  }
}
