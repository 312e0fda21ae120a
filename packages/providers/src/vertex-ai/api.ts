import { z } from 'zod';

/** The fields of a service-account key file pk reads (https://cloud.google.com/iam/docs/keys-create-delete). */
export const vertexAIServiceAccountSchema = z.looseObject({
  type: z.string().optional(),
  project_id: z.string().optional(),
  private_key_id: z.string().optional(),
  private_key: z.string().min(1),
  client_email: z.string().min(1),
  token_uri: z.string().optional(),
});

/** A service-account key. */
export type VertexAIServiceAccount = z.infer<typeof vertexAIServiceAccountSchema>;

/** The token endpoint's answer (https://developers.google.com/identity/protocols/oauth2/service-account#httprest). */
export const vertexAITokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  token_type: z.string().optional(),
});

/** The token endpoint's error body (`{"error": "invalid_grant", "error_description": "…"}`). */
export const vertexAITokenErrorSchema = z.looseObject({
  error: z.string().nullish(),
  error_description: z.string().nullish(),
});

/** Text embeddings `predict` answer (https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/text-embeddings-api#response_body). */
export const vertexAIPredictEmbeddingsSchema = z.looseObject({
  predictions: z.array(
    z.looseObject({
      embeddings: z.looseObject({
        values: z.array(z.number()),
        statistics: z.looseObject({ token_count: z.number().nullish() }).nullish(),
      }),
    }),
  ),
});
