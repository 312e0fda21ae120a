import { z } from 'zod';

/**
 * Token usage as OpenAI reports it, cached and reasoning tokens included
 * (https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage).
 */
export const openAIUsageSchema = z.looseObject({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().int().optional() }).nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().int().optional() }).nullish(),
});

/** Token usage in OpenAI's shape. */
export type OpenAIUsage = z.infer<typeof openAIUsageSchema>;
