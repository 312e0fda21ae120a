import type { CachePolicy, EngineCachePort, PlanLeaf, ResolvedPlan } from '@pk/config';
import type { CacheStore } from '@pk/config/cache';
import type { ProviderAnswer, ProviderEndpoint, ProviderRequest } from '@pk/providers';
import { createAnswerCache } from './answer-cache.js';
import { bodyAfterOverrides, cacheKeyOf, cachePartitionOf } from './cache-key.js';
import type { SemanticCache } from './semantic/semantic-cache.js';
import { type SemanticQuery, semanticQueryOf } from './semantic/semantic-request.js';

/**
 * Endpoints whose answers may be cached: chat, completions, embeddings, and the Messages and Responses
 * dialects (stored in their own shape, replayed in it). Semantic matching is for chat only.
 */
const CACHEABLE_ENDPOINTS: ReadonlySet<ProviderEndpoint> = new Set([
  'chat.completions',
  'completions',
  'embeddings',
  'messages',
  'responses',
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
  /** The semantic cache, when the settings configure one. */
  readonly semantic?: SemanticCache | undefined;
  /** Called when the store fails (the gateway warns, rate-limited). */
  readonly onStoreFailure: (error: unknown) => void;
  /** Called for a semantic hit that shadow mode did not serve (for the log). */
  readonly onShadowHit?: (similarity: number) => void;
}

/** The engine's cache port for one request, and what happened in it. */
export interface RequestCache {
  readonly port: EngineCachePort<ProviderRequest, ProviderAnswer>;
  /** True once a store command failed: the answer says `DISABLED` + `x-pk-cache-error`. */
  storeFailed: boolean;
  /** Set when a semantic lookup ran: the answer's cache status. */
  semanticStatus?: 'SEMANTIC HIT' | 'SEMANTIC MISS';
  /** Set when shadow mode kept an exact hit from being served. */
  shadowed: boolean;
}

function planUsesCache(node: ResolvedPlan['root']): boolean {
  return node.kind === 'leaf' ? node.cache !== undefined : node.targets.some(planUsesCache);
}

/** Whether an answer contains tool calls (never served semantically). */
function hasToolCalls(answer: ProviderAnswer): boolean {
  if (answer.kind !== 'json') return true;
  const choices = (answer.body as { choices?: { message?: { tool_calls?: unknown[] } }[] }).choices ?? [];
  return choices.some((choice) => (choice.message?.tool_calls?.length ?? 0) > 0);
}

interface KeyContext {
  readonly policy: CachePolicy;
  readonly query?: SemanticQuery | undefined;
  vector?: Float32Array | undefined;
}

/**
 * The cache port for one request, or `undefined` when nothing in the plan caches or the endpoint is
 * not cacheable (legacy completions are not replayed as streams). The engine consults it per leaf:
 * exact match first; for `mode: semantic` on chat, an exact miss embeds the non-system messages and
 * searches the leaf's scope (cosine ≥ `threshold`); `shadow` looks up but never serves.
 */
export function createRequestCache(input: RequestCacheInput): RequestCache | undefined {
  if (!CACHEABLE_ENDPOINTS.has(input.endpoint) || !planUsesCache(input.plan.root)) return undefined;
  if (input.streamed && input.endpoint === 'completions') return undefined;
  const contexts = new Map<string, KeyContext>();
  const answers = createAnswerCache(input.store, (_operation, error) => {
    cache.storeFailed = true;
    input.onStoreFailure(error);
  });
  const semantic = input.endpoint === 'chat.completions' ? input.semantic : undefined;

  const lookUpSemantic = async (
    context: KeyContext,
    signal?: AbortSignal,
  ): Promise<ProviderAnswer | undefined> => {
    if (!semantic || !context.query) return undefined;
    context.vector = await semantic.embed(context.query.text, signal);
    if (!context.vector) return undefined;
    cache.semanticStatus = 'SEMANTIC MISS';
    const match = semantic.index.search(context.query.scope, context.vector);
    if (!match || match.similarity < context.policy.threshold) return undefined;
    const answer = await answers.get(match.key, signal === undefined ? undefined : { signal });
    if (!answer) return undefined;
    if (context.policy.shadow) {
      input.onShadowHit?.(match.similarity);
      return undefined;
    }
    cache.semanticStatus = 'SEMANTIC HIT';
    return answer;
  };

  const cache: RequestCache = {
    storeFailed: false,
    shadowed: false,
    port: {
      store: {
        async get(key, options) {
          const context = contexts.get(key);
          const exact = await answers.get(key, options);
          if (exact && context?.policy.shadow) {
            cache.shadowed = true;
            return undefined;
          }
          if (exact || !context || context.policy.mode !== 'semantic') return exact;
          return lookUpSemantic(context, options?.signal);
        },
        async put(key, answer, ttlSeconds) {
          await answers.put(key, answer, ttlSeconds);
          const context = contexts.get(key);
          if (!semantic || !context?.query || !context.vector || hasToolCalls(answer)) return;
          const entry = { scope: context.query.scope, key, vector: context.vector };
          semantic.index.add(entry);
          semantic.log?.append(input.tenant, entry);
        },
      },
      key(leaf: PlanLeaf, request: ProviderRequest) {
        const keyInput = {
          tenant: input.tenant,
          leaf,
          endpoint: input.endpoint,
          body: request.body ?? {},
          namespace: input.namespace,
          metadata: input.metadata,
        };
        const key = cacheKeyOf(keyInput);
        if (leaf.cache) {
          const query =
            leaf.cache.mode === 'semantic' && semantic
              ? semanticQueryOf(bodyAfterOverrides(keyInput), cachePartitionOf(keyInput))
              : undefined;
          contexts.set(key, { policy: leaf.cache, query });
        }
        return key;
      },
      refresh: () => input.forceRefresh,
      isStream: (answer: ProviderAnswer) => answer.kind === 'stream',
    },
  };
  return cache;
}
