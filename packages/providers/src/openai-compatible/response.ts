import { fromOpenAIResponse } from '../openai/response.js';
import { isJsonObject } from '../shared/json.js';
import type { PreparedRequest, ProviderContext } from '../spec/provider-adapter.js';
import type { OpenAICompatibleConfig } from './config.js';

/**
 * OpenAI-compatible answers are returned as sent, vendor fields included (`citations`, `request_id`,
 * `reasoning_content` …), finish reasons mapped where the vendor has its own (`finishReasons`), and
 * with the repairs OpenAI's object needs: `message.content: null` on tool-call
 * answers that omit it (Groq's documented example does), no `tool_calls: null`, and `object`, `created` and `model` where
 * the vendor leaves them out (GLM answers have no `object`; AI21's have no `created`).
 */
export function fromOpenAICompatibleResponse(
  config: OpenAICompatibleConfig,
  body: unknown,
  request?: PreparedRequest,
  context?: ProviderContext,
): unknown {
  const finishReasons = context?.strictOpenAICompliance === false ? undefined : config.finishReasons;
  const answer = fromOpenAIResponse(body);
  if (!isJsonObject(answer) || !Array.isArray(answer.choices)) return answer;
  if (request?.endpoint === 'chat.completions') {
    answer.object ??= 'chat.completion';
    answer.model ??= String(request.body.model ?? '');
    if (context !== undefined) answer.created ??= Math.floor(context.now() / 1000);
  }
  for (const choice of answer.choices) {
    if (!isJsonObject(choice)) continue;
    if (isJsonObject(choice.message)) {
      if (!('content' in choice.message)) choice.message.content = null;
      // OpenAI leaves `tool_calls` out when there are none; Mistral and AI21 send `null`.
      if (choice.message.tool_calls === null) delete choice.message.tool_calls;
    }
    const mapped =
      typeof choice.finish_reason === 'string' ? finishReasons?.[choice.finish_reason] : undefined;
    if (mapped !== undefined) choice.finish_reason = mapped;
  }
  return answer;
}
