import type { FastifyInstance } from 'fastify';

/** How long a closing server waits for its last connections before it ends them. */
export const CLOSE_GRACE_MS = 1000;

/**
 * Closes the app (its server stops accepting, its hooks and plugins close) and, if connections still
 * hold the server open after `graceMs`, ends them.
 *
 * Node's `closeIdleConnections`, which fastify's close calls, leaves a connection that never sent a
 * byte (a browser's preconnect, a load balancer's spare, a client pool's unused socket): Node times
 * such a connection as a request under way, so that its headers timeout applies, and `server.close()`
 * waited for that timeout (60 s), long past an orchestrator's grace period. Callers close once every
 * answer they owe has been sent (the gateway drains first), so what is left after the grace is such a
 * connection or a request still arriving, neither of which would be answered.
 */
export async function closeAppPromptly(app: FastifyInstance, graceMs = CLOSE_GRACE_MS): Promise<void> {
  const closed = app.close();
  app.server.closeIdleConnections();
  const endTheRest = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearTimeout(endTheRest);
  }
}
