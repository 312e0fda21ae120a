import { CONTEXT_LENGTH_EXCEEDED, fallbackErrorMessage, upstreamErrorFrom } from '../shared/error-body.js';
import { parseJsonOrUndefined } from '../shared/json.js';
import type { UpstreamErrorInput } from '../spec/provider-adapter.js';
import type { UpstreamError } from '../spec/upstream-error.js';
import { bedrockErrorBodySchema } from './api.js';

const TOO_LONG = /input is too long|too many (input )?tokens|exceeds? the (maximum|context)/i;

/**
 * Bedrock error answer (`{"message": "…"}`, the type in `x-amzn-errortype`:
 * `ValidationException`, `ThrottlingException`, `AccessDeniedException` …) → {@link UpstreamError}.
 * 429 and 5xx are retryable; "Input is too long" gets `context_length_exceeded`.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_Errors
 */
export function toBedrockUpstreamError(input: UpstreamErrorInput): UpstreamError {
  const parsed = bedrockErrorBodySchema.safeParse(parseJsonOrUndefined(input.body));
  const message =
    (parsed.success ? (parsed.data.message ?? parsed.data.Message) : undefined) ??
    fallbackErrorMessage(input);
  const type = input.headers['x-amzn-errortype']?.split(':')[0] || null;
  return upstreamErrorFrom(input, {
    message,
    type,
    code: TOO_LONG.test(message) ? CONTEXT_LENGTH_EXCEEDED : null,
    raw: parsed.success ? parsed.data : input.body.slice(0, 2000),
  });
}
