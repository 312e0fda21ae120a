/**
 * Finish reasons of an answer that stopped before it was done: cut at the token limit, or stopped or
 * filtered for safety. OpenAI's own (`length`, `content_filter`,
 * https://platform.openai.com/docs/api-reference/chat/object), and the providers' native ones a
 * non-strict request keeps (`x-portkey-strict-open-ai-compliance: false`): Anthropic's and Bedrock's
 * `max_tokens`, `model_context_window_exceeded`, `refusal`, `guardrail_intervened`,
 * `content_filtered`; Gemini's and Cohere's `MAX_TOKENS` and Gemini's safety stops; and OpenRouter's
 * `error` (https://openrouter.ai/docs/api-reference/errors: a generation that failed once begun).
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
  // OpenRouter's choice that failed after the answer began (its `error` beside it).
  'error',
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

/**
 * Whether a 2xx answer body of `endpoint` is a finished answer the cache may store and serve again:
 * a JSON object with no in-band `error` (some OpenAI-compatible servers and routers answer an
 * overload or a failed generation as a 200 whose body is `{"error": …}`: replayed as a hit it would
 * be that failure, served as a success, for the entry's whole lifetime), with its endpoint's answer
 * in it (a chat or legacy completion's `choices`, embeddings' `data`), a Response only once
 * `completed` (a `background` request's `queued` or `in_progress` Response, a `failed` or
 * `cancelled` one, are states of one call, not answers), and not cut short ({@link isCutShort}).
 * Checked when an answer is stored and again when an entry is read, so an entry written by an
 * older pk or by hand in a shared Redis is never served unless it is one.
 */
export function isCacheableAnswerBody(endpoint: string, body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const answer = body as {
    error?: unknown;
    choices?: unknown;
    data?: unknown;
    object?: unknown;
    status?: unknown;
  };
  if (answer.error !== undefined && answer.error !== null) return false;
  if (endpoint === 'chat.completions' || endpoint === 'completions') {
    if (!Array.isArray(answer.choices) || answer.choices.length === 0) return false;
  } else if (endpoint === 'embeddings') {
    if (!Array.isArray(answer.data)) return false;
  } else if (answer.object === 'response' && answer.status !== 'completed') return false;
  return !isCutShort(body);
}
