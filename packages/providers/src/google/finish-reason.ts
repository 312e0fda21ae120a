import type { OpenAIFinishReason } from '../openai-format/chat-completion.js';

const SAFETY_REASONS = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'LANGUAGE',
]);

/**
 * Gemini `finishReason` → OpenAI: `MAX_TOKENS` is `length`; safety stops (`SAFETY`, `RECITATION`,
 * `BLOCKLIST`, `PROHIBITED_CONTENT`, `SPII` …) are `content_filter`; a stop after function calls is
 * `tool_calls`; the rest `stop`.
 * @see https://ai.google.dev/api/generate-content#FinishReason
 */
export function mapGoogleFinishReason(
  reason: string | null | undefined,
  calledTools: boolean,
): OpenAIFinishReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason !== null && reason !== undefined && SAFETY_REASONS.has(reason)) return 'content_filter';
  return calledTools ? 'tool_calls' : 'stop';
}
