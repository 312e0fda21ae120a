import type { HookResults } from '@pk/guardrails';
import type { FastifyRequest } from 'fastify';

/**
 * What a request's log record may keep beyond its log line: its bodies (already redacted by
 * guardrails), the error answer it ended with, and its hooks' results. Noted only by requests that
 * have them (body logging on, an error, hooks): a plain request notes nothing.
 */
export interface CapturedBodies {
  request?: unknown;
  response?: unknown;
  /**
   * The error answer the client got: the text sent (pk's or the provider's envelope, in the route's
   * dialect), or for a stream that ended with an error after its 200, the body of the error event it
   * ended with (`{ error }`, or Anthropic's on `/v1/messages`).
   */
  errorAnswer?: unknown;
  /** The hooks' results (guardrails and mutators). */
  hookResults?: HookResults;
}

// Never on `request.logFields`: those go to the stdout log line, which never carries a body.
const captured = new WeakMap<FastifyRequest, CapturedBodies>();

/** Notes a body (or another fact of {@link CapturedBodies}) of `request` for the log store. */
export function captureBody<Which extends keyof CapturedBodies>(
  request: FastifyRequest,
  which: Which,
  body: CapturedBodies[Which],
): void {
  let bodies = captured.get(request);
  if (bodies === undefined) {
    bodies = {};
    captured.set(request, bodies);
  }
  bodies[which] = body;
}

/** The bodies noted for `request`, if any. */
export function capturedBodiesOf(request: FastifyRequest): CapturedBodies | undefined {
  return captured.get(request);
}
