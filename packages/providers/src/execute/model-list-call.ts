import type { ModelListRoute, ProviderAdapter, ProviderRequest } from '../spec/provider-adapter.js';

/** `/models` or `/models/{id}` (one segment), query ignored. */
const MODELS_PATH = /^\/models(?:\/[^/?]+)?$/;

/** A pass-through call answered by the adapter's {@link ModelListRoute}: the route and the bare path. */
export interface ModelListCall {
  readonly route: ModelListRoute;
  readonly path: string;
}

/**
 * The model-list call a pass-through request is, when its provider has a {@link ModelListRoute} and
 * it is `GET /models` or `GET /models/{id}`; else `undefined` (the request is passed through, or
 * refused where the provider has no pass-through).
 */
export function modelListCallOf(
  adapter: ProviderAdapter,
  request: Pick<ProviderRequest, 'endpoint' | 'path' | 'method'>,
): ModelListCall | undefined {
  if (request.endpoint !== 'passthrough' || adapter.modelList === undefined) return undefined;
  if ((request.method ?? 'POST').toUpperCase() !== 'GET' || request.path === undefined) return undefined;
  const path = request.path.split('?')[0] ?? '';
  return MODELS_PATH.test(path) ? { route: adapter.modelList, path } : undefined;
}
