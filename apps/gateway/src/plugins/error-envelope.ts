import { createErrorEnvelope, type PkErrorCode, statusOfErrorCode } from '@pk/config';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestLogFields } from './request-log.js';

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
 * Marks every route of `scope` (an encapsulated plugin) as the admin API's: its errors also carry
 * the top-level `message` (see {@link sendPkError}).
 */
export function markPortkeyAdminRoutes(scope: FastifyInstance): void {
  scope.addHook('onRoute', (route) => {
    route.config = { ...(route.config ?? {}), portkeyAdmin: true };
  });
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
  // The log line and the log record say which error the client got, a refusal before any provider
  // call included (one already recorded, such as a limit's, stays).
  const fields = request.logFields as RequestLogFields | null | undefined;
  if (fields && fields.errorCode === undefined) fields.errorCode = code;
  const envelope = createErrorEnvelope({ code, message, param });
  return reply
    .code(statusOfErrorCode(code))
    .type('application/json')
    .send(request.routeOptions.config?.portkeyAdmin === true ? { ...envelope, message } : envelope);
}
