import { type OpenAIErrorEnvelope, PK_ERROR_CATALOGUE, type PkErrorCode } from '@pk/config';

/**
 * Vendors' in-band error types and the HTTP status each vendor answers the same error with outside a
 * stream (Anthropic's `overloaded_error` is its 529, OpenAI's `server_error` a 500 …). Bedrock's
 * exception members are keyed as its event stream names them (`:exception-type`), Google's statuses
 * as its error bodies spell them.
 * @see https://docs.anthropic.com/en/api/errors
 * @see https://platform.openai.com/docs/guides/error-codes
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
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
  // Bedrock ConverseStream / InvokeModelWithResponseStream exception events.
  validationException: 400,
  modelTimeoutException: 408,
  throttlingException: 429,
  modelStreamErrorException: 424,
  internalServerException: 500,
  serviceUnavailableException: 503,
  // Google (Gemini API, Vertex AI) statuses, for an error that carries no numeric code.
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

/**
 * The HTTP status an error a stream began with stands for, so retries and fallbacks route on it as on
 * the same error sent before the stream: pk's own codes by their catalogue status, a numeric `code`
 * that is an HTTP error status as that status (Google's in-stream `{"error":{"code":429,…}}`, and
 * OpenAI-compatible vendors that do the same), a vendor's error type by the table above, anything
 * else a 502.
 */
export function statusOfStreamError(error: OpenAIErrorEnvelope['error']): number {
  const code = error.code;
  if (typeof code === 'string' && Object.hasOwn(PK_ERROR_CATALOGUE, code)) {
    return PK_ERROR_CATALOGUE[code as PkErrorCode].status;
  }
  if (typeof code === 'number' && Number.isInteger(code) && code >= 400 && code <= 599) return code;
  const type = error.type;
  if (typeof type === 'string' && Object.hasOwn(STATUS_OF_ERROR_TYPE, type)) {
    return STATUS_OF_ERROR_TYPE[type] ?? 502;
  }
  return 502;
}
