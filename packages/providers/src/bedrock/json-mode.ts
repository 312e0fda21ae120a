import type { OpenAIChatRequest } from '../openai-format/chat-completion-request.js';
import { responseJsonSchema, wantsJson } from '../shared/chat-request.js';

/**
 * The tool pk adds for `response_format` on Bedrock: Converse has no JSON mode across models, so the
 * model is made to call this tool and its input becomes the answer's `content`.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/tool-use.html
 */
export const BEDROCK_JSON_TOOL_NAME = 'json_response';

/** The `toolSpec` standing for `response_format`, or `undefined` for a text request. */
export function bedrockJsonToolSpec(chat: OpenAIChatRequest): Record<string, unknown> | undefined {
  if (!wantsJson(chat)) return undefined;
  return {
    toolSpec: {
      name: BEDROCK_JSON_TOOL_NAME,
      description: 'Respond with a JSON object.',
      inputSchema: { json: responseJsonSchema(chat) ?? { type: 'object' } },
    },
  };
}

/** Whether a request body asked for JSON (so a `json_response` tool call is the answer's content). */
export function wantsBedrockJson(body: Readonly<Record<string, unknown>>): boolean {
  const format = body.response_format;
  return typeof format === 'object' && format !== null && (format as { type?: unknown }).type !== 'text';
}
