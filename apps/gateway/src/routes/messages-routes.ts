import { openAIErrorEnvelopeSchema } from '@pk/config';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  COUNT_TOKENS_INGRESS,
  checkIngressBody,
  type IngressDialect,
  MESSAGES_INGRESS,
} from '../proxy/ingress-dialect.js';
import { type ProxyServices, runProxiedRequest } from '../proxy/run-proxied-request.js';
import { captureBody } from '../request-facts/body-capture.js';

/**
 * An error answer of this route in Anthropic's shape: every error pk sends on these routes (its own,
 * the access guard's, a provider's) leaves the pipeline as the OpenAI envelope and is rewritten here,
 * once, into `{"type":"error","error":{"type","message","code"}}` (decision 0004), with a guardrail's
 * `hook_results` kept.
 */
function toMessagesError(ingress: IngressDialect, status: number, payload: unknown): unknown {
  if (typeof payload !== 'string' || !payload.startsWith('{"error"')) return payload;
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return payload;
  }
  const envelope = openAIErrorEnvelopeSchema.safeParse(parsed);
  if (!envelope.success) return payload;
  const body = ingress.dialect.errorBody(envelope.data, status);
  // A guardrail's 446 keeps its `hook_results` beside the error, as on chat completions.
  const hookResults = (parsed as { hook_results?: unknown }).hook_results;
  return JSON.stringify(
    hookResults === undefined ? body : { ...(body as object), hook_results: hookResults },
  );
}

/**
 * Anthropic's Messages API: `POST /v1/messages` and `POST /v1/messages/count_tokens`, through the
 * same pipeline as chat completions (configs, routing, cache, retries, logs). With no provider named,
 * the target is Anthropic with the `x-api-key` the Anthropic SDK sends. Errors use Anthropic's shape.
 */
export async function messagesRoutes(
  app: FastifyInstance,
  options: { services: ProxyServices },
): Promise<void> {
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode < 400) {
      done(null, payload);
      return;
    }
    const sent = toMessagesError(MESSAGES_INGRESS, reply.statusCode, payload);
    // The error handler noted the envelope for the log record, before this rewrite: the record keeps
    // the error as the client got it.
    if (sent !== payload && request.logFields?.endpoint !== undefined)
      captureBody(request, 'errorAnswer', sent);
    done(null, sent);
  });
  const handler =
    (ingress: IngressDialect) =>
    (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      checkIngressBody(ingress, request.body);
      return runProxiedRequest(options.services, ingress.endpoint, request, reply, undefined, ingress);
    };
  app.post(
    '/v1/messages',
    { config: { proxyEndpoint: MESSAGES_INGRESS.endpoint } },
    handler(MESSAGES_INGRESS),
  );
  app.post(
    '/v1/messages/count_tokens',
    { config: { proxyEndpoint: COUNT_TOKENS_INGRESS.endpoint } },
    handler(COUNT_TOKENS_INGRESS),
  );
}
