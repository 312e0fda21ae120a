import type { OpenAIChatRequest } from '../openai-format/chat-completion-request.js';

/**
 * Name of the tool pk adds to carry `response_format` JSON: Anthropic has no JSON mode, so the model is
 * made to call this tool and its input becomes the answer's `content`.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/tool-use#json-mode
 */
export const ANTHROPIC_JSON_TOOL_NAME = 'json_response';

/** The tool that stands for `response_format`, or `undefined` when the request asks for text. */
export function anthropicJsonTool(
  responseFormat: OpenAIChatRequest['response_format'],
): { name: string; description: string; input_schema: Record<string, unknown> } | undefined {
  if (!responseFormat || responseFormat.type === 'text') return undefined;
  if (responseFormat.type === 'json_schema') {
    const schema = responseFormat.json_schema;
    return {
      name: ANTHROPIC_JSON_TOOL_NAME,
      description: schema.description ?? `Respond with a JSON object (${schema.name}).`,
      input_schema: schema.schema ?? { type: 'object' },
    };
  }
  return {
    name: ANTHROPIC_JSON_TOOL_NAME,
    description: 'Respond with a JSON object.',
    input_schema: { type: 'object' },
  };
}

/** Whether a request asked for JSON (so a `json_response` tool call is the answer's content). */
export function wantsAnthropicJson(body: Readonly<Record<string, unknown>>): boolean {
  const format = body.response_format;
  return typeof format === 'object' && format !== null && (format as { type?: unknown }).type !== 'text';
}
