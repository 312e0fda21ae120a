import { z } from 'zod';

/** One part of a content: text (maybe a thought), a function call, or another kind. */
export const googlePartSchema = z.looseObject({
  text: z.string().nullish(),
  thought: z.boolean().nullish(),
  functionCall: z.looseObject({ id: z.string().nullish(), name: z.string(), args: z.unknown() }).nullish(),
  /** Gemini's thought signature of the part (Gemini 3 needs a function call's back in the next turn). */
  thoughtSignature: z.string().nullish(),
});

const googleLogprobsCandidateSchema = z.looseObject({
  token: z.string().nullish(),
  logProbability: z.number().nullish(),
});

/**
 * `logprobsResult` of a candidate (https://ai.google.dev/api/generate-content#LogprobsResult): per
 * decoding step, the chosen token and the likeliest tokens (`responseLogprobs` / `logprobs`).
 */
export const googleLogprobsResultSchema = z.looseObject({
  chosenCandidates: z.array(googleLogprobsCandidateSchema).nullish(),
  topCandidates: z
    .array(z.looseObject({ candidates: z.array(googleLogprobsCandidateSchema).nullish() }))
    .nullish(),
});

/** A candidate (https://ai.google.dev/api/generate-content#candidate). */
export const googleCandidateSchema = z.looseObject({
  index: z.number().int().nullish(),
  logprobsResult: googleLogprobsResultSchema.nullish(),
  content: z
    .looseObject({ role: z.string().nullish(), parts: z.array(googlePartSchema).nullish() })
    .nullish(),
  finishReason: z.string().nullish(),
});

/** `usageMetadata` (https://ai.google.dev/api/generate-content#UsageMetadata). */
export const googleUsageMetadataSchema = z.looseObject({
  promptTokenCount: z.number().nullish(),
  candidatesTokenCount: z.number().nullish(),
  totalTokenCount: z.number().nullish(),
  cachedContentTokenCount: z.number().nullish(),
  thoughtsTokenCount: z.number().nullish(),
  /** Tokens of what tools (Google Search grounding, code execution) fed back to the model: billed as input. */
  toolUsePromptTokenCount: z.number().nullish(),
  /** The prompt's, the cached content's and the answer's tokens by modality (audio is priced apart). */
  promptTokensDetails: z.array(googleModalityCountSchema()).nullish(),
  cacheTokensDetails: z.array(googleModalityCountSchema()).nullish(),
  candidatesTokensDetails: z.array(googleModalityCountSchema()).nullish(),
});

/** A `ModalityTokenCount` (https://ai.google.dev/api/generate-content#ModalityTokenCount). */
function googleModalityCountSchema() {
  return z.looseObject({ modality: z.string().nullish(), tokenCount: z.number().nullish() });
}

/** The error object of an error answer or of an in-stream error. */
export const googleErrorSchema = z.looseObject({
  code: z.number().nullish(),
  message: z.string().nullish(),
  status: z.string().nullish(),
});

/**
 * `GenerateContentResponse` (https://ai.google.dev/api/generate-content#generatecontentresponse): the
 * whole answer, or one streamed chunk of it. `promptFeedback.blockReason` is set when the prompt was
 * blocked and no candidate came back. A stream may carry `error` instead.
 */
export const googleGenerateContentResponseSchema = z.looseObject({
  candidates: z.array(googleCandidateSchema).nullish(),
  promptFeedback: z.looseObject({ blockReason: z.string().nullish() }).nullish(),
  usageMetadata: googleUsageMetadataSchema.nullish(),
  modelVersion: z.string().nullish(),
  responseId: z.string().nullish(),
  error: googleErrorSchema.nullish(),
});

/** A GenerateContentResponse. */
export type GoogleGenerateContentResponse = z.infer<typeof googleGenerateContentResponseSchema>;
/** Gemini usage metadata. */
export type GoogleUsageMetadata = z.infer<typeof googleUsageMetadataSchema>;
/** A candidate's log probabilities. */
export type GoogleLogprobsResult = z.infer<typeof googleLogprobsResultSchema>;
/** A candidate. */
export type GoogleCandidate = z.infer<typeof googleCandidateSchema>;

/** `batchEmbedContents` answer (https://ai.google.dev/api/embeddings#method:-models.batchembedcontents). */
export const googleBatchEmbedResponseSchema = z.looseObject({
  embeddings: z.array(z.looseObject({ values: z.array(z.number()) })),
});

/** Google's error body, `{"error": {"code", "message", "status"}}` (https://ai.google.dev/gemini-api/docs/troubleshooting). */
export const googleErrorBodySchema = z.looseObject({ error: googleErrorSchema.nullish() });
