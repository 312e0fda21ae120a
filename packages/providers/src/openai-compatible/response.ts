import { fromOpenAIResponse } from '../openai/response.js';
import { isJsonObject } from '../shared/json.js';
import type { PreparedRequest, ProviderContext } from '../spec/provider-adapter.js';
import type { OpenAICompatibleConfig } from './config.js';
import { mappedFinishReason } from './finish-reason.js';

type FinishReasons = OpenAICompatibleConfig['finishReasons'];

/**
 * OpenAI-compatible answers are returned as sent, vendor fields included (`citations`, `request_id`,
 * `reasoning_content` …), finish reasons mapped where the vendor has its own (`finishReasons`; kept as
 * they came with native finish reasons on), and
 * with the repairs OpenAI's object needs: `message.content: null` on tool-call answers that omit it
 * (Groq's documented example does), no `tool_calls: null`, and `object`, `created` and `model` where
 * the vendor leaves them out (GLM answers have no `object`; AI21's have no `created`).
 *
 * An answer that needs none of this is returned as the very object it was given (it then goes back to
 * the client as the vendor's text, see `rememberAnswerJson`); a repaired one is a copy, the vendor's
 * object is never changed in place.
 */
export function fromOpenAICompatibleResponse(
  config: OpenAICompatibleConfig,
  body: unknown,
  request?: PreparedRequest,
  context?: ProviderContext,
): unknown {
  const finishReasons = context?.nativeFinishReasons === true ? undefined : config.finishReasons;
  const answer = fromOpenAIResponse(body);
  if (!isJsonObject(answer) || !Array.isArray(answer.choices)) return answer;
  const filled: Record<string, unknown> = {};
  if (request?.endpoint === 'chat.completions') {
    if (answer.object == null) filled.object = 'chat.completion';
    if (answer.model == null) filled.model = String(request.body.model ?? '');
    if (context !== undefined && answer.created == null) filled.created = Math.floor(context.now() / 1000);
  }
  let choices: unknown[] | undefined;
  answer.choices.forEach((choice: unknown, index: number) => {
    const repaired = repairedChoice(choice, finishReasons);
    if (repaired === choice) return;
    choices ??= [...(answer.choices as unknown[])];
    choices[index] = repaired;
  });
  if (Object.keys(filled).length === 0 && choices === undefined) return answer;
  return { ...answer, ...filled, ...(choices === undefined ? {} : { choices }) };
}

/** The choice with OpenAI's repairs and the vendor's finish reason mapped, or the choice itself when it needs none. */
function repairedChoice(choice: unknown, finishReasons: FinishReasons): unknown {
  if (!isJsonObject(choice)) return choice;
  const message = isJsonObject(choice.message) ? repairedMessage(choice.message) : choice.message;
  const mapped = mappedFinishReason(finishReasons, choice.finish_reason);
  if (message === choice.message && mapped === undefined) return choice;
  return { ...choice, message, ...(mapped === undefined ? {} : { finish_reason: mapped }) };
}

function repairedMessage(message: Record<string, unknown>): Record<string, unknown> {
  const lacksContent = !('content' in message);
  if (!lacksContent && message.tool_calls !== null) return message;
  const repaired = { ...message };
  if (lacksContent) repaired.content = null;
  // OpenAI leaves `tool_calls` out when there are none; Mistral and AI21 send `null`.
  if (repaired.tool_calls === null) delete repaired.tool_calls;
  return repaired;
}
