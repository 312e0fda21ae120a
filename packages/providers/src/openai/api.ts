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
export interface OpenAIStreamChunkFields {
  readonly id?: string | undefined;
  readonly created?: number | undefined;
  readonly model?: string | undefined;
  readonly object?: string | undefined;
  readonly choices?: readonly unknown[] | undefined;
  readonly usage?: OpenAIStreamChunkUsage | null | undefined;
}

/** A chunk's `usage`: the three counts required, any other member kept as sent. */
export interface OpenAIStreamChunkUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
  readonly [member: string]: unknown;
}

const isOptional = (value: unknown, type: 'string' | 'number'): boolean =>
  value === undefined || typeof value === type;

/**
 * The chunk as {@link OpenAIStreamChunkFields} when its fields have those types, else `undefined`.
 * Checked by hand, not with a zod schema: it runs on the usage chunk of every OpenAI-family stream,
 * and zod's copy of the loose object was ~1 % of a streamed request's samples in a CPU profile of
 * the gateway (too little to show side by side against the machine's noise).
 */
export function openAIStreamChunkFieldsOf(json: unknown): OpenAIStreamChunkFields | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const chunk = json as Record<string, unknown>;
  if (
    !isOptional(chunk.id, 'string') ||
    !isOptional(chunk.created, 'number') ||
    !isOptional(chunk.model, 'string') ||
    !isOptional(chunk.object, 'string') ||
    !(chunk.choices === undefined || Array.isArray(chunk.choices))
  ) {
    return undefined;
  }
  const usage = chunk.usage;
  if (usage === undefined || usage === null) return chunk as OpenAIStreamChunkFields;
  if (typeof usage !== 'object' || Array.isArray(usage)) return undefined;
  const counts = usage as Record<string, unknown>;
  return typeof counts.prompt_tokens === 'number' &&
    typeof counts.completion_tokens === 'number' &&
    typeof counts.total_tokens === 'number'
    ? (chunk as OpenAIStreamChunkFields)
    : undefined;
}
