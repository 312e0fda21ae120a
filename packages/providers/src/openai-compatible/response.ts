import { fromOpenAIResponse } from '../openai/response.js';

/** OpenAI-compatible answers are returned unchanged (see {@link fromOpenAIResponse}). */
export function fromOpenAICompatibleResponse(body: unknown): unknown {
  return fromOpenAIResponse(body);
}
