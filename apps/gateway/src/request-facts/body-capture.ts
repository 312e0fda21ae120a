import type { FastifyRequest } from 'fastify';

/** The bodies of a request as the log store may keep them (already redacted by guardrails). */
export interface CapturedBodies {
  request?: unknown;
  response?: unknown;
}

// Never on `request.logFields`: those go to the stdout log line, which never carries a body.
const captured = new WeakMap<FastifyRequest, CapturedBodies>();

/** Notes a body of `request` for the log store (`PK_LOG_BODIES`); the caller checks it is on. */
export function captureBody(request: FastifyRequest, which: keyof CapturedBodies, body: unknown): void {
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
