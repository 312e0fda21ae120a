import { PkError } from '@pk/config';
import { UpstreamError } from '../spec/upstream-error.js';

/** Status reported when the client left before the provider answered (nginx's convention). */
export const CLIENT_CLOSED_REQUEST_STATUS = 499;

/**
 * Turns an aborted signal into an {@link UpstreamError}: a timeout (`TimeoutError` from
 * `AbortSignal.timeout`, or a `PkError` carrying `PK_ERR_TIMEOUT`/`PK_ERR_DEADLINE`) is retryable,
 * the client leaving is not.
 */
export function upstreamErrorFromAbort(provider: string, reason: unknown): UpstreamError {
  if (reason instanceof PkError) {
    return new UpstreamError({
      provider,
      status: reason.status,
      message: reason.message,
      type: reason.toEnvelope().error.type,
      code: reason.code,
      retryable: reason.code === 'PK_ERR_TIMEOUT',
      cause: reason,
    });
  }
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new UpstreamError({
      provider,
      status: 408,
      message: 'the provider did not answer in time',
      type: 'timeout_error',
      code: 'PK_ERR_TIMEOUT',
      retryable: true,
      cause: reason,
    });
  }
  return new UpstreamError({
    provider,
    status: CLIENT_CLOSED_REQUEST_STATUS,
    message: 'the client closed the request',
    type: 'client_closed_request',
    retryable: false,
    cause: reason,
  });
}

/** True for undici's error when an answer's body sent nothing for its `bodyTimeout`. */
export function isBodyIdleTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'UND_ERR_BODY_TIMEOUT';
}

/** What a client is told when a provider's answer stopped arriving for the transport's idle timeout. */
export const BODY_IDLE_MESSAGE =
  'the provider stopped sending its answer (nothing arrived within the idle timeout)';

/**
 * Codes of a connection the provider accepted and then closed or reset before any byte of its
 * answer arrived (undici's `other side closed`, a TCP reset): it was reached, it did not answer.
 * An answer that had begun is never this: its broken body is `PK_ERR_STREAM_INTERRUPTED`.
 */
const CLOSED_WITHOUT_ANSWER: ReadonlySet<string> = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/**
 * What the client is told of a connection failure: its answer broke off (`answerBegan`: its status
 * and headers had arrived), the connection closed before any answer, or the provider was unreachable.
 */
function unavailableMessage(cause: unknown, answerBegan: boolean): string {
  const code =
    cause instanceof Error ? ((cause as Error & { code?: string }).code ?? cause.name) : 'unknown error';
  if (answerBegan) return `the provider's answer broke off before its end (${code})`;
  return CLOSED_WITHOUT_ANSWER.has(code)
    ? `the provider closed the connection before answering (${code})`
    : `the provider could not be reached (${code})`;
}

/**
 * A connection failure (refused, reset, DNS, TLS, a body cut off) as a retryable 502 marked as a
 * connection error, so the engine retries it whatever `retry.on_status_codes` says. A body that
 * stalled for the transport's idle timeout is a retryable 408 `PK_ERR_TIMEOUT` instead.
 * `answerBegan`: the failure cut off a body whose status and headers had arrived.
 */
export function upstreamUnavailableError(
  provider: string,
  cause: unknown,
  options: { readonly answerBegan?: boolean } = {},
): UpstreamError {
  if (isBodyIdleTimeout(cause)) {
    return new UpstreamError({
      provider,
      status: 408,
      message: BODY_IDLE_MESSAGE,
      type: 'timeout_error',
      code: 'PK_ERR_TIMEOUT',
      retryable: true,
      cause,
    });
  }
  return new UpstreamError({
    provider,
    status: 502,
    message: unavailableMessage(cause, options.answerBegan === true),
    type: 'api_error',
    code: 'PK_ERR_UPSTREAM_UNAVAILABLE',
    retryable: true,
    connectionError: true,
    cause,
  });
}
