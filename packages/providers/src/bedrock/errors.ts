import { CONTEXT_LENGTH_EXCEEDED, fallbackErrorMessage, upstreamErrorFrom } from '../shared/error-body.js';
import { parseJsonOrUndefined } from '../shared/json.js';
import type { UpstreamErrorInput } from '../spec/provider-adapter.js';
import type { UpstreamError } from '../spec/upstream-error.js';
import { bedrockErrorBodySchema } from './api.js';

const TOO_LONG = /input is too long|too many (input )?tokens|exceeds? the (maximum|context)/i;

/**
 * Where an `InvalidSignatureException` message starts quoting what AWS signed: the canonical request
 * (every signed header, `x-amz-security-token` and its value included) and the string to sign.
 */
const SIGNED_TEXT = /\s*The (Canonical String for this request|String-to-Sign) should have been[\s\S]*$/;

/** A message without the signed text AWS quotes after a signature mismatch (its explanation kept). */
function withoutSignedText(message: string): string {
  const cut = message.replace(SIGNED_TEXT, '');
  return cut === '' && message !== '' ? 'The request signature does not match the one AWS calculated.' : cut;
}

function rawOf(input: UpstreamErrorInput, parsed: unknown, cutMessage: string | undefined): unknown {
  if (cutMessage !== undefined) return { message: cutMessage };
  return parsed ?? input.body.slice(0, 2000);
}

/**
 * Bedrock error answer (`{"message": "…"}`, the type in `x-amzn-errortype`:
 * `ValidationException`, `ThrottlingException`, `AccessDeniedException` …) → {@link UpstreamError}.
 * 429 and 5xx are retryable; "Input is too long" gets `context_length_exceeded`. The canonical request
 * and string to sign an `InvalidSignatureException` quotes (with the session token in it) are cut.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_Errors
 */
export function toBedrockUpstreamError(input: UpstreamErrorInput): UpstreamError {
  const parsed = bedrockErrorBodySchema.safeParse(parseJsonOrUndefined(input.body));
  const vendorMessage =
    (parsed.success ? (parsed.data.message ?? parsed.data.Message) : undefined) ??
    fallbackErrorMessage(input);
  // A signature mismatch quotes the canonical request, session token and all: never passed on.
  const message = withoutSignedText(vendorMessage);
  const type = input.headers['x-amzn-errortype']?.split(':')[0] || null;
  return upstreamErrorFrom(input, {
    message,
    type,
    code: TOO_LONG.test(message) ? CONTEXT_LENGTH_EXCEEDED : null,
    raw: rawOf(
      input,
      parsed.success ? parsed.data : undefined,
      message === vendorMessage ? undefined : message,
    ),
  });
}
