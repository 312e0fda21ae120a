/**
 * Finish reasons of an answer that stopped before it was done: cut at the token limit, or stopped or
 * filtered for safety. OpenAI's own (`length`, `content_filter`,
 * https://platform.openai.com/docs/api-reference/chat/object), and the providers' native ones a
 * non-strict request keeps (`x-portkey-strict-open-ai-compliance: false`): Anthropic's and Bedrock's
 * `max_tokens`, `model_context_window_exceeded`, `refusal`, `guardrail_intervened`,
 * `content_filtered`; Gemini's and Cohere's `MAX_TOKENS` and Gemini's safety stops.
 */
const CUT_SHORT_REASONS: ReadonlySet<string> = new Set([
  'length',
  'content_filter',
  'max_tokens',
  'model_context_window_exceeded',
  'refusal',
  'guardrail_intervened',
  'content_filtered',
  'MAX_TOKENS',
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'LANGUAGE',
]);

function isCutShortReason(reason: unknown): boolean {
  return typeof reason === 'string' && CUT_SHORT_REASONS.has(reason);
}

/**
 * Whether an answer body (as the client gets it) was cut short or filtered: a chat or legacy
 * completion with such a `finish_reason` in any choice, a Messages answer with such a `stop_reason`
 * (`max_tokens`, `model_context_window_exceeded`, `refusal`), a Responses answer whose `status` is `incomplete`. The cache never
 * stores one: a later request would get half an answer, or a refusal, that a new call might not give.
 */
export function isCutShort(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const answer = body as { choices?: unknown; stop_reason?: unknown; status?: unknown; object?: unknown };
  if (Array.isArray(answer.choices)) {
    for (const choice of answer.choices) {
      if (typeof choice === 'object' && choice !== null && isCutShortReason(choice.finish_reason))
        return true;
    }
    return false;
  }
  if (answer.object === 'response') return answer.status === 'incomplete';
  return isCutShortReason(answer.stop_reason);
}
