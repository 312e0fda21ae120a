import { parseRetryAfter } from '@pk/config';
import { parseJsonOrUndefined } from '../shared/json.js';
import type { UpstreamErrorInput } from '../spec/provider-adapter.js';
import { UpstreamError } from '../spec/upstream-error.js';
import { anthropicErrorBodySchema } from './api.js';

const PROMPT_TOO_LONG = /prompt is too long|context window|too many tokens/i;

/**
 * The code OpenAI clients test for an Anthropic error: `context_length_exceeded` for a prompt over
 * the model's window (so `code === "context_length_exceeded"` works across providers), else none.
 */
function codeOf(type: string | null | undefined, message: string): string | null {
  return type === 'invalid_request_error' && PROMPT_TOO_LONG.test(message) ? 'context_length_exceeded' : null;
}

/**
 * Anthropic error answer → {@link UpstreamError}: the vendor `type` kept (`overloaded_error`,
 * `rate_limit_error` …), 429/500/529 retryable, `retry-after` honoured.
 * @see https://docs.anthropic.com/en/api/errors
 */
export function toAnthropicUpstreamError(input: UpstreamErrorInput): UpstreamError {
  const parsed = anthropicErrorBodySchema.safeParse(parseJsonOrUndefined(input.body));
  const error = parsed.success ? parsed.data.error : undefined;
  const message = error?.message ?? (input.body.trim().slice(0, 500) || `HTTP ${input.status}`);
  const retryAfterMs = parseRetryAfter(input.headers, input.now);
  return new UpstreamError({
    provider: input.provider,
    status: input.status,
    message,
    type: error?.type ?? null,
    code: codeOf(error?.type, message),
    raw: parsed.success ? parsed.data : input.body.slice(0, 2000),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** A 2xx answer that is not a Message: reported as an unreadable upstream (502, retryable). */
export function toAnthropicUpstreamErrorFromInvalidBody(provider: string): UpstreamError {
  return new UpstreamError({
    provider,
    status: 502,
    message: 'the provider answered with an unexpected body',
    type: 'api_error',
    code: 'PK_ERR_UPSTREAM_UNAVAILABLE',
  });
}
