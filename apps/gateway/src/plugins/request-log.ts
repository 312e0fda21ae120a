import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';

/** What a route learns about a request and wants in its log line. Never credentials. */
export interface RequestLogFields {
  provider?: string;
  model?: string;
  /** JSON path of the target that answered (`config.targets[1]`). */
  targetPath?: string;
  retries?: number;
  cacheStatus?: string;
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number };
  metadata?: Readonly<Record<string, unknown>>;
  warnings?: readonly string[];
  stream?: boolean;
  errorCode?: string;
  /** Shadow cache mode: the similarity of the hit that was found but not served (1 for an exact hit). */
  shadowHitSimilarity?: number;
  /** Hooks that ran: id, verdict, duration in ms, before or after the provider call. */
  guardrails?: readonly { id: string; verdict: boolean; ms: number; event: 'before' | 'after' }[] | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Fields for this request's one log line (see {@link RequestLogFields}). */
    logFields: RequestLogFields;
  }
}

/**
 * Writes one JSON log line per request when its response has finished (streams included): trace id,
 * method, path (never the query string, which may carry keys), status, latency, tenant, and what the
 * route added (provider, model, target path, retries, usage, cache status, metadata, warnings).
 * Headers and bodies are never logged, so credentials cannot leak through this line.
 */
export const requestLogPlugin = fastifyPlugin(
  async (app: FastifyInstance) => {
    app.decorateRequest('logFields', null as unknown as RequestLogFields);
    // Callback hooks, not async ones: no promise and no extra microtask per request.
    app.addHook('onRequest', (request, _reply, done) => {
      request.logFields = {};
      done();
    });
    app.addHook('onResponse', (request, reply, done) => {
      const path = request.url.split('?', 1)[0];
      app.log.info(
        {
          traceId: request.traceId,
          method: request.method,
          path,
          status: reply.statusCode,
          latencyMs: Math.round(reply.elapsedTime * 100) / 100,
          tenant: request.tenant,
          ...request.logFields,
        },
        'request',
      );
      done();
    });
  },
  { name: 'pk-request-log', dependencies: ['pk-trace-id', 'pk-access-guard'] },
);
