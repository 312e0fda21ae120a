import { createHash } from 'node:crypto';
import {
  canonicalJson,
  type EngineCachePort,
  type PlanLeaf,
  planCacheIdentity,
  planForwardedHeaderNames,
  planRoutesByMetadata,
  type ResolvedPlan,
} from '@pk/config';
import { createMemoryCacheStore, isCacheableAnswerBody } from '@pk/config/cache';
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
  /** The client's headers: those `forward_headers` passes to a provider are part of the key. */
  readonly headers?: Headers;
}

/** The values of the headers `names` forwards, by name, or `null` when nothing is forwarded. */
function forwardedOf(names: readonly string[] | undefined, headers: Headers | undefined) {
  if (names === undefined || names.length === 0) return null;
  const values: Record<string, string> = {};
  for (const name of names) {
    const value = headers?.get(name);
    if (value !== null && value !== undefined) values[name] = value;
  }
  return values;
}

/** One entry: a complete answer, and for a config's root cache the path of the target that gave it. */
export interface SimpleCacheEntry {
  readonly answer: ProviderAnswer;
  readonly path?: string;
}

/** The in-memory store of complete JSON answers, shared by every request of a runtime. */
export type SimpleCacheStore = ReturnType<typeof createMemoryCacheStore<SimpleCacheEntry>>;

/** A byte-bounded in-memory store for the simple cache. */
export function createSimpleCacheStore(maxBytes = DEFAULT_IN_PROCESS_CACHE_BYTES): SimpleCacheStore {
  return createMemoryCacheStore<SimpleCacheEntry>({
    maxBytes,
    sizeOf: ({ answer }) => (answer.kind === 'json' ? JSON.stringify(answer.body ?? null).length : 1),
  });
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The engine's cache port for one request: exact-match (simple) caching of complete JSON answers of
 * chat, completions and embeddings, for a config's root `cache` (once, before the strategy, as the
 * gateway does) and for a target's own. Streams are not cached in-process, and semantic mode is a
 * gateway feature (it needs embeddings and a vector index), so it does not cache here. Strict and
 * non-strict answers never share an entry, nor do targets with other credentials (hashed). Only a
 * finished answer is stored (`isCacheableAnswerBody`): not an error inside a 200, not one cut short.
 */
export function simpleCachePort(
  store: SimpleCacheStore,
  context: CacheRequestContext,
): EngineCachePort<ProviderRequest, ProviderAnswer> {
  const partition =
    context.namespace === undefined
      ? { metadata: context.metadata ?? null }
      : { namespace: context.namespace };
  // A root cache is looked up before the routing: the metadata a conditional routing reads stays in its key.
  const rootPartition = (plan: ResolvedPlan) =>
    context.namespace !== undefined && planRoutesByMetadata(plan.root)
      ? { ...partition, metadata: context.metadata ?? null }
      : partition;
  /** The request's endpoint, once a key was made for it (every key of one request has the same). */
  let endpoint = '';
  const cacheable = (request: ProviderRequest): boolean => {
    endpoint = request.endpoint;
    return CACHEABLE_ENDPOINTS.has(request.endpoint) && request.body?.stream !== true;
  };
  /** Only a finished answer is kept: not an error inside a 200, not one cut short (as the gateway). */
  const keeps = (answer: ProviderAnswer): boolean =>
    answer.kind === 'json' && isCacheableAnswerBody(endpoint, answer.body);
  return {
    store: {
      get: async (key, options) => (await store.get(key, options))?.answer,
      put: async (key, answer, ttlSeconds) => {
        if (keeps(answer)) await store.put(key, { answer }, ttlSeconds);
      },
    },
    root: {
      store: {
        async get(key, options) {
          const entry = await store.get(key, options);
          return entry && { value: entry.answer, path: entry.path ?? 'config' };
        },
        put: async (key, entry, ttlSeconds) => {
          if (keeps(entry.value)) await store.put(key, { answer: entry.value, path: entry.path }, ttlSeconds);
        },
      },
      key: (plan: ResolvedPlan, request: ProviderRequest) => {
        if (plan.cache?.mode !== 'simple' || !cacheable(request)) return undefined;
        const identity = canonicalJson({
          partition: rootPartition(plan),
          forwarded: forwardedOf(planForwardedHeaderNames(plan.root), context.headers),
          endpoint: request.endpoint,
          // Credentials are part of the plan's identity: only their hash is kept.
          plan: sha256(planCacheIdentity(plan)),
          strict: request.strictOpenAICompliance !== false,
          body: { ...request.body, ...plan.root.override_params },
        });
        return `pk-sdk:root:${sha256(identity)}`;
      },
    },
    key: (leaf: PlanLeaf, request: ProviderRequest) => {
      if (leaf.cache?.mode !== 'simple' || !cacheable(request)) return undefined;
      const { api_key: secret, ...target } = leaf.target;
      const identity = canonicalJson({
        partition,
        endpoint: request.endpoint,
        target,
        // Another provider key is another entry (a wrong key never gets a hit); only its hash is kept.
        key: typeof secret === 'string' ? sha256(secret) : null,
        forwarded: forwardedOf(leaf.forward_headers, context.headers),
        override: leaf.override_params ?? null,
        strict: request.strictOpenAICompliance !== false && leaf.strict_open_ai_compliance !== false,
        body: request.body ?? null,
      });
      return `pk-sdk:${sha256(identity)}`;
    },
    refresh: () => context.refresh,
    isStream: (answer) => answer.kind !== 'json',
  };
}
