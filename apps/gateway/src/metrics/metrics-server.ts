import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { GatewayMetrics } from './gateway-metrics.js';

/** The scrape-only listener of `PK_METRICS_PORT`. */
export interface MetricsServer {
  readonly server: Server;
  /** The port it listens on (the real one when asked for port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (and `HEAD`) alone, on its own port, without a key: what can reach the port
 * may scrape, so it listens on loopback unless `PK_METRICS_HOST` says otherwise. Every other path is
 * 404 and every other method 405; nothing of the gateway's API is reachable through it.
 */
export async function startMetricsServer(
  metrics: GatewayMetrics,
  options: { readonly host: string; readonly port: number },
): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (path !== '/metrics') {
      response
        .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        .end('not found: only /metrics is served here\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response
        .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
        .end('method not allowed\n');
      return;
    }
    metrics.scrape().then(
      (text) => {
        response.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        response
          .writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
          .end(`metrics failed: ${(error as Error).message}\n`);
      },
    );
  });
  // Scrapers keep connections alive between scrapes; a stopping gateway must not wait for them.
  server.keepAliveTimeout = 65_000;
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
