import { z } from 'zod';

/** Anthropic's usage object (https://docs.anthropic.com/en/api/messages#response-usage). */
export const anthropicUsageSchema = z.looseObject({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
  /** The cache writes by lifetime (https://docs.anthropic.com/en/api/messages#response-usage). */
  cache_creation: z
    .looseObject({
      ephemeral_5m_input_tokens: z.number().nullish(),
      ephemeral_1h_input_tokens: z.number().nullish(),
    })
    .nullish(),
});

/** One content block of an answer: text, tool use, thinking, redacted thinking, or another kind. */
export const anthropicContentBlockSchema = z.union([
  z.looseObject({ type: z.literal('text'), text: z.string() }),
  z.looseObject({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.unknown() }),
  z.looseObject({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().nullish() }),
  z.looseObject({ type: z.literal('redacted_thinking'), data: z.string() }),
  z.looseObject({ type: z.string() }),
]);

/** The Message object (https://docs.anthropic.com/en/api/messages#response). */
export const anthropicMessageSchema = z.looseObject({
  id: z.string(),
  model: z.string(),
  content: z.array(anthropicContentBlockSchema),
  stop_reason: z.string().nullish(),
  usage: anthropicUsageSchema.nullish(),
});

/** A Message answer. */
export type AnthropicMessage = z.infer<typeof anthropicMessageSchema>;
/** Anthropic usage. */
export type AnthropicUsage = z.infer<typeof anthropicUsageSchema>;

const anthropicDeltaSchema = z.union([
  z.looseObject({ type: z.literal('text_delta'), text: z.string() }),
  z.looseObject({ type: z.literal('input_json_delta'), partial_json: z.string() }),
  z.looseObject({ type: z.literal('thinking_delta'), thinking: z.string() }),
  z.looseObject({ type: z.literal('signature_delta'), signature: z.string() }),
  z.looseObject({ type: z.string() }),
]);

/**
 * Every streaming event (https://docs.anthropic.com/en/docs/build-with-claude/streaming#event-types):
 * message_start, content_block_start/delta/stop, message_delta, message_stop, ping, error.
 */
export const anthropicStreamEventSchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('message_start'),
    message: z.looseObject({ id: z.string(), model: z.string(), usage: anthropicUsageSchema.nullish() }),
  }),
  z.looseObject({
    type: z.literal('content_block_start'),
    index: z.number().int(),
    content_block: anthropicContentBlockSchema,
  }),
  z.looseObject({
    type: z.literal('content_block_delta'),
    index: z.number().int(),
    delta: anthropicDeltaSchema,
  }),
  z.looseObject({ type: z.literal('content_block_stop'), index: z.number().int() }),
  z.looseObject({
    type: z.literal('message_delta'),
    delta: z.looseObject({ stop_reason: z.string().nullish() }),
    usage: anthropicUsageSchema.nullish(),
  }),
  z.looseObject({ type: z.literal('message_stop') }),
  z.looseObject({ type: z.literal('ping') }),
  z.looseObject({
    type: z.literal('error'),
    error: z.looseObject({ type: z.string().nullish(), message: z.string().nullish() }),
  }),
]);

/** A streaming event. */
export type AnthropicStreamEvent = z.infer<typeof anthropicStreamEventSchema>;

/**
 * Anthropic's error body, `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`
 * (https://docs.anthropic.com/en/api/errors).
 */
export const anthropicErrorBodySchema = z.looseObject({
  type: z.string().optional(),
  error: z.looseObject({ type: z.string().nullish(), message: z.string().nullish() }).optional(),
});
