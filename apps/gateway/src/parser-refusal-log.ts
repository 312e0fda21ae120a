import type { ParserRefusal, ParserRefusalReason } from './client-error.js';

/** Least time between two log lines about parser refusals: a flood writes at most one line a second. */
export const PARSER_REFUSAL_LOG_INTERVAL_MS = 1000;

/** The message of a parser refusal's log line. */
export const PARSER_REFUSAL_MESSAGE = 'request refused by the HTTP parser';

/**
 * What becomes of a request Node's HTTP parser refused (no route ran, no key was read, so no request
 * log record): counted by `count` every time, and logged by `warn` (reason, Node's code, status,
 * trace id, remote address; never the request's bytes), at most one line per `intervalMs`
 * ({@link PARSER_REFUSAL_LOG_INTERVAL_MS}). A line after a quiet spell says how many refusals had
 * no line of their own since the one before (`suppressed`).
 */
export function createParserRefusalReporter(options: {
  readonly warn: (fields: Record<string, unknown>, message: string) => void;
  readonly count?: ((reason: ParserRefusalReason) => void) | undefined;
  readonly now?: () => number;
  readonly intervalMs?: number;
}): (refusal: ParserRefusal) => void {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? PARSER_REFUSAL_LOG_INTERVAL_MS;
  let lastLine = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (refusal) => {
    options.count?.(refusal.reason);
    const at = now();
    if (at - lastLine < intervalMs) {
      suppressed += 1;
      return;
    }
    lastLine = at;
    options.warn(
      {
        reason: refusal.reason,
        code: refusal.code,
        ...(refusal.status === undefined ? { closed: true } : { status: refusal.status }),
        ...(refusal.traceId === undefined ? {} : { traceId: refusal.traceId }),
        remoteAddress: refusal.remoteAddress ?? null,
        ...(suppressed > 0 ? { suppressed } : {}),
      },
      PARSER_REFUSAL_MESSAGE,
    );
    suppressed = 0;
  };
}
