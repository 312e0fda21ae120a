import type { OpenAIFinishReason } from '../../openai-format/chat-completion.js';

/** An Anthropic `stop_reason` (https://docs.anthropic.com/en/api/handling-stop-reasons). */
export type MessagesStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';

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
