import type { OpenAIFinishReason } from '../openai-format/chat-completion.js';

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
