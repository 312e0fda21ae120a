import { UpstreamError } from '@pk/providers';

/** Status of an attempt the client left during (nginx's convention, as the request log's). */
const CLIENT_CLOSED_REQUEST = 499;

/** Error codes of an attempt cut by pk's clock: `request_timeout`, the request deadline, the body idle timeout. */
const CUT_BY_CLOCK: ReadonlySet<unknown> = new Set(['PK_ERR_TIMEOUT', 'PK_ERR_DEADLINE']);

/**
 * Codes of a connection the provider accepted and then closed or reset (undici's `other side closed`, a
 * TCP reset, a broken pipe): the request reached it, as `@pk/providers`' `abort-reason.ts` tells them
 * apart from a provider that could not be reached (refused, DNS, TLS).
 */
const RESET_AFTER_SENDING: ReadonlySet<unknown> = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

function causeCodeOf(error: Error): unknown {
  const cause = error.cause;
  return cause instanceof Error ? ((cause as Error & { code?: unknown }).code ?? cause.name) : undefined;
}

/**
 * True when a failed attempt was sent and its outcome is unknown, so its provider may bill it: it was
 * cut by a timeout, the client hung up while it ran, or the connection was reset after the request
 * went out. False for an answer the provider gave (an error status bills nothing), a provider that
 * could not be reached, and pk's own failures (nothing was sent).
 */
export function mayHaveBeenBilled(error: unknown): boolean {
  if (!UpstreamError.isInstance(error)) return false;
  if (CUT_BY_CLOCK.has(error.code) || error.status === CLIENT_CLOSED_REQUEST) return true;
  return error.connectionError && RESET_AFTER_SENDING.has(causeCodeOf(error));
}

/**
 * True when a finished request had a provider call cut before its answer: by a timeout (its log's
 * attempts say `PK_ERR_TIMEOUT` or `PK_ERR_DEADLINE`) or by the client leaving while one ran (status
 * 499 after a call). What settles the request's own holds (gateway key, metadata values), which see
 * the request's log fields, not each call's error.
 */
export function hadCallCutShort(end: {
  readonly status: number;
  readonly fields: {
    readonly attempts?: number;
    readonly errorCode?: string;
    readonly attemptLog?: readonly { readonly status: number; readonly errorCode?: string }[];
  };
}): boolean {
  const { fields } = end;
  if (!fields.attempts) return false;
  if (end.status === CLIENT_CLOSED_REQUEST || CUT_BY_CLOCK.has(fields.errorCode)) return true;
  return (
    fields.attemptLog?.some(
      (call) => call.status === CLIENT_CLOSED_REQUEST || CUT_BY_CLOCK.has(call.errorCode),
    ) ?? false
  );
}
