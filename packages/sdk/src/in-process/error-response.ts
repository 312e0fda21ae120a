import { createErrorEnvelope, type OpenAIErrorEnvelope } from '@pk/config';

/** An error that knows its OpenAI envelope: a `PkError` or an `UpstreamError` (from any copy of the packages). */
interface EnvelopeError {
  readonly status?: number;
  toEnvelope(): OpenAIErrorEnvelope;
}

function hasEnvelope(error: unknown): error is EnvelopeError {
  return typeof (error as { toEnvelope?: unknown } | null)?.toEnvelope === 'function';
}

/**
 * The answer a pk gateway gives for a failure: the OpenAI envelope, the `x-portkey-*` headers and
 * `x-should-retry: false` (routing already retried; the openai client must not multiply attempts).
 */
export function errorResponse(
  error: unknown,
  status: number | undefined,
  headers: Readonly<Record<string, string>>,
): Response {
  const envelope = hasEnvelope(error)
    ? error.toEnvelope()
    : createErrorEnvelope({ code: 'PK_ERR_INTERNAL', message: 'in-process routing failed' });
  const code = status ?? (hasEnvelope(error) ? error.status : undefined) ?? 500;
  return new Response(JSON.stringify(envelope), {
    status: code,
    headers: { ...headers, 'content-type': 'application/json', 'x-should-retry': 'false' },
  });
}
