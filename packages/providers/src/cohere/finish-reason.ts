import type { OpenAIFinishReason } from '../openai-format/chat-completion.js';

/**
 * Cohere `finish_reason` → OpenAI: `MAX_TOKENS` is `length`, `TOOL_CALL` is `tool_calls`, the rest
 * (`COMPLETE`, `STOP_SEQUENCE`, `ERROR`, `TIMEOUT`) `stop`.
 * @see https://docs.cohere.com/reference/chat#response.body.finish_reason
 */
export function mapCohereFinishReason(reason: string | null | undefined): OpenAIFinishReason {
  switch (reason) {
    case 'MAX_TOKENS':
      return 'length';
    case 'TOOL_CALL':
      return 'tool_calls';
    default:
      return 'stop';
  }
}
