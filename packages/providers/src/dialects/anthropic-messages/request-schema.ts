import { z } from 'zod';

/**
 * A content block of a Messages request, lenient: every block keeps its `type`, the fields the
 * translation reads are checked where it reads them.
 * @see https://docs.anthropic.com/en/api/messages#body-messages
 */
export const messagesContentBlockSchema = z.looseObject({ type: z.string() });

/** One message: `user` or `assistant`, content a string or blocks. */
export const messagesMessageSchema = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(messagesContentBlockSchema)]),
});

/** A tool: a client tool (`name`, `input_schema`) or a server tool (`type` names it). */
export const messagesToolSchema = z.looseObject({
  name: z.string(),
  type: z.string().nullish(),
  description: z.string().nullish(),
  input_schema: z.record(z.string(), z.unknown()).nullish(),
  /** Strict tool use: the call's input is held to `input_schema`. */
  strict: z.boolean().nullish(),
});

/** `tool_choice`. */
export const messagesToolChoiceSchema = z.looseObject({
  type: z.enum(['auto', 'any', 'tool', 'none']),
  name: z.string().optional(),
  disable_parallel_tool_use: z.boolean().optional(),
});

/**
 * The fields of a Messages request the translation reads
 * (https://docs.anthropic.com/en/api/messages). Loose: the rest is checked by name in the translation.
 */
export const messagesRequestSchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z.array(messagesMessageSchema),
  system: z.union([z.string(), z.array(messagesContentBlockSchema)]).nullish(),
  stop_sequences: z.array(z.string()).nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  top_k: z.number().nullish(),
  stream: z.boolean().nullish(),
  tools: z.array(messagesToolSchema).nullish(),
  tool_choice: messagesToolChoiceSchema.nullish(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).nullish(),
  thinking: z.looseObject({ type: z.string(), budget_tokens: z.number().nullish() }).nullish(),
  output_config: z
    .looseObject({
      effort: z.string().nullish(),
      format: z
        .looseObject({ type: z.string(), schema: z.record(z.string(), z.unknown()).optional() })
        .nullish(),
    })
    .nullish(),
});

/** A parsed Messages request. */
export type MessagesRequest = z.infer<typeof messagesRequestSchema>;
/** A content block of a request. */
export type MessagesContentBlock = z.infer<typeof messagesContentBlockSchema>;
