import type { OpenAIErrorEnvelope } from '@pk/config';
import { statusOfStreamError } from '../../shared/stream-error-status.js';
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

/** Whether a type is one of Anthropic's error types. */
export function isMessagesErrorType(type: unknown): boolean {
  return typeof type === 'string' && MESSAGES_ERROR_TYPES.has(type);
}

/** Anthropic's error type of each HTTP status its API documents. */
const ERROR_TYPE_OF_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'timeout_error',
  413: 'request_too_large',
  415: 'invalid_request_error',
  422: 'invalid_request_error',
  // Not Anthropic's: Bedrock's ModelStreamErrorException ("retry your request"), the model's failure.
  424: 'api_error',
  429: 'rate_limit_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

/**
 * The Anthropic error type of an answer: the one its status documents (an OpenAI 401 says
 * `invalid_request_error`, Anthropic's SDK expects `authentication_error`), else the provider's own
 * when Anthropic has it, else `invalid_request_error` for a 4xx and `api_error` for the rest.
 */
function anthropicErrorType(type: unknown, status: number | undefined): string {
  const ofStatus = status === undefined ? undefined : ERROR_TYPE_OF_STATUS[status];
  if (ofStatus !== undefined) return ofStatus;
  if (typeof type === 'string' && MESSAGES_ERROR_TYPES.has(type)) return type;
  return status !== undefined && status < 500 ? 'invalid_request_error' : 'api_error';
}

/** Anthropic's error body. */
export interface MessagesErrorBody {
  readonly type: 'error';
  readonly error: {
    readonly type: string;
    readonly message: string;
    readonly code?: string;
    readonly [vendorField: string]: unknown;
  };
}

/**
 * An OpenAI error envelope (pk's own or a provider's) → Anthropic's error body
 * `{"type":"error","error":{"type","message"}}`, with pk's `PK_ERR_*` code (or the vendor's code) as
 * `error.code`, and the provider's other error fields as it sent them (Azure's `innererror`, which names
 * the content filter that refused the prompt). The type is the one Anthropic documents for the status (a 401 → `authentication_error`,
 * a 429 → `rate_limit_error` …), else the provider's own when it is one of Anthropic's (`server_error` →
 * `api_error`).
 * @see https://docs.anthropic.com/en/api/errors
 */
export function messagesErrorBodyOf(envelope: OpenAIErrorEnvelope, status?: number): MessagesErrorBody {
  const { type, message, code, param: _param, ...vendorFields } = envelope.error;
  const anthropicType = anthropicErrorType(type, status);
  return {
    type: 'error',
    error: {
      ...vendorFields,
      type: anthropicType,
      message,
      ...(typeof code === 'string' && code !== '' ? { code } : {}),
    },
  };
}

/**
 * Anthropic's body of an error inside a Messages stream: an error whose type is not Anthropic's gets
 * the type of the status it stands for (Bedrock's `throttlingException` → 429 → `rate_limit_error`,
 * pk's 446 → `invalid_request_error`), as it would have before the stream began.
 */
export function messagesStreamErrorBodyOf(envelope: OpenAIErrorEnvelope): MessagesErrorBody {
  const status = isMessagesErrorType(envelope.error.type) ? undefined : statusOfStreamError(envelope.error);
  return messagesErrorBodyOf(envelope, status);
}

/** The stream item of an error on a Messages stream: `event: error` with Anthropic's body. */
export function messagesErrorOutput(envelope: OpenAIErrorEnvelope): StreamOutput {
  return { type: 'error', envelope, data: JSON.stringify(messagesStreamErrorBodyOf(envelope)) };
}
