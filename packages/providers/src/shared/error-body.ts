import { parseRetryAfter } from '@pk/config';
import type { UpstreamErrorInput } from '../spec/provider-adapter.js';
import { UpstreamError } from '../spec/upstream-error.js';

/** The code OpenAI clients test for a prompt over the model's window. */
export const CONTEXT_LENGTH_EXCEEDED = 'context_length_exceeded';

/** The fallback message of an error body we could not read: its first 500 characters or the status. */
export function fallbackErrorMessage(input: UpstreamErrorInput): string {
  return input.body.trim().slice(0, 500) || `HTTP ${input.status}`;
}

/** An {@link UpstreamError} from the parts a vendor's error body gave, `retry-after` honoured. */
export function upstreamErrorFrom(
  input: UpstreamErrorInput,
  parts: {
    readonly message: string;
    readonly type?: string | null;
    readonly code?: string | number | null;
    readonly raw: unknown;
  },
): UpstreamError {
  const retryAfterMs = parseRetryAfter(input.headers, input.now);
  return new UpstreamError({
    provider: input.provider,
    status: input.status,
    message: parts.message,
    type: parts.type ?? null,
    code: parts.code ?? null,
    raw: parts.raw,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** A 2xx answer that is not what the vendor documents: a retryable 502. */
export function unexpectedBodyError(provider: string): UpstreamError {
  return new UpstreamError({
    provider,
    status: 502,
    message: 'the provider answered with an unexpected body',
    type: 'api_error',
    code: 'PK_ERR_UPSTREAM_UNAVAILABLE',
  });
}
