import { z } from 'zod';

/** A text part of a message (https://platform.openai.com/docs/api-reference/chat/create#chat-create-messages). */
export const openAITextPartSchema = z.looseObject({ type: z.literal('text'), text: z.string() });

/** An image part: an `https:` or `data:` URL. */
export const openAIImagePartSchema = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({ url: z.string(), detail: z.string().optional() }),
});

/** Any content part; parts we do not translate keep their `type` so a warning can name them. */
export const openAIContentPartSchema = z.union([
  openAITextPartSchema,
  openAIImagePartSchema,
  z.looseObject({ type: z.string() }),
]);

/** One tool call of an assistant message. */
export const openAIToolCallSchema = z.looseObject({
  id: z.string(),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

/**
 * A reasoning block kept with its signature (LiteLLM's `thinking_blocks` convention), so an assistant
 * turn with extended thinking can be sent back to Anthropic unchanged.
 */
export const thinkingBlockSchema = z.union([
  z.looseObject({ type: z.literal('thinking'), thinking: z.string(), signature: z.string() }),
  z.looseObject({ type: z.literal('redacted_thinking'), data: z.string() }),
]);

/** One message of a chat request; fields we do not read pass through. */
export const openAIMessageSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(openAIContentPartSchema)]).nullish(),
  name: z.string().optional(),
  tool_calls: z.array(openAIToolCallSchema).nullish(),
  tool_call_id: z.string().optional(),
  reasoning_content: z.string().nullish(),
  thinking_blocks: z.array(thinkingBlockSchema).nullish(),
});

/** A function tool definition. */
export const openAIToolSchema = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string(),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

/** `tool_choice`: a mode or one named function. */
export const openAIToolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) }),
]);

/** `response_format`: text, JSON mode, or a JSON schema. */
export const openAIResponseFormatSchema = z.union([
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({
      name: z.string(),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

/**
 * The fields of a chat completion request that translating adapters read
 * (https://platform.openai.com/docs/api-reference/chat/create). Loose: everything else passes through.
 */
export const openAIChatRequestSchema = z.looseObject({
  model: z.string(),
  messages: z.array(openAIMessageSchema).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  tools: z.array(openAIToolSchema).nullish(),
  tool_choice: openAIToolChoiceSchema.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: openAIResponseFormatSchema.nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  n: z.number().int().nullish(),
  user: z.string().nullish(),
});

/** A parsed chat request. */
export type OpenAIChatRequest = z.infer<typeof openAIChatRequestSchema>;
/** A parsed message. */
export type OpenAIMessage = z.infer<typeof openAIMessageSchema>;
/** A parsed content part. */
export type OpenAIContentPart = z.infer<typeof openAIContentPartSchema>;
/** A reasoning block with its signature. */
export type ThinkingBlock = z.infer<typeof thinkingBlockSchema>;
