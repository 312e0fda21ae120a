import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { sendPkError } from './error-envelope.js';

/** What the server knows about draining; shared by `server.ts` and the routes. */
export interface ShutdownState {
  /** Set on SIGTERM: new requests get 503 + `connection: close`. */
  shuttingDown: boolean;
  /** Requests whose response has not finished (streams included). */
  inFlight: number;
  /** Aborted when the drain time is over: open streams end with `event: error`. */
  readonly drainDeadline: AbortController;
  /** Resolves whenever `inFlight` drops to 0 while shutting down. */
  onIdle?: () => void;
}

/** A fresh state for one app. */
export function createShutdownState(): ShutdownState {
  return { shuttingDown: false, inFlight: 0, drainDeadline: new AbortController() };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Drain state (see {@link ShutdownState}). */
    shutdown: ShutdownState;
  }
}

/** Counts in-flight requests and refuses new ones once shutting down. */
export const shutdownPlugin = fastifyPlugin(
  async (app: FastifyInstance, options: { state: ShutdownState }) => {
    const { state } = options;
    app.decorate('shutdown', state);
    app.addHook('onRequest', async (request, reply) => {
      if (state.shuttingDown) {
        reply.header('connection', 'close');
        return sendPkError(
          reply,
          request,
          'PK_ERR_SHUTTING_DOWN',
          'the gateway is shutting down; retry shortly',
        );
      }
      state.inFlight += 1;
      reply.raw.once('close', () => {
        state.inFlight -= 1;
        if (state.shuttingDown && state.inFlight === 0) state.onIdle?.();
      });
      return undefined;
    });
  },
  { name: 'pk-shutdown', dependencies: ['pk-trace-id'] },
);
