import { toOpenAIUpstreamError } from '../openai/errors.js';
import { upstreamErrorFrom } from '../shared/error-body.js';
import { parseJsonOrUndefined } from '../shared/json.js';
import type { UpstreamErrorInput } from '../spec/provider-adapter.js';
import type { UpstreamError } from '../spec/upstream-error.js';
import {
  openAICompatibleCloudflareErrorSchema,
  openAICompatibleFastApiErrorSchema,
  openAICompatibleSnowflakeErrorSchema,
} from './api.js';
import type { OpenAICompatibleConfig } from './config.js';

/** The vendor's own error shape, read when its body has it; `undefined` sends it to OpenAI's reader. */
function fromVendorShape(
  config: OpenAICompatibleConfig,
  input: UpstreamErrorInput,
): UpstreamError | undefined {
  const json = parseJsonOrUndefined(input.body);
  if (config.errorBody === 'cloudflare') {
    const parsed = openAICompatibleCloudflareErrorSchema.safeParse(json);
    const first = parsed.success ? parsed.data.errors[0] : undefined;
    if (first === undefined) return undefined;
    return upstreamErrorFrom(input, { message: first.message, code: first.code ?? null, raw: json });
  }
  if (config.errorBody === 'snowflake') {
    const parsed = openAICompatibleSnowflakeErrorSchema.safeParse(json);
    if (!parsed.success) return undefined;
    return upstreamErrorFrom(input, {
      message: parsed.data.message,
      code: parsed.data.code ?? null,
      raw: json,
    });
  }
  if (config.errorBody === 'fastapi') {
    const parsed = openAICompatibleFastApiErrorSchema.safeParse(json);
    if (!parsed.success || typeof parsed.data.detail === 'string') return undefined;
    const message = parsed.data.detail
      .map((item) => `${item.loc ? `${item.loc.join('.')}: ` : ''}${item.msg}`)
      .join('; ');
    return upstreamErrorFrom(input, { message, type: 'invalid_request_error', raw: json });
  }
  return undefined;
}

/**
 * OpenAI-compatible error bodies: the vendor's own shape when its configuration names one
 * (Cloudflare's `errors[]`, Snowflake's top-level `message`/`code`, FastAPI's `detail` list), else
 * OpenAI's envelope, read leniently (`{"message"}`, `{"detail"}`, `{"error":"…"}` too).
 */
export function toOpenAICompatibleUpstreamError(
  config: OpenAICompatibleConfig,
  input: UpstreamErrorInput,
): UpstreamError {
  return fromVendorShape(config, input) ?? toOpenAIUpstreamError(input);
}
