import { CONTEXT_LENGTH_EXCEEDED, fallbackErrorMessage, upstreamErrorFrom } from '../shared/error-body.js';
import { parseJsonOrUndefined } from '../shared/json.js';
import type { UpstreamErrorInput } from '../spec/provider-adapter.js';
import type { UpstreamError } from '../spec/upstream-error.js';
import { googleErrorBodySchema } from './api.js';

const TOO_LONG = /exceeds the maximum number of tokens|input token count.*exceeds/i;

/**
 * Google error answer (`{"error": {"code", "message", "status"}}`, also Vertex AI's) →
 * {@link UpstreamError}: `status` (`RESOURCE_EXHAUSTED`, `INVALID_ARGUMENT` …) kept as the type, a
 * prompt over the window gets `context_length_exceeded`, 429 and 5xx are retryable.
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
 */
export function toGoogleUpstreamError(input: UpstreamErrorInput): UpstreamError {
  const json = parseJsonOrUndefined(input.body);
  const parsed = googleErrorBodySchema.safeParse(Array.isArray(json) ? json[0] : json);
  const error = parsed.success ? parsed.data.error : undefined;
  const message = error?.message ?? fallbackErrorMessage(input);
  return upstreamErrorFrom(input, {
    message,
    type: error?.status ?? null,
    code: TOO_LONG.test(message) ? CONTEXT_LENGTH_EXCEEDED : null,
    raw: parsed.success ? parsed.data : input.body.slice(0, 2000),
  });
}
