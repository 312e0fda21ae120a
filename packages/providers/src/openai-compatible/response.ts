import { fromOpenAIResponse } from '../openai/response.js';
import { isJsonObject } from '../shared/json.js';

/**
 * OpenAI-compatible answers are returned as sent, with one repair: vendors that omit
 * `message.content` on tool-call answers (Groq's documented example does) get `content: null`, as
 * OpenAI's object requires.
 */
export function fromOpenAICompatibleResponse(body: unknown): unknown {
  const answer = fromOpenAIResponse(body);
  if (!isJsonObject(answer) || !Array.isArray(answer.choices)) return answer;
  for (const choice of answer.choices) {
    if (isJsonObject(choice) && isJsonObject(choice.message) && !('content' in choice.message)) {
      choice.message.content = null;
    }
  }
  return answer;
}
