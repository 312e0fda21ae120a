import { z } from 'zod';

/** Token usage (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_TokenUsage.html). */
export const bedrockTokenUsageSchema = z.looseObject({
  inputTokens: z.number().nullish(),
  outputTokens: z.number().nullish(),
  totalTokens: z.number().nullish(),
  cacheReadInputTokens: z.number().nullish(),
  cacheWriteInputTokens: z.number().nullish(),
  /** Cache writes by TTL, `5m` or `1h` (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_CacheDetail.html). */
  cacheDetails: z
    .array(z.looseObject({ ttl: z.string().nullish(), inputTokens: z.number().nullish() }))
    .nullish(),
});

/** A content block of an answer: text, tool use, reasoning, or another kind. */
export const bedrockContentBlockSchema = z.looseObject({
  text: z.string().nullish(),
  toolUse: z.looseObject({ toolUseId: z.string(), name: z.string(), input: z.unknown() }).nullish(),
  reasoningContent: z
    .looseObject({
      reasoningText: z.looseObject({ text: z.string().nullish(), signature: z.string().nullish() }).nullish(),
      /** Reasoning the provider encrypted (base64), sent back as it came. */
      redactedContent: z.string().nullish(),
    })
    .nullish(),
});

/** The Converse answer (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_ResponseSyntax). */
export const bedrockConverseResponseSchema = z.looseObject({
  output: z.looseObject({
    message: z
      .looseObject({ role: z.string().nullish(), content: z.array(bedrockContentBlockSchema) })
      .nullish(),
  }),
  stopReason: z.string().nullish(),
  usage: bedrockTokenUsageSchema.nullish(),
});

/** A Converse answer. */
export type BedrockConverseResponse = z.infer<typeof bedrockConverseResponseSchema>;
/** Bedrock token usage. */
export type BedrockTokenUsage = z.infer<typeof bedrockTokenUsageSchema>;

/**
 * The payload of a ConverseStream event, by `:event-type`
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html):
 * messageStart, contentBlockStart, contentBlockDelta, contentBlockStop, messageStop, metadata.
 */
export const bedrockStreamPayloadSchema = z.looseObject({
  role: z.string().nullish(),
  contentBlockIndex: z.number().int().nullish(),
  start: z
    .looseObject({ toolUse: z.looseObject({ toolUseId: z.string(), name: z.string() }).nullish() })
    .nullish(),
  delta: z
    .looseObject({
      text: z.string().nullish(),
      toolUse: z.looseObject({ input: z.string().nullish() }).nullish(),
      reasoningContent: z
        .looseObject({
          text: z.string().nullish(),
          signature: z.string().nullish(),
          redactedContent: z.string().nullish(),
        })
        .nullish(),
    })
    .nullish(),
  stopReason: z.string().nullish(),
  usage: bedrockTokenUsageSchema.nullish(),
  message: z.string().nullish(),
  /** An error frame's `:error-code` (see `event-stream.ts`). */
  code: z.string().nullish(),
});

/** A ConverseStream event payload. */
export type BedrockStreamPayload = z.infer<typeof bedrockStreamPayloadSchema>;

/** Bedrock's error body, `{"message": "…"}`; the type is in `x-amzn-errortype`. */
export const bedrockErrorBodySchema = z.looseObject({
  message: z.string().nullish(),
  Message: z.string().nullish(),
});

/** Titan Text Embeddings answer (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html). */
export const bedrockTitanEmbeddingSchema = z.looseObject({
  embedding: z.array(z.number()),
  inputTextTokenCount: z.number().nullish(),
});

/** Cohere Embed on Bedrock answer (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed.html). */
export const bedrockCohereEmbeddingSchema = z.looseObject({
  embeddings: z.union([z.array(z.array(z.number())), z.looseObject({ float: z.array(z.array(z.number())) })]),
});
