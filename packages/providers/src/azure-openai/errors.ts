import { toOpenAIUpstreamError } from '../openai/errors.js';
import { parseJsonOrUndefined } from '../shared/json.js';
import type { UpstreamErrorInput } from '../spec/provider-adapter.js';
import { UpstreamError } from '../spec/upstream-error.js';
import { azureOpenAIErrorBodySchema } from './api.js';

/**
 * Azure error answers → {@link UpstreamError}. A content-filter refusal keeps `code: "content_filter"`
 * (and the inner `ResponsibleAIPolicyViolation` code when that is all there is), and its `innererror`
 * goes to the client as Azure sent it: its `content_filter_result` says which category fired
 * (`hate`, `jailbreak`, `violence` …), which the caller cannot learn any other way.
 * @see https://learn.microsoft.com/en-us/azure/ai-services/openai/concepts/content-filter#scenario-details
 */
export function toAzureOpenAIUpstreamError(input: UpstreamErrorInput): UpstreamError {
  const base = toOpenAIUpstreamError(input);
  const parsed = azureOpenAIErrorBodySchema.safeParse(parseJsonOrUndefined(input.body));
  const innerError = parsed.success ? parsed.data.error?.innererror : undefined;
  if (innerError === undefined || innerError === null) return base;
  const innerCode = innerError.code;
  const error = new UpstreamError({
    provider: base.provider,
    status: base.status,
    message: base.vendorMessage,
    type: base.type,
    code: base.code ?? innerCode ?? null,
    param: base.param,
    raw: base.raw,
    details: { innererror: innerError },
    ...(base.retryAfterMs === undefined ? {} : { retryAfterMs: base.retryAfterMs }),
  });
  error.answerHeaders = base.answerHeaders;
  return error;
}
