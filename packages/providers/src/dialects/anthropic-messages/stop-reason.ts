import type { OpenAIFinishReason, StopDetails } from '../../openai-format/chat-completion.js';

/** An Anthropic `stop_reason` (https://docs.anthropic.com/en/api/handling-stop-reasons). */
export type MessagesStopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'refusal'
  | 'model_context_window_exceeded';

/**
 * OpenAI `finish_reason` → Anthropic `stop_reason`: `stop` is `end_turn` (chat completions do not say
 * whether a stop sequence ended the turn), `length` is `max_tokens`, `tool_calls` (and the legacy
 * `function_call`) is `tool_use`, `content_filter` is `refusal`.
 */
export function messagesStopReasonOf(
  finishReason: OpenAIFinishReason | null | undefined,
): MessagesStopReason {
  switch (finishReason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/** A Message's `stop_reason` and `stop_sequence`. */
export interface MessagesStop {
  readonly stop_reason: MessagesStopReason;
  readonly stop_sequence: string | null;
}

/**
 * The `stop_reason` and `stop_sequence` of a translated answer: `refusal` when the model refused;
 * else the adapter's `stop_details` when it gave them (`stop_sequence` with the sequence that matched,
 * or `null` when unknown; `model_context_window_exceeded`), which say more than OpenAI's finish reason;
 * else {@link messagesStopReasonOf}, with no sequence.
 */
export function messagesStopOf(
  finishReason: OpenAIFinishReason | null | undefined,
  details: StopDetails | undefined,
  refused: boolean,
): MessagesStop {
  if (refused) return { stop_reason: 'refusal', stop_sequence: null };
  if (details?.reason === 'stop_sequence')
    return { stop_reason: 'stop_sequence', stop_sequence: details.sequence };
  if (details?.reason === 'model_context_window_exceeded')
    return { stop_reason: 'model_context_window_exceeded', stop_sequence: null };
  return { stop_reason: messagesStopReasonOf(finishReason), stop_sequence: null };
}
