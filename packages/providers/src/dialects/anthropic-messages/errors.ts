import type { OpenAIErrorEnvelope } from '@pk/config';
import type { StreamOutput } from '../../spec/provider-adapter.js';

/** Anthropic's error types (https://docs.anthropic.com/en/api/errors#http-errors). */
const MESSAGES_ERROR_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'billing_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'timeout_error',
  'api_error',
  'overloaded_error',
]);

/** Anthropic's error type for an HTTP status, as its API documents them. */
function errorTypeOfStatus(status: number | undefined): string {
  switch (status) {
    case 400:
    case 415:
    case 422:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 408:
    case 504:
      return 'timeout_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return status !== undefined && status < 500 ? 'invalid_request_error' : 'api_error';
  }
}

/** Anthropic's error body. */
export interface MessagesErrorBody {
  readonly type: 'error';
  readonly error: { readonly type: string; readonly message: string; readonly code?: string };
}

/**
 * An OpenAI error envelope (pk's own or a provider's) → Anthropic's error body
 * `{"type":"error","error":{"type","message"}}`, with pk's `PK_ERR_*` code (or the vendor's code) as
 * `error.code`. The type is kept when it is one of Anthropic's, else derived from the status
 * (`server_error` → `api_error`, a 429 → `rate_limit_error` …).
 * @see https://docs.anthropic.com/en/api/errors
 */
export function messagesErrorBodyOf(envelope: OpenAIErrorEnvelope, status?: number): MessagesErrorBody {
  const { type, message, code } = envelope.error;
  const anthropicType =
    typeof type === 'string' && MESSAGES_ERROR_TYPES.has(type) ? type : errorTypeOfStatus(status);
  return {
    type: 'error',
    error: {
      type: anthropicType,
      message,
      ...(typeof code === 'string' && code !== '' ? { code } : {}),
    },
  };
}

/** The stream item of an error on a Messages stream: `event: error` with Anthropic's body. */
export function messagesErrorOutput(envelope: OpenAIErrorEnvelope): StreamOutput {
  return { type: 'error', envelope, data: JSON.stringify(messagesErrorBodyOf(envelope)) };
}
