import { z } from 'zod';
import { openAIErrorBodySchema } from '../openai/api.js';

/** The error body most compatible vendors send: OpenAI's, read leniently. */
export const openAICompatibleErrorBodySchema = openAIErrorBodySchema;

/**
 * Cloudflare's v4 API envelope, `{"success":false,"errors":[{"code":10000,"message":"…"}]}`
 * (https://developers.cloudflare.com/fundamentals/api/how-to/make-api-calls/).
 */
export const openAICompatibleCloudflareErrorSchema = z.looseObject({
  errors: z
    .array(z.looseObject({ code: z.union([z.number(), z.string()]).nullish(), message: z.string() }))
    .min(1),
});

/**
 * Snowflake's REST error body, `{"code":"390303","message":"…","request_id":"…"}`
 * (https://docs.snowflake.com/en/developer-guide/sql-api/reference#error-codes).
 */
export const openAICompatibleSnowflakeErrorSchema = z.looseObject({
  message: z.string(),
  code: z.union([z.string(), z.number()]).nullish(),
});

/** FastAPI's error body: `{"detail":"…"}` or a validation list `{"detail":[{"loc","msg","type"}]}`. */
export const openAICompatibleFastApiErrorSchema = z.looseObject({
  detail: z.union([
    z.string(),
    z.array(
      z.looseObject({
        loc: z.array(z.union([z.string(), z.number()])).optional(),
        msg: z.string(),
      }),
    ),
  ]),
});
