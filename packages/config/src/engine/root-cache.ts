import type { CachePolicy } from '../schema/cache.js';
import type { AttemptSuccess, PlanOutcome } from './outcome.js';
import type { EngineRootCachePort, RootCacheEntry } from './ports.js';
import { emit, type RunContext, throwIfAborted } from './run-context.js';
import type { CacheStatus } from './trace.js';

/** The root cache in use for one request: its key and the status it reports unless a leaf hit. */
export interface RootCacheUse {
  readonly key: string;
  readonly status: Exclude<CacheStatus, 'HIT' | 'DISABLED'>;
}

/**
 * Looks the request up under the plan's root cache, before the strategy runs (decision 0005). A hit
 * is the answer: no target is called, the stored target path is reported, with 0 retries and `HIT`.
 * A failed lookup counts as a miss.
 */
export async function lookUpRoot<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  port: EngineRootCachePort<Req, Value>,
  key: string,
): Promise<AttemptSuccess<Value> | undefined> {
  const { ports } = context;
  const startMs = ports.now();
  let entry: RootCacheEntry<Value> | undefined;
  try {
    entry = await port.store.get(key, context.signal === undefined ? undefined : { signal: context.signal });
  } catch {
    entry = undefined;
  }
  throwIfAborted(context.signal);
  if (entry === undefined) return undefined;
  const endMs = ports.now();
  context.trace.push({
    kind: 'attempt',
    path: entry.path,
    attempt: 0,
    ok: true,
    status: 200,
    origin: 'cache',
    startMs: startMs - context.startMs,
    latencyMs: endMs - startMs,
    cache: 'HIT',
    reason: 'cache-hit',
    next: 'return',
  });
  if (ports.onEvent !== undefined) emit(context, { type: 'cache-hit', atMs: endMs, path: entry.path, key });
  context.path = entry.path;
  context.retryCount = 0;
  context.cacheStatus = 'HIT';
  context.commitToCache = undefined;
  return { ok: true, value: entry.value, cacheHit: true };
}

/**
 * After the strategy ran on a root-cache miss (or refresh): reports the root's status unless a leaf's
 * own cache hit, and stores a 200 answer under the root key with the answering target's path: a JSON
 * value at once (not awaited), a stream through `commitToCache` once whoever drains it has `[DONE]`
 * (alongside a leaf's own commit, when the answering leaf has a cache of its own).
 */
export function finishRootCache<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  port: EngineRootCachePort<Req, Value>,
  policy: CachePolicy,
  use: RootCacheUse,
  outcome: PlanOutcome<Value, Err>,
): void {
  if (context.cacheStatus !== 'HIT') context.cacheStatus = use.status;
  if (!outcome.ok || (outcome.status !== undefined && outcome.status !== 200)) return;
  const path = context.path;
  const store = (value: Value): Promise<void> =>
    port.store.put(use.key, { value, path }, policy.max_age).catch(() => {
      // A cache write is best effort: the answer is already on its way.
    });
  if (context.ports.cache?.isStream?.(outcome.value) === true) {
    const leafCommit = context.commitToCache;
    const signal = context.signal;
    let committed = false;
    context.commitToCache = async (value) => {
      if (committed || signal?.aborted === true) return;
      committed = true;
      await Promise.all([leafCommit?.(value), store(value)]);
    };
    return;
  }
  void store(outcome.value);
}
