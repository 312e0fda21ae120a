/**
 * OpenAI answers are already in OpenAI's format: returned unchanged, unknown fields included.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
export function fromOpenAIResponse(body: unknown): unknown {
  return body;
}
