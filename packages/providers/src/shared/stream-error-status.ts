import { type OpenAIErrorEnvelope, PK_ERROR_CATALOGUE, type PkErrorCode } from '@pk/config';

/**
 * Vendors' in-band error types and the HTTP status each vendor answers the same error with outside a
 * stream (Anthropic's `overloaded_error` is its 529, OpenAI's `server_error` a 500 …).
 * @see https://docs.anthropic.com/en/api/errors
 * @see https://platform.openai.com/docs/guides/error-codes
 */
const STATUS_OF_ERROR_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  rate_limit_exceeded: 429,
  tokens: 429,
  requests: 429,
  timeout_error: 408,
  server_error: 500,
  api_error: 500,
  overloaded_error: 529,
};

/**
 * The HTTP status an error a stream began with stands for, so retries and fallbacks route on it as on
 * the same error sent before the stream: pk's own codes by their catalogue status, a vendor's by its
 * error type, anything else a 502.
 */
export function statusOfStreamError(error: OpenAIErrorEnvelope['error']): number {
  const code = error.code;
  if (typeof code === 'string' && Object.hasOwn(PK_ERROR_CATALOGUE, code)) {
    return PK_ERROR_CATALOGUE[code as PkErrorCode].status;
  }
  const type = error.type;
  if (typeof type === 'string' && Object.hasOwn(STATUS_OF_ERROR_TYPE, type)) {
    return STATUS_OF_ERROR_TYPE[type] ?? 502;
  }
  return 502;
}
