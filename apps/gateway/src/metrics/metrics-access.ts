import { PkError } from '@pk/config';
import type { FastifyRequest } from 'fastify';

/** The scope that lets a gateway key read `GET /metrics` on the main port, with no admin rights. */
export const METRICS_SCOPE = 'metrics';

/**
 * Who may scrape the main port's `/metrics`: a key whose `scopes` include `metrics` (user or admin),
 * or an admin key without scopes (it has them all). Without a key (the keyless loopback default) the
 * answer is 401 saying how to get access: metrics show models, providers and spend, which a web
 * page reaching localhost should not read.
 */
export function checkMetricsAccess(request: FastifyRequest): void {
  const key = request.gatewayKey;
  if (key === null) {
    throw new PkError(
      'PK_ERR_UNAUTHORIZED',
      'GET /metrics needs a gateway key with the "metrics" scope in x-portkey-api-key, or a scraper on PK_METRICS_PORT',
      { param: 'x-portkey-api-key' },
    );
  }
  if (key.scopes.includes(METRICS_SCOPE)) return;
  if (key.role === 'admin' && key.scopes.length === 0) return;
  throw new PkError('PK_ERR_FORBIDDEN', 'this gateway key’s scopes do not include metrics', {
    param: 'x-portkey-api-key',
  });
}
