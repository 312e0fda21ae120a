import type { FastifyInstance } from 'fastify';
import type { GatewayMetrics } from './gateway-metrics.js';
import { checkMetricsAccess } from './metrics-access.js';

/**
 * `GET /metrics` on the main port, for keys with the `metrics` scope (see {@link checkMetricsAccess}).
 * Registered before the pass-through routes, so `/metrics` is never sent to a provider.
 */
export async function metricsRoutes(
  app: FastifyInstance,
  options: { readonly metrics: GatewayMetrics },
): Promise<void> {
  const { metrics } = options;
  app.get('/metrics', async (request, reply) => {
    checkMetricsAccess(request);
    const text = await metrics.scrape();
    return reply.header('cache-control', 'no-store').type(metrics.contentType).send(text);
  });
}
