import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkIngressBody, RESPONSES_INGRESS } from '../proxy/ingress-dialect.js';
import { type ProxyServices, runProxiedRequest } from '../proxy/run-proxied-request.js';

/**
 * `POST /v1/responses` (and `/responses`, as the SDKs with a bare base URL send it): OpenAI's Responses
 * API, native on OpenAI and Azure OpenAI, translated through chat completions for every other provider.
 * The other Responses routes (retrieve, delete, input items …) are pass-through (`passthrough-routes.ts`).
 */
export async function responsesRoutes(
  app: FastifyInstance,
  options: { services: ProxyServices },
): Promise<void> {
  const handler = (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    checkIngressBody(RESPONSES_INGRESS, request.body);
    return runProxiedRequest(options.services, 'responses', request, reply, undefined, RESPONSES_INGRESS);
  };
  const config = { proxyEndpoint: 'responses' };
  app.post('/v1/responses', { config }, handler);
  app.post('/responses', { config }, handler);
}
