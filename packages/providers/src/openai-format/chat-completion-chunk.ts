import { z } from 'zod';
import { type FinishReason, openAIFinishReasonSchema, stopDetailsSchema } from './chat-completion.js';
import { thinkingBlockSchema } from './chat-completion-request.js';
import { openAIUsageSchema } from './usage.js';

/** A streamed tool-call fragment: the first carries `id` and `name`, later ones only `arguments`. */
export const chatCompletionChunkToolCallSchema = z.looseObject({
  index: z.number().int(),
  id: z.string().optional(),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string().optional(), arguments: z.string().optional() }).optional(),
});

/**
 * The chat completion chunk object (https://platform.openai.com/docs/api-reference/chat-streaming).
 * The usage chunk has `choices: []` and `usage` set.
 */
export const chatCompletionChunkSchema = chatCompletionChunkSchemaOf(openAIFinishReasonSchema);

/** A chat completion chunk. */
export type ChatCompletionChunk = z.infer<typeof chatCompletionChunkSchema>;

/** {@link TranslatedChatCompletionChunk} (tests check chunks with native finish reasons against it). */
export const translatedChatCompletionChunkSchema = chatCompletionChunkSchemaOf(
  z.string() as z.ZodType<FinishReason>,
);

/** A chunk translated from a vendor's stream: a {@link ChatCompletionChunk} whose finish reasons may be the vendor's own. */
export type TranslatedChatCompletionChunk = z.infer<typeof translatedChatCompletionChunkSchema>;

function chatCompletionChunkSchemaOf<F extends z.ZodType<FinishReason>>(finishReason: F) {
  return z.looseObject({
    id: z.string(),
    object: z.literal('chat.completion.chunk'),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z.looseObject({
        index: z.number().int(),
        delta: z.looseObject({
          role: z.literal('assistant').optional(),
          content: z.string().nullish(),
          // A model's refusal, streamed in pieces like `content` (Structured Outputs).
          refusal: z.string().nullish(),
          tool_calls: z.array(chatCompletionChunkToolCallSchema).optional(),
          // DeepSeek and Qwen send `reasoning_content: null` on content deltas.
          reasoning_content: z.string().nullish(),
          thinking_blocks: z.array(thinkingBlockSchema).optional(),
          // pk's, in dialect calls only: on the chunk with the finish reason.
          stop_details: stopDetailsSchema.optional(),
        }),
        finish_reason: finishReason.nullable(),
        logprobs: z.unknown().nullish(),
      }),
    ),
    usage: openAIUsageSchema.nullish(),
  });
}
