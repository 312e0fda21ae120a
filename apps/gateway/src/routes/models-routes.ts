import type { CatalogSnapshot } from '@pk/store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ProxyServices, runProxiedRequest } from '../proxy/run-proxied-request.js';
import { upstreamPathOf } from './upstream-path.js';

/** Headers that name a provider; with one of them `/v1/models` asks that provider. */
const PROVIDER_HEADERS = ['x-portkey-provider', 'x-portkey-virtual-key', 'x-portkey-config'];

/** One entry of OpenAI's model list. */
interface ModelEntry {
  readonly id: string;
  readonly object: 'model';
  readonly created: number;
  readonly owned_by: string;
}

/**
 * The models declared on the virtual keys this caller may use, in OpenAI's list shape
 * (`owned_by` is the provider; the same model on two keys is listed once).
 */
export function declaredModels(
  catalog: Pick<CatalogSnapshot, 'virtualKeys'>,
  allowedVirtualKeys: ReadonlySet<string> | undefined,
): { object: 'list'; data: ModelEntry[] } {
  const seen = new Set<string>();
  const data: ModelEntry[] = [];
  for (const key of catalog.virtualKeys.values()) {
    if (allowedVirtualKeys !== undefined && !allowedVirtualKeys.has(key.slug)) continue;
    for (const model of key.models) {
      if (seen.has(model)) continue;
      seen.add(model);
      data.push({ id: model, object: 'model', created: 0, owned_by: key.provider });
    }
  }
  return { object: 'list', data };
}

/**
 * `GET /v1/models`: with a provider named (provider, virtual key or config header), the provider's
 * own list, passed through; without, the models declared on the virtual keys (settings and store).
 */
export async function modelsRoutes(
  app: FastifyInstance,
  options: { services: ProxyServices },
): Promise<void> {
  const handler = (request: FastifyRequest, reply: FastifyReply) => {
    if (PROVIDER_HEADERS.some((name) => request.headers[name] !== undefined)) {
      return runProxiedRequest(options.services, 'passthrough', request, reply, {
        path: upstreamPathOf(request.url),
        method: 'GET',
      });
    }
    return reply.send(declaredModels(options.services.catalog.snapshot, request.gatewayKey?.virtualKeys));
  };
  app.get('/v1/models', handler);
  app.get('/models', handler);
}
