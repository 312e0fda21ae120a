import type { IncomingHttpHeaders } from 'node:http';
import {
  type CachePolicy,
  type EngineCachePort,
  type PlanLeaf,
  planForwardedHeaderNames,
  type ResolvedPlan,
} from '@pk/config';
import { type CacheStore, isCacheableAnswerBody } from '@pk/config/cache';
import type { GatewaySecretTest } from '@pk/headers';
import type { ProviderAnswer, ProviderEndpoint, ProviderRequest } from '@pk/providers';
import { forwardedHeadersOf, gatewaySecretTestOf } from '../proxy/forwarded-headers.js';
import type { GatewayKeyHashes } from '../request-plan/gateway-key-secret.js';
import { planLeaves } from '../request-plan/map-plan-leaves.js';
import { createAnswerCache, type FoundAnswer } from './answer-cache.js';
import type { CacheFlights, FlightLead } from './cache-flights.js';
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
  /**
   * The misses in flight in this process: a non-streamed miss of a key another request is already
   * fetching waits for that answer instead of calling the provider again. None: no coalescing.
   */
  readonly flights?: CacheFlights | undefined;
  /**
   * The client's headers and the gateway's keys: the headers `forward_headers` names pass to a
   * provider (as the route forwards them, never a gateway secret) are part of the key of a target
   * that forwards some, or of a root cache whose plan has one that does.
   */
  readonly clientHeaders?: IncomingHttpHeaders | undefined;
  readonly gatewayKeys?: GatewayKeyHashes | undefined;
}

/** The `forward_headers` of every leaf of a plan, sorted without repeats, once per plan tree. */
const forwardedNamesOfRoot = new WeakMap<ResolvedPlan['root'], readonly string[]>();
function forwardedNamesOf(root: ResolvedPlan['root']): readonly string[] {
  let names = forwardedNamesOfRoot.get(root);
  if (names === undefined) {
    names = planForwardedHeaderNames(root);
    forwardedNamesOfRoot.set(root, names);
  }
  return names;
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
  /** Embedding calls this request made (semantic lookups after an exact miss), and their milliseconds in all. */
  embeddingCalls: number;
  embeddingMs: number;
  /** Set when a semantic lookup ran: the answer's cache status. */
  semanticStatus?: 'SEMANTIC HIT' | 'SEMANTIC MISS';
  /** Set when shadow mode kept an exact hit from being served. */
  shadowed: boolean;
  /**
   * Set when a policy asked for `mode: semantic` but the gateway has no semantic cache (no
   * `semantic_cache` in its settings): the request was matched exactly only.
   */
  semanticUnconfigured: boolean;
  /**
   * Set when a policy asked for `mode: semantic` on an endpoint semantic matching does not serve
   * (the Responses dialect, legacy completions, embeddings): the request was matched exactly only.
   */
  semanticUnsupported: boolean;
  /**
   * Ends the flights this request leads that got no answer to share (its strategy failed, its
   * client left, it threw): their waiters go to the provider themselves. Call it once `runPlan`
   * settled, whatever the outcome; a JSON answer was handed to the waiters when it was stored.
   */
  release(): void;
}

function planUsesCache(node: ResolvedPlan['root']): boolean {
  return node.kind === 'leaf' ? node.cache !== undefined : node.targets.some(planUsesCache);
}

/**
 * The endpoints the semantic cache serves: chat completions and Anthropic's Messages API, whose body
 * has the same `messages` list of `role`s with string or text-block content (`semantic-request.ts`).
 */
const SEMANTIC_ENDPOINTS: ReadonlySet<ProviderEndpoint> = new Set(['chat.completions', 'messages']);

/** Messages content blocks that call a tool (never served semantically, as chat's `tool_calls`). */
const TOOL_CALL_BLOCKS: ReadonlySet<unknown> = new Set(['tool_use', 'server_tool_use', 'mcp_tool_use']);

/**
 * Whether an answer contains tool calls, legacy `function_call` included, or a Message's `tool_use`
 * blocks (never served semantically: a call's arguments answer this request's exact words, not a
 * similar one's).
 */
function hasToolCalls(answer: ProviderAnswer): boolean {
  if (answer.kind !== 'json') return true;
  const body = answer.body as {
    choices?: { message?: { tool_calls?: unknown[]; function_call?: unknown } }[];
    content?: unknown;
  };
  if (Array.isArray(body.content))
    return body.content.some((block: { type?: unknown } | null) => TOOL_CALL_BLOCKS.has(block?.type));
  return (body.choices ?? []).some(
    (choice) =>
      (choice.message?.tool_calls?.length ?? 0) > 0 ||
      (choice.message?.function_call !== undefined && choice.message.function_call !== null),
  );
}

interface KeyContext {
  readonly policy: CachePolicy;
  readonly query?: SemanticQuery | undefined;
  vector?: Float32Array | undefined;
  /** The longest a request waits for another's answer under this key: its own timeout or deadline. */
  readonly waitLimitMs: () => number | undefined;
}

/**
 * How long a request waits for another's answer before it stops and calls the provider itself: no
 * longer than it would wait for a provider (the request timeout of the leaves it could call, the
 * longest of them; unbounded when one has none) nor than its request deadline.
 */
function waitLimitOf(leaves: readonly PlanLeaf[], deadlineMs: number | undefined): number | undefined {
  let timeoutMs: number | undefined = 0;
  for (const leaf of leaves) {
    if (leaf.request_timeout === undefined) {
      timeoutMs = undefined;
      break;
    }
    timeoutMs = Math.max(timeoutMs, leaf.request_timeout);
  }
  if (timeoutMs === undefined || leaves.length === 0) return deadlineMs;
  return deadlineMs === undefined ? timeoutMs : Math.min(timeoutMs, deadlineMs);
}

/**
 * The cache port for one request, or `undefined` when nothing in the plan caches or the endpoint is
 * not cacheable (legacy completions are not replayed as streams). The engine consults a config's
 * root `cache` once before the strategy (`port.root`) and a target's own `cache` per leaf: exact
 * match first; for `mode: semantic` on chat and Messages, an exact miss embeds the last user message's text and
 * searches the entries whose scope (partition, every other field and message) is the same (cosine ≥
 * `threshold`, `semantic-request.ts`); `shadow` looks up but never serves.
 */
export function createRequestCache(input: RequestCacheInput): RequestCache | undefined {
  if (!CACHEABLE_ENDPOINTS.has(input.endpoint)) return undefined;
  if (input.plan.cache === undefined && !planUsesCache(input.plan.root)) return undefined;
  if (input.streamed && input.endpoint === 'completions') return undefined;
  const contexts = new Map<string, KeyContext>();
  const answers = createAnswerCache(
    input.store,
    (_operation, error) => {
      cache.storeFailed = true;
      input.onStoreFailure(error);
    },
    input.endpoint,
  );
  const semantic = SEMANTIC_ENDPOINTS.has(input.endpoint) ? input.semantic : undefined;
  // A streamed request neither waits nor leads: its client asked for the first token early.
  const flights = input.streamed ? undefined : input.flights;
  /** The flights this request leads, by key (made on its first lead: a hit never needs it). */
  let leads: Map<string, FlightLead> | undefined;

  /**
   * After a clean miss (the store answered, nothing stored): joins the key's flight. Leading it
   * returns `undefined` (the request goes on to the provider); waiting returns the leader's answer,
   * or `undefined` when the leader had none to share or the wait stopped (then it goes on as a miss).
   */
  const coalesce = async (
    key: string,
    context: KeyContext | undefined,
    signal: AbortSignal | undefined,
  ): Promise<FoundAnswer | undefined> => {
    if (flights === undefined || context === undefined || context.policy.shadow === true) return undefined;
    if (cache.storeFailed || leads?.has(key) === true) return undefined;
    const joined = flights.join(key, { signal, limitMs: context.waitLimitMs() });
    if ('lead' in joined) {
      leads ??= new Map();
      leads.set(key, joined.lead);
      return undefined;
    }
    const waited = await joined.wait;
    return waited.kind === 'answered' ? answers.answerOf(key, waited.entry) : undefined;
  };

  const lookUpSemantic = async (
    context: KeyContext,
    signal?: AbortSignal,
  ): Promise<FoundAnswer | undefined> => {
    if (!semantic || !context.query) return undefined;
    const started = performance.now();
    context.vector = await semantic.embed(context.query.text, signal);
    cache.embeddingCalls += 1;
    cache.embeddingMs += performance.now() - started;
    if (!context.vector) {
      if (!signal?.aborted) cache.embeddingFailed = true;
      return undefined;
    }
    cache.semanticStatus = 'SEMANTIC MISS';
    const match = semantic.index.search(context.query.scope, context.vector);
    // Written so that a similarity that is not a number is a miss, never a hit.
    if (!match || !(match.similarity >= context.policy.threshold)) return undefined;
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
    if (exact) return exact;
    const shared = await coalesce(key, context, options?.signal);
    if (shared || !context || context.policy.mode !== 'semantic') return shared;
    return lookUpSemantic(context, options?.signal);
  };

  const store = async (key: string, answer: ProviderAnswer, ttlSeconds: number, path?: string) => {
    // An answer cut at the token limit or filtered, an error in a 200, a Response not completed: never
    // stored (nor handed to waiting requests).
    const entry =
      answer.kind === 'json' && !isCacheableAnswerBody(input.endpoint, answer.body)
        ? undefined
        : answers.entryOf(answer, path);
    const lead = leads?.get(key);
    if (lead !== undefined) {
      // The waiters get the answer at once, as the entry a hit would read (not after the write).
      leads?.delete(key);
      if (entry === undefined) lead.end();
      else lead.answer(entry);
    }
    if (entry === undefined) return;
    await answers.write(key, entry, ttlSeconds);
    const context = contexts.get(key);
    if (!semantic || !context?.query || !context.vector || hasToolCalls(answer)) return;
    const indexed = { tenant: input.tenant, scope: context.query.scope, key, vector: context.vector };
    semantic.index.add(indexed);
    semantic.log?.append(indexed);
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
    waitLimitMs: () => number | undefined,
  ): void => {
    if (policy.mode === 'semantic') {
      if (input.semantic === undefined) cache.semanticUnconfigured = true;
      else if (semantic === undefined) cache.semanticUnsupported = true;
    }
    const query = policy.mode === 'semantic' && semantic ? semanticQueryOf(body(), partition()) : undefined;
    contexts.set(key, { policy, query, waitLimitMs });
  };

  /** The forwarded headers' values for a key, or `undefined` when nothing is forwarded. */
  const forwardedOf = (names: readonly string[] | undefined) => {
    const headers = input.clientHeaders;
    if (names === undefined || names.length === 0 || headers === undefined) return undefined;
    const keys = input.gatewayKeys;
    const isGatewaySecret: GatewaySecretTest =
      keys === undefined ? () => false : gatewaySecretTestOf(keys, headers);
    return forwardedHeadersOf(names, headers, isGatewaySecret);
  };

  const cache: RequestCache = {
    storeFailed: false,
    embeddingFailed: false,
    embeddingCalls: 0,
    embeddingMs: 0,
    shadowed: false,
    semanticUnconfigured: false,
    semanticUnsupported: false,
    release() {
      if (leads === undefined) return;
      for (const lead of leads.values()) lead.end();
      leads = undefined;
    },
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
            forwarded: forwardedOf(forwardedNamesOf(plan.root)),
          };
          const key = rootCacheKeyOf(keyInput);
          remember(
            key,
            plan.cache,
            () => withOverrides(keyInput.body, plan.root.override_params),
            () => rootCachePartitionOf(keyInput),
            () => waitLimitOf(planLeaves(plan.root), plan.request_deadline),
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
          forwarded: forwardedOf(leaf.forward_headers),
        };
        const key = cacheKeyOf(keyInput);
        if (leaf.cache)
          remember(
            key,
            leaf.cache,
            () => bodyAfterOverrides(keyInput),
            () => cachePartitionOf(keyInput),
            () => waitLimitOf([leaf], input.plan.request_deadline),
          );
        return key;
      },
      refresh: () => input.forceRefresh,
      isStream: (answer: ProviderAnswer) => answer.kind === 'stream',
    },
  };
  return cache;
}
