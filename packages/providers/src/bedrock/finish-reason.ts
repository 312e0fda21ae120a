import type { OpenAIFinishReason, StopDetails } from '../openai-format/chat-completion.js';

/**
 * Converse `stopReason` → OpenAI: `max_tokens` is `length`, `tool_use` is `tool_calls`,
 * `guardrail_intervened` and `content_filtered` are `content_filter`, the rest `stop`.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_ResponseSyntax
 */
export function mapBedrockStopReason(reason: string | null | undefined): OpenAIFinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/**
 * What a Converse `stopReason` says beyond OpenAI's finish reason (pk's `stop_details`, for dialect
 * calls): `stop_sequence` with the sequence that matched when the request sent exactly one (Converse
 * does not say which of several matched, and leaves it out of the text), else `null`;
 * `model_context_window_exceeded`. `undefined` for every other reason.
 */
export function bedrockStopDetails(
  reason: string | null | undefined,
  request: Readonly<Record<string, unknown>>,
): StopDetails | undefined {
  if (reason === 'model_context_window_exceeded') return { reason, sequence: null };
  if (reason !== 'stop_sequence') return undefined;
  const stop = request.stop;
  const only = Array.isArray(stop) && stop.length === 1 ? stop[0] : stop;
  return { reason, sequence: typeof only === 'string' ? only : null };
}
