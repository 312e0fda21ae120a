import { createErrorEnvelope, type PkErrorCode, statusOfErrorCode } from '@pk/config';
import type { FastifyReply, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route belongs to Portkey's admin API (`/v1/configs` …): its errors also carry the message
     * at the top level, where the `portkey-ai` SDK's admin client reads it (decision 0004).
     */
    portkeyAdmin?: boolean;
  }
}

/**
 * Sends one of pk's own errors in the OpenAI envelope. Every non-2xx answer also carries
 * `x-should-retry: false` (set in the app's onSend hook), so clients do not multiply attempts. On the
 * admin API's routes the envelope also has a top-level `message`: the `portkey-ai` SDK's admin client
 * shows `body.message` and otherwise the whole body as JSON.
 */
export function sendPkError(
  reply: FastifyReply,
  request: FastifyRequest,
  code: PkErrorCode,
  message: string,
  param: string | null = null,
): FastifyReply {
  const envelope = createErrorEnvelope({ code, message, param });
  return reply
    .code(statusOfErrorCode(code))
    .type('application/json')
    .send(request.routeOptions.config?.portkeyAdmin === true ? { ...envelope, message } : envelope);
}
