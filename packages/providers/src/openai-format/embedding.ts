import { z } from 'zod';

/** The embeddings list (https://platform.openai.com/docs/api-reference/embeddings/object). */
export const embeddingListSchema = z.looseObject({
  object: z.literal('list'),
  data: z.array(
    z.looseObject({
      object: z.literal('embedding'),
      index: z.number().int(),
      embedding: z.union([z.array(z.number()), z.string()]),
    }),
  ),
  model: z.string(),
  usage: z.looseObject({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }).optional(),
});

/** An embeddings answer. */
export type EmbeddingList = z.infer<typeof embeddingListSchema>;
