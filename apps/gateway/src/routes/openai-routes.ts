import { PkError } from '@pk/config';
import type { ProviderEndpoint } from '@pk/providers';
import type { FastifyInstance } from 'fastify';
import { type ProxyServices, runProxiedRequest } from '../proxy/run-proxied-request.js';
import { checkOpenAIBody } from '../request-body/check-openai-body.js';

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
    ) => {
      // The shape the gateway relies on, checked before anything is sent (no second parse, no copy).
      const problem = checkOpenAIBody(endpoint, request.body);
      // The error handler answers it and logs it as a request of this endpoint.
      if (problem !== undefined)
        throw new PkError('PK_ERR_INVALID_REQUEST', problem.message, { param: problem.param });
      return runProxiedRequest(options.services, endpoint, request, reply);
    };
    const config = { proxyEndpoint: endpoint };
    app.post(`/v1${path}`, { config }, handler);
    app.post(path, { config }, handler);
  }
}
