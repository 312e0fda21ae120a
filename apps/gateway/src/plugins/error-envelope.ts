import { createErrorEnvelope, type PkErrorCode, statusOfErrorCode } from '@pk/config';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Sends one of pk's own errors in the OpenAI envelope. Every non-2xx answer also carries
 * `x-should-retry: false` (set in the app's onSend hook), so clients do not multiply attempts.
 */
export function sendPkError(
  reply: FastifyReply,
  _request: FastifyRequest,
  code: PkErrorCode,
  message: string,
  param: string | null = null,
): FastifyReply {
  return reply
    .code(statusOfErrorCode(code))
    .type('application/json')
    .send(createErrorEnvelope({ code, message, param }));
}
