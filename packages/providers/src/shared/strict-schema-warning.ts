import type { OpenAIChatRequest } from '../openai-format/chat-completion-request.js';

/**
 * The warning for `response_format.json_schema.strict: true` sent to a provider pk asks for JSON
 * through a forced tool call (Claude on Anthropic, Bedrock or Vertex AI; Bedrock's other models): the
 * schema guides the model, but nothing holds the answer to it as OpenAI's strict mode does, so the
 * client is told rather than left to trust a guarantee it does not have. `undefined` otherwise.
 */
export function unenforcedStrictSchemaWarning(
  responseFormat: OpenAIChatRequest['response_format'],
  provider: string,
): string | undefined {
  if (responseFormat?.type !== 'json_schema' || responseFormat.json_schema.strict !== true) return undefined;
  return `response_format.json_schema.strict is not supported by ${provider} (the schema is sent as a tool's input schema, which ${provider} does not enforce), so the answer is not guaranteed to match it`;
}

/**
 * The warnings for function tools sent with `strict: true` to a provider that has no strict mode for
 * tools (Gemini, Bedrock Converse, Claude on Vertex AI, where it is an organisation-policy feature pk
 * cannot see): the flag is dropped, and the client is told the call's arguments are not guaranteed to
 * match the tool's parameters, as OpenAI's strict mode guarantees. One per such tool.
 */
export function unenforcedStrictToolWarnings(tools: OpenAIChatRequest['tools'], provider: string): string[] {
  return (tools ?? []).flatMap((tool, index) =>
    tool.function.strict === true
      ? [
          `tools[${index}].function.strict is not supported by ${provider} and was dropped: the arguments of a call to '${tool.function.name}' are not guaranteed to match its parameters`,
        ]
      : [],
  );
}
