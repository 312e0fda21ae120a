import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
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
  /** The in-flight requests' replies, by their response. */
  readonly open: Map<ServerResponse, FastifyReply>;
}

/** A fresh state for one app. */
export function createShutdownState(): ShutdownState {
  return { shuttingDown: false, inFlight: 0, drainDeadline: new AbortController(), open: new Map() };
}

/**
 * The drain begins: every in-flight response not yet started closes its connection when it ends,
 * so a keep-alive client does not hold the closing server open (Node keeps a connection alive
 * after `server.close()` for a response that was still running).
 */
export function closeConnectionsAfterResponses(state: ShutdownState): void {
  for (const response of state.open.keys()) {
    if (!response.headersSent) response.setHeader('connection', 'close');
  }
}

/**
 * The drain time is over: requests still waiting for an answer lose their connection (the process
 * is about to exit), and their log line and record say why: `PK_ERR_SHUTTING_DOWN`. Returns how many.
 */
export function endUnansweredRequests(state: ShutdownState): number {
  let ended = 0;
  for (const [response, reply] of state.open) {
    if (response.headersSent) continue;
    reply.request.logFields.errorCode = 'PK_ERR_SHUTTING_DOWN';
    response.destroy();
    ended += 1;
  }
  return ended;
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
    // One listener for every response (a response closes once, `this` is it): no closure per request.
    const onResponseClosed = function (this: ServerResponse): void {
      state.open.delete(this);
      state.inFlight -= 1;
      if (state.shuttingDown && state.inFlight === 0) state.onIdle?.();
    };
    // A callback hook, not an async one: no promise and no extra microtask per request. Answering
    // from it means not calling `done`.
    app.addHook('onRequest', (request, reply, done) => {
      if (state.shuttingDown) {
        reply.header('connection', 'close');
        sendPkError(reply, request, 'PK_ERR_SHUTTING_DOWN', 'the gateway is shutting down; retry shortly');
        return;
      }
      state.inFlight += 1;
      state.open.set(reply.raw, reply);
      reply.raw.on('close', onResponseClosed);
      done();
    });
  },
  { name: 'pk-shutdown', dependencies: ['pk-trace-id'] },
);
