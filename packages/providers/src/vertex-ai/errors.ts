import { toAnthropicUpstreamError } from '../anthropic/errors.js';
import { toGoogleUpstreamError } from '../google/errors.js';
import { isJsonObject, parseJsonOrUndefined } from '../shared/json.js';
import type { UpstreamErrorInput } from '../spec/provider-adapter.js';
import type { UpstreamError } from '../spec/upstream-error.js';

/**
 * Vertex error answer → {@link UpstreamError}: Claude models answer Anthropic's `{"type": "error"}`
 * body, everything else Google's `{"error": {"code", "message", "status"}}`.
 */
export function toVertexAIUpstreamError(input: UpstreamErrorInput): UpstreamError {
  const json = parseJsonOrUndefined(input.body);
  return isJsonObject(json) && json.type === 'error'
    ? toAnthropicUpstreamError(input)
    : toGoogleUpstreamError(input);
}
