import type { FastifyInstance } from 'fastify';

/** `GET /health`: 200 while serving; 503 once shutting down (answered by the shutdown plugin). */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/health', async () => ({ status: 'ok' }));
}
