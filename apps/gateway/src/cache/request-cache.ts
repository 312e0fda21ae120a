import type { EngineCachePort, PlanLeaf, ResolvedPlan } from '@pk/config';
import type { CacheStore } from '@pk/config/cache';
import type { ProviderAnswer, ProviderEndpoint, ProviderRequest } from '@pk/providers';
import { createAnswerCache } from './answer-cache.js';
import { cacheKeyOf } from './cache-key.js';

/** Endpoints whose answers may be cached (the caching issue: chat, completions, embeddings only). */
const CACHEABLE_ENDPOINTS: ReadonlySet<ProviderEndpoint> = new Set([
  'chat.completions',
  'completions',
  'embeddings',
]);

/** What one request's cache use needs to know. */
export interface RequestCacheInput {
  readonly store: CacheStore<string>;
  readonly plan: ResolvedPlan;
  readonly endpoint: ProviderEndpoint;
  readonly tenant: string;
  readonly namespace?: string | undefined;
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
  readonly forceRefresh: boolean;
  readonly streamed: boolean;
  /** Called when the store fails (the gateway warns, rate-limited). */
  readonly onStoreFailure: (error: unknown) => void;
}

/** The engine's cache port for one request, and whether the store failed during it. */
export interface RequestCache {
  readonly port: EngineCachePort<ProviderRequest, ProviderAnswer>;
  /** True once a store command failed: the answer says `DISABLED` + `x-pk-cache-error`. */
  storeFailed: boolean;
}

function planUsesCache(node: ResolvedPlan['root']): boolean {
  return node.kind === 'leaf' ? node.cache !== undefined : node.targets.some(planUsesCache);
}

/**
 * The cache port for one request, or `undefined` when nothing in the plan caches or the endpoint is
 * not cacheable (legacy completions are not replayed as streams). The engine consults it per leaf.
 */
export function createRequestCache(input: RequestCacheInput): RequestCache | undefined {
  if (!CACHEABLE_ENDPOINTS.has(input.endpoint) || !planUsesCache(input.plan.root)) return undefined;
  if (input.streamed && input.endpoint === 'completions') return undefined;
  const cache: RequestCache = {
    storeFailed: false,
    port: {
      store: createAnswerCache(input.store, (_operation, error) => {
        cache.storeFailed = true;
        input.onStoreFailure(error);
      }),
      key: (leaf: PlanLeaf, request: ProviderRequest) =>
        cacheKeyOf({
          tenant: input.tenant,
          leaf,
          endpoint: input.endpoint,
          body: request.body ?? {},
          namespace: input.namespace,
          metadata: input.metadata,
        }),
      refresh: () => input.forceRefresh,
      isStream: (answer: ProviderAnswer) => answer.kind === 'stream',
    },
  };
  return cache;
}
