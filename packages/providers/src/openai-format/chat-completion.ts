import { z } from 'zod';
import { thinkingBlockSchema } from './chat-completion-request.js';
import { openAIUsageSchema } from './usage.js';

/** OpenAI's finish reasons (https://platform.openai.com/docs/api-reference/chat/object). */
export const openAIFinishReasonSchema = z.enum([
  'stop',
  'length',
  'tool_calls',
  'content_filter',
  'function_call',
]);

/** One of OpenAI's finish reasons. */
export type OpenAIFinishReason = z.infer<typeof openAIFinishReasonSchema>;

/**
 * A choice's `finish_reason` as an adapter answers: OpenAI's, or with native finish reasons on
 * (strict OpenAI compliance off, as Portkey) the vendor's own as it came (`end_turn`, `MAX_TOKENS` …).
 */
export type FinishReason = OpenAIFinishReason | (string & {});

const finishReasonSchema = z.string() as z.ZodType<FinishReason>;

/**
 * pk's extension for dialect calls (`ProviderContext.stopDetails`): what ended an answer when
 * OpenAI's `finish_reason` cannot say it. `stop_sequence` (a `stop` sequence was generated; `sequence`
 * is the one that matched when the vendor or the request tells, else `null`) is `stop`, and
 * `model_context_window_exceeded` (the context window filled before `max_tokens`) is `length`, in
 * OpenAI's terms; Anthropic's Messages API has a stop reason of its own for each.
 */
export const stopDetailsSchema = z.looseObject({
  reason: z.enum(['stop_sequence', 'model_context_window_exceeded']),
  sequence: z.string().nullable(),
});

/** See {@link stopDetailsSchema}. */
export type StopDetails = z.infer<typeof stopDetailsSchema>;

/** A tool call in an answer. */
export const chatCompletionToolCallSchema = z.looseObject({
  id: z.string(),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

/**
 * The chat completion object (https://platform.openai.com/docs/api-reference/chat/object).
 * `reasoning_content` and `thinking_blocks` are pk extensions, present only when strict OpenAI
 * compliance is off; `stop_details` ({@link stopDetailsSchema}) only in dialect calls.
 */
export const chatCompletionSchema = chatCompletionSchemaOf(openAIFinishReasonSchema);

/** A chat completion. */
export type ChatCompletion = z.infer<typeof chatCompletionSchema>;

/** {@link TranslatedChatCompletion} (tests check answers with native finish reasons against it). */
export const translatedChatCompletionSchema = chatCompletionSchemaOf(finishReasonSchema);

/** A chat completion translated from a vendor's answer: a {@link ChatCompletion} whose finish reasons may be the vendor's own. */
export type TranslatedChatCompletion = z.infer<typeof translatedChatCompletionSchema>;

function chatCompletionSchemaOf<F extends z.ZodType<FinishReason>>(finishReason: F) {
  return z.looseObject({
    id: z.string(),
    object: z.literal('chat.completion'),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z.looseObject({
        index: z.number().int(),
        message: z.looseObject({
          role: z.literal('assistant'),
          content: z.string().nullable(),
          refusal: z.string().nullish(),
          tool_calls: z.array(chatCompletionToolCallSchema).optional(),
          reasoning_content: z.string().optional(),
          thinking_blocks: z.array(thinkingBlockSchema).optional(),
          stop_details: stopDetailsSchema.optional(),
        }),
        finish_reason: finishReason,
        logprobs: z.unknown().nullish(),
      }),
    ),
    usage: openAIUsageSchema.optional(),
  });
}
