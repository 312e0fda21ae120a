import { createHash } from 'node:crypto';
import { canonicalJson, type EngineCachePort, type PlanLeaf } from '@pk/config';
import { createMemoryCacheStore } from '@pk/config/cache';
import type { ProviderAnswer, ProviderRequest } from '@pk/providers';

/** Default bound of the in-process cache: 64 MiB. */
export const DEFAULT_IN_PROCESS_CACHE_BYTES = 64 * 1024 * 1024;

const CACHEABLE_ENDPOINTS: ReadonlySet<string> = new Set(['chat.completions', 'completions', 'embeddings']);

/** What decides one request's cache entry besides the leaf. */
export interface CacheRequestContext {
  /** `cacheNamespace`: partitions the cache instead of the metadata. */
  readonly namespace?: string | undefined;
  readonly metadata?: unknown;
  /** `cacheForceRefresh`. */
  readonly refresh: boolean;
}

/** The in-memory store of complete JSON answers, shared by every request of a runtime. */
export type SimpleCacheStore = ReturnType<typeof createMemoryCacheStore<ProviderAnswer>>;

/** A byte-bounded in-memory store for the simple cache. */
export function createSimpleCacheStore(maxBytes = DEFAULT_IN_PROCESS_CACHE_BYTES): SimpleCacheStore {
  return createMemoryCacheStore<ProviderAnswer>({
    maxBytes,
    sizeOf: (answer) => (answer.kind === 'json' ? JSON.stringify(answer.body ?? null).length : 1),
  });
}

/**
 * The engine's cache port for one request: exact-match (simple) caching of complete JSON answers of
 * chat, completions and embeddings. Streams are not cached in-process, and semantic mode is a
 * gateway feature (it needs embeddings and a vector index), so it does not cache here.
 */
export function simpleCachePort(
  store: SimpleCacheStore,
  context: CacheRequestContext,
): EngineCachePort<ProviderRequest, ProviderAnswer> {
  return {
    store,
    key: (leaf: PlanLeaf, request: ProviderRequest) => {
      if (leaf.cache?.mode !== 'simple' || !CACHEABLE_ENDPOINTS.has(request.endpoint)) return undefined;
      if (request.body?.stream === true) return undefined;
      const { api_key: _secret, ...target } = leaf.target;
      const identity = canonicalJson({
        partition:
          context.namespace === undefined
            ? { metadata: context.metadata ?? null }
            : { namespace: context.namespace },
        endpoint: request.endpoint,
        target,
        override: leaf.override_params ?? null,
        body: request.body ?? null,
      });
      return `pk-sdk:${createHash('sha256').update(identity).digest('hex')}`;
    },
    refresh: () => context.refresh,
    isStream: (answer) => answer.kind !== 'json',
  };
}
