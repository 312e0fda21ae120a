import { parseRetryAfter } from '@pk/config';
import { parseJsonOrUndefined } from '../shared/json.js';
import type { UpstreamErrorInput } from '../spec/provider-adapter.js';
import { UpstreamError } from '../spec/upstream-error.js';
import { openAIErrorBodySchema } from './api.js';

function describeDetail(detail: unknown): string | undefined {
  if (typeof detail === 'string') return detail;
  if (detail === undefined || detail === null) return undefined;
  return JSON.stringify(detail);
}

/**
 * An OpenAI-family error answer → {@link UpstreamError}, keeping the vendor's `type`, `code` and
 * `param` (clients test `code === "context_length_exceeded"`), with `retry-after-ms`/`retry-after`.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
export function toOpenAIUpstreamError(input: UpstreamErrorInput): UpstreamError {
  const parsed = openAIErrorBodySchema.safeParse(parseJsonOrUndefined(input.body));
  const body = parsed.success ? parsed.data : undefined;
  const error = body?.error;
  const detailed = typeof error === 'object' ? error : undefined;
  const message =
    detailed?.message ??
    (typeof error === 'string' ? error : undefined) ??
    body?.message ??
    describeDetail(body?.detail) ??
    (input.body.trim().slice(0, 500) || `HTTP ${input.status}`);
  const retryAfterMs = parseRetryAfter(input.headers, input.now);
  return new UpstreamError({
    provider: input.provider,
    status: input.status,
    message,
    type: detailed?.type ?? null,
    code: detailed?.code ?? null,
    param: detailed?.param ?? null,
    raw: body ?? input.body.slice(0, 2000),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}
