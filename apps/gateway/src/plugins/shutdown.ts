import { setMaxListeners } from 'node:events';
import type { Catalog } from '@pk/store';
import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { recordRefusedProxyRequest } from '../request-facts/refused-request.js';
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
  const drainDeadline = new AbortController();
  // Every open stream listens to this one signal until it ends (and removes its listener then), so
  // a gateway serving more than Node's default of 10 streams at once is no leak: without this, the
  // 11th made Node print "MaxListenersExceededWarning: Possible EventTarget memory leak detected".
  setMaxListeners(0, drainDeadline.signal);
  return { shuttingDown: false, inFlight: 0, drainDeadline };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Drain state (see {@link ShutdownState}). */
    shutdown: ShutdownState;
  }
}

/**
 * Counts in-flight requests and refuses new ones once shutting down. Registered after the access
 * guard and the request log plugin: a proxy route's refused request is logged and stored (503,
 * `PK_ERR_SHUTTING_DOWN`) with its tenant, endpoint and what its headers say, as any refused request
 * of its endpoint is (its body is not read: no model).
 */
export const shutdownPlugin = fastifyPlugin(
  async (app: FastifyInstance, options: { state: ShutdownState; catalog: Catalog }) => {
    const { state } = options;
    app.decorate('shutdown', state);
    // One listener for every response (a response closes once): no closure per request.
    const onResponseClosed = (): void => {
      state.inFlight -= 1;
      if (state.shuttingDown && state.inFlight === 0) state.onIdle?.();
    };
    // A callback hook, not an async one: no promise and no extra microtask per request. Answering
    // from it means not calling `done`.
    app.addHook('onRequest', (request, reply, done) => {
      if (state.shuttingDown) {
        recordRefusedProxyRequest(request, options.catalog);
        reply.header('connection', 'close');
        sendPkError(reply, request, 'PK_ERR_SHUTTING_DOWN', 'the gateway is shutting down; retry shortly');
        return;
      }
      state.inFlight += 1;
      reply.raw.on('close', onResponseClosed);
      done();
    });
  },
  { name: 'pk-shutdown', dependencies: ['pk-trace-id', 'pk-access-guard', 'pk-request-log'] },
);
