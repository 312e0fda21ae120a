import type { OpenAIFinishReason } from '../openai-format/chat-completion.js';

/**
 * Anthropic `stop_reason` → OpenAI `finish_reason`. A `refusal` (safety stop) is `content_filter`.
 * @see https://docs.anthropic.com/en/api/messages#response-stop-reason
 */
export function mapAnthropicStopReason(stopReason: string | null | undefined): OpenAIFinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}
