import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendPkError } from '../plugins/error-envelope.js';
import { type ProxyServices, runProxiedRequest } from '../proxy/run-proxied-request.js';
import { checkOpenAIBody } from '../request-body/check-openai-body.js';
import { recordRefusedProxyRequest } from '../request-facts/refused-request.js';

/** `POST /v1/completions` (legacy text completions) through the engine, also without the `/v1` prefix. */
export async function completionsRoutes(
  app: FastifyInstance,
  options: { services: ProxyServices },
): Promise<void> {
  const handler = (request: FastifyRequest, reply: FastifyReply) => {
    const problem = checkOpenAIBody('completions', request.body);
    if (problem !== undefined) {
      recordRefusedProxyRequest(request);
      sendPkError(reply, request, 'PK_ERR_INVALID_REQUEST', problem.message, problem.param);
      return undefined;
    }
    return runProxiedRequest(options.services, 'completions', request, reply);
  };
  const config = { proxyEndpoint: 'completions' };
  app.post('/v1/completions', { config }, handler);
  app.post('/completions', { config }, handler);
}
