import type { CachePolicy, EngineCachePort, PlanLeaf, ResolvedPlan } from '@pk/config';
import type { CacheStore } from '@pk/config/cache';
import type { ProviderAnswer, ProviderEndpoint, ProviderRequest } from '@pk/providers';
import { createAnswerCache, type FoundAnswer } from './answer-cache.js';
import {
  bodyAfterOverrides,
  cacheKeyOf,
  cachePartitionOf,
  rootCacheKeyOf,
  rootCachePartitionOf,
  withOverrides,
} from './cache-key.js';
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
  /**
   * True when the embedding call of a semantic lookup failed or timed out: the exact lookup ran, the
   * semantic one did not (`MISS` + `x-pk-cache-error: embedding-unavailable`).
   */
  embeddingFailed: boolean;
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
 * not cacheable (legacy completions are not replayed as streams). The engine consults a config's
 * root `cache` once before the strategy (`port.root`) and a target's own `cache` per leaf: exact
 * match first; for `mode: semantic` on chat, an exact miss embeds the non-system messages and
 * searches the same partition (cosine ≥ `threshold`); `shadow` looks up but never serves.
 */
export function createRequestCache(input: RequestCacheInput): RequestCache | undefined {
  if (!CACHEABLE_ENDPOINTS.has(input.endpoint)) return undefined;
  if (input.plan.cache === undefined && !planUsesCache(input.plan.root)) return undefined;
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
  ): Promise<FoundAnswer | undefined> => {
    if (!semantic || !context.query) return undefined;
    context.vector = await semantic.embed(context.query.text, signal);
    if (!context.vector) {
      if (!signal?.aborted) cache.embeddingFailed = true;
      return undefined;
    }
    cache.semanticStatus = 'SEMANTIC MISS';
    const match = semantic.index.search(context.query.scope, context.vector);
    if (!match || match.similarity < context.policy.threshold) return undefined;
    const found = await answers.get(match.key, signal === undefined ? undefined : { signal });
    if (!found) return undefined;
    if (context.policy.shadow) {
      input.onShadowHit?.(match.similarity);
      return undefined;
    }
    cache.semanticStatus = 'SEMANTIC HIT';
    return found;
  };

  const lookUp = async (
    key: string,
    options?: { signal?: AbortSignal },
  ): Promise<FoundAnswer | undefined> => {
    const context = contexts.get(key);
    const exact = await answers.get(key, options);
    if (exact && context?.policy.shadow) {
      cache.shadowed = true;
      return undefined;
    }
    if (exact || !context || context.policy.mode !== 'semantic') return exact;
    return lookUpSemantic(context, options?.signal);
  };

  const store = async (key: string, answer: ProviderAnswer, ttlSeconds: number, path?: string) => {
    await answers.put(key, answer, ttlSeconds, path);
    const context = contexts.get(key);
    if (!semantic || !context?.query || !context.vector || hasToolCalls(answer)) return;
    const entry = { scope: context.query.scope, key, vector: context.vector };
    semantic.index.add(entry);
    semantic.log?.append(input.tenant, entry);
  };

  /**
   * Remembers the policy (and semantic query) a key was made for: its lookup depends on them. The
   * body and partition are only worked out for a semantic policy.
   */
  const remember = (
    key: string,
    policy: CachePolicy,
    body: () => Readonly<Record<string, unknown>>,
    partition: () => string,
  ): void => {
    const query = policy.mode === 'semantic' && semantic ? semanticQueryOf(body(), partition()) : undefined;
    contexts.set(key, { policy, query });
  };

  const cache: RequestCache = {
    storeFailed: false,
    embeddingFailed: false,
    shadowed: false,
    port: {
      store: {
        get: async (key, options) => (await lookUp(key, options))?.answer,
        put: (key, answer, ttlSeconds) => store(key, answer, ttlSeconds),
      },
      root: {
        store: {
          async get(key, options) {
            const found = await lookUp(key, options);
            return found && { value: found.answer, path: found.path ?? input.plan.root.path };
          },
          put: (key, entry, ttlSeconds) => store(key, entry.value, ttlSeconds, entry.path),
        },
        key(plan: ResolvedPlan, request: ProviderRequest) {
          if (plan.cache === undefined) return undefined;
          const keyInput = {
            tenant: input.tenant,
            plan,
            endpoint: input.endpoint,
            body: request.body ?? {},
            namespace: input.namespace,
            metadata: input.metadata,
            strict: request.strictOpenAICompliance,
          };
          const key = rootCacheKeyOf(keyInput);
          remember(
            key,
            plan.cache,
            () => withOverrides(keyInput.body, plan.root.override_params),
            () => rootCachePartitionOf(keyInput),
          );
          return key;
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
          strict: request.strictOpenAICompliance,
        };
        const key = cacheKeyOf(keyInput);
        if (leaf.cache)
          remember(
            key,
            leaf.cache,
            () => bodyAfterOverrides(keyInput),
            () => cachePartitionOf(keyInput),
          );
        return key;
      },
      refresh: () => input.forceRefresh,
      isStream: (answer: ProviderAnswer) => answer.kind === 'stream',
    },
  };
  return cache;
}
