import { z } from 'zod';

/**
 * OpenAI's error body, `{"error":{"message","type","param","code"}}`
 * (https://platform.openai.com/docs/guides/error-codes). Lenient: compatible vendors vary, so every
 * field is optional and `error` may be a bare string; some send `message` or `detail` at the top.
 */
export const openAIErrorBodySchema = z.looseObject({
  error: z
    .union([
      z.string(),
      z.looseObject({
        message: z.string().nullish(),
        type: z.string().nullish(),
        param: z.string().nullish(),
        code: z.union([z.string(), z.number()]).nullish(),
      }),
    ])
    .optional(),
  message: z.string().optional(),
  detail: z.unknown().optional(),
});

/** The fields of a streamed chunk the fast path reads when it has to look inside one. */
export const openAIStreamChunkFieldsSchema = z.looseObject({
  id: z.string().optional(),
  created: z.number().optional(),
  model: z.string().optional(),
  object: z.string().optional(),
  choices: z.array(z.unknown()).optional(),
  usage: z
    .looseObject({
      prompt_tokens: z.number(),
      completion_tokens: z.number(),
      total_tokens: z.number(),
    })
    .nullish(),
});
