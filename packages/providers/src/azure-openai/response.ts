import { fromOpenAIResponse } from '../openai/response.js';

/**
 * Azure answers are OpenAI's, plus `prompt_filter_results` / `content_filter_results`: returned
 * unchanged (the openai SDK ignores the extra fields).
 */
export function fromAzureOpenAIResponse(body: unknown): unknown {
  return fromOpenAIResponse(body);
}
