import { toOpenAIUpstreamError } from '../openai/errors.js';
import type { UpstreamErrorInput } from '../spec/provider-adapter.js';
import type { UpstreamError } from '../spec/upstream-error.js';

/** OpenAI-compatible error bodies: OpenAI's envelope, or `{"message"}` / `{"detail"}` / `{"error":"…"}`. */
export function toOpenAICompatibleUpstreamError(input: UpstreamErrorInput): UpstreamError {
  return toOpenAIUpstreamError(input);
}
