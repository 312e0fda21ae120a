import { z } from 'zod';

/** A content part of an input message (`input_text`, `input_image`, `output_text` …), lenient. */
export const responsesContentPartSchema = z.looseObject({ type: z.string() });

/**
 * An input item: a message (`type: "message"` or no type, with a role), a `function_call`, a
 * `function_call_output`, or another kind named by `type`.
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-input
 */
export const responsesInputItemSchema = z.looseObject({
  type: z.string().optional(),
  role: z.string().optional(),
  content: z.union([z.string(), z.array(responsesContentPartSchema)]).optional(),
});

/** A tool: a function tool, or a built-in tool named by `type`. */
export const responsesToolSchema = z.looseObject({
  type: z.string(),
  name: z.string().optional(),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

/** `text.format`: text, a JSON object, or a JSON schema. */
export const responsesTextFormatSchema = z.looseObject({
  type: z.string(),
  name: z.string().optional(),
  description: z.string().optional(),
  schema: z.record(z.string(), z.unknown()).optional(),
  strict: z.boolean().nullish(),
});

/**
 * The fields of a Responses request the translation reads
 * (https://platform.openai.com/docs/api-reference/responses/create). Loose: the rest is checked by name.
 */
export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(responsesInputItemSchema)]).optional(),
  instructions: z.string().nullish(),
  tools: z.array(responsesToolSchema).nullish(),
  tool_choice: z
    .union([
      z.enum(['auto', 'none', 'required']),
      z.looseObject({ type: z.string(), name: z.string().optional() }),
    ])
    .nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  stream: z.boolean().nullish(),
  text: z.looseObject({ format: responsesTextFormatSchema.nullish() }).nullish(),
  reasoning: z.looseObject({ effort: z.string().nullish() }).nullish(),
  user: z.string().nullish(),
  safety_identifier: z.string().nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  store: z.boolean().nullish(),
});

/** A parsed Responses request. */
export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;
/** An input item. */
export type ResponsesInputItem = z.infer<typeof responsesInputItemSchema>;
