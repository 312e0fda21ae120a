import { z } from 'zod';

/** Cohere's usage object (https://docs.cohere.com/reference/chat#response.body.usage). */
export const cohereUsageSchema = z.looseObject({
  billed_units: z
    .looseObject({ input_tokens: z.number().nullish(), output_tokens: z.number().nullish() })
    .nullish(),
  tokens: z
    .looseObject({ input_tokens: z.number().nullish(), output_tokens: z.number().nullish() })
    .nullish(),
});

/** A tool call of an assistant message (same shape as OpenAI's). */
export const cohereToolCallSchema = z.looseObject({
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});

/** One content item of an answer: text, thinking, or another kind. */
export const cohereContentSchema = z.looseObject({
  type: z.string(),
  text: z.string().nullish(),
  thinking: z.string().nullish(),
});

/**
 * One item of `logprobs` (https://docs.cohere.com/reference/chat#response.body.logprobs): a text chunk,
 * the ids of its tokens and the log probability of each.
 */
export const cohereLogprobItemSchema = z.looseObject({
  text: z.string().nullish(),
  token_ids: z.array(z.number()).nullish(),
  logprobs: z.array(z.number()).nullish(),
});

/** A logprobs item. */
export type CohereLogprobItem = z.infer<typeof cohereLogprobItemSchema>;

/** The chat v2 answer (https://docs.cohere.com/reference/chat#response). */
export const cohereChatResponseSchema = z.looseObject({
  id: z.string(),
  finish_reason: z.string().nullish(),
  message: z.looseObject({
    role: z.string().nullish(),
    content: z.array(cohereContentSchema).nullish(),
    tool_plan: z.string().nullish(),
    tool_calls: z.array(cohereToolCallSchema).nullish(),
  }),
  usage: cohereUsageSchema.nullish(),
  logprobs: z.array(cohereLogprobItemSchema).nullish(),
});

/** A chat v2 answer. */
export type CohereChatResponse = z.infer<typeof cohereChatResponseSchema>;
/** Cohere usage. */
export type CohereUsage = z.infer<typeof cohereUsageSchema>;

/**
 * One streamed event (https://docs.cohere.com/v2/docs/streaming#stream-events): message-start,
 * content-start/delta/end, tool-plan-delta, tool-call-start/delta/end, citation-start/end, message-end.
 */
export const cohereStreamEventSchema = z.looseObject({
  type: z.string(),
  id: z.string().nullish(),
  index: z.number().int().nullish(),
  /** The log probabilities of a `content-delta`'s text (asked for with `logprobs: true`). */
  logprobs: cohereLogprobItemSchema.nullish(),
  delta: z
    .looseObject({
      message: z
        .looseObject({
          // message-start sends empty arrays here; deltas send one object.
          content: z
            .union([
              z.looseObject({
                type: z.string().nullish(),
                text: z.string().nullish(),
                thinking: z.string().nullish(),
              }),
              z.array(z.unknown()),
            ])
            .nullish(),
          tool_plan: z.string().nullish(),
          tool_calls: z.union([cohereToolCallSchema, z.array(z.unknown())]).nullish(),
        })
        .nullish(),
      finish_reason: z.string().nullish(),
      error: z.string().nullish(),
      usage: cohereUsageSchema.nullish(),
    })
    .nullish(),
});

/** A streamed event. */
export type CohereStreamEvent = z.infer<typeof cohereStreamEventSchema>;

/** The embed v2 answer (https://docs.cohere.com/reference/embed#response). */
export const cohereEmbedResponseSchema = z.looseObject({
  id: z.string().nullish(),
  embeddings: z.looseObject({ float: z.array(z.array(z.number())).nullish() }),
  meta: z
    .looseObject({ billed_units: z.looseObject({ input_tokens: z.number().nullish() }).nullish() })
    .nullish(),
});

/** Cohere's error body, `{"id": "…", "message": "…"}` (https://docs.cohere.com/reference/errors). */
export const cohereErrorBodySchema = z.looseObject({ message: z.string().nullish() });
