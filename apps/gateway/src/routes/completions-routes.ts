import { PkError } from '@pk/config';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ProxyServices, runProxiedRequest } from '../proxy/run-proxied-request.js';
import { checkOpenAIBody } from '../request-body/check-openai-body.js';

/** `POST /v1/completions` (legacy text completions) through the engine, also without the `/v1` prefix. */
export async function completionsRoutes(
  app: FastifyInstance,
  options: { services: ProxyServices },
): Promise<void> {
  const handler = (request: FastifyRequest, reply: FastifyReply) => {
    const problem = checkOpenAIBody('completions', request.body);
    // The error handler answers it and logs it as a request of this endpoint.
    if (problem !== undefined)
      throw new PkError('PK_ERR_INVALID_REQUEST', problem.message, { param: problem.param });
    return runProxiedRequest(options.services, 'completions', request, reply);
  };
  const config = { proxyEndpoint: 'completions' };
  app.post('/v1/completions', { config }, handler);
  app.post('/completions', { config }, handler);
}
