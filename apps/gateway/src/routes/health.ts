import type { FastifyInstance } from 'fastify';

/** The paths of the liveness probe: `/health`, and `/v1/health` for a client whose base URL ends in `/v1`. */
export const HEALTH_PATHS: readonly string[] = ['/health', '/v1/health'];

/**
 * `GET /health` and `GET /v1/health`: 200 while serving; 503 once shutting down (answered by the
 * shutdown plugin). Portkey's gateway has no health route (its `/v1/health` is passed through to the
 * provider, with the caller's credentials); pk answers its own health there instead.
 */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  for (const path of HEALTH_PATHS) app.get(path, async () => ({ status: 'ok' }));
}
