import { CONTEXT_LENGTH_EXCEEDED, fallbackErrorMessage, upstreamErrorFrom } from '../shared/error-body.js';
import { parseJsonOrUndefined } from '../shared/json.js';
import type { UpstreamErrorInput } from '../spec/provider-adapter.js';
import type { UpstreamError } from '../spec/upstream-error.js';
import { cohereErrorBodySchema } from './api.js';

const TOO_MANY_TOKENS = /too many tokens|exceeds? the (model's )?(context|maximum)/i;

const TYPE_OF_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
};

/**
 * Cohere error answer (`{"id": "…", "message": "…"}`) → {@link UpstreamError}: the status gives the
 * type, a prompt over the window gets `context_length_exceeded`, 429 and 5xx are retryable.
 * @see https://docs.cohere.com/reference/errors
 */
export function toCohereUpstreamError(input: UpstreamErrorInput): UpstreamError {
  const parsed = cohereErrorBodySchema.safeParse(parseJsonOrUndefined(input.body));
  const message = (parsed.success ? parsed.data.message : undefined) ?? fallbackErrorMessage(input);
  return upstreamErrorFrom(input, {
    message,
    type: TYPE_OF_STATUS[input.status] ?? 'api_error',
    code: input.status === 400 && TOO_MANY_TOKENS.test(message) ? CONTEXT_LENGTH_EXCEEDED : null,
    raw: parsed.success ? parsed.data : input.body.slice(0, 2000),
  });
}
