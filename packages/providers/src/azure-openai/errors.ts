import { toOpenAIUpstreamError } from '../openai/errors.js';
import { parseJsonOrUndefined } from '../shared/json.js';
import type { UpstreamErrorInput } from '../spec/provider-adapter.js';
import { UpstreamError } from '../spec/upstream-error.js';
import { azureOpenAIErrorBodySchema } from './api.js';

/**
 * Azure error answers → {@link UpstreamError}. A content-filter refusal keeps `code: "content_filter"`
 * (and the inner `ResponsibleAIPolicyViolation` code when that is all there is).
 */
export function toAzureOpenAIUpstreamError(input: UpstreamErrorInput): UpstreamError {
  const base = toOpenAIUpstreamError(input);
  const parsed = azureOpenAIErrorBodySchema.safeParse(parseJsonOrUndefined(input.body));
  const innerCode = parsed.success ? parsed.data.error?.innererror?.code : undefined;
  if (base.code !== null || innerCode === undefined) return base;
  return new UpstreamError({
    provider: base.provider,
    status: base.status,
    message: base.vendorMessage,
    type: base.type,
    code: innerCode,
    param: base.param,
    raw: base.raw,
    ...(base.retryAfterMs === undefined ? {} : { retryAfterMs: base.retryAfterMs }),
  });
}
