import type { CacheStore } from '../cache/cache-store.js';
import type { PlanLeaf } from '../plan/plan.js';
import type { AttemptSuccess } from './outcome.js';
import type { EngineCachePort } from './ports.js';
import { emit, type RunContext, throwIfAborted } from './run-context.js';

/**
 * Looks a leaf up in the cache before calling it (as Portkey does, per leaf). A hit is an ok outcome
 * marked `cacheHit`, traced as `HIT`; a failed lookup counts as a miss.
 */
export async function lookUpLeaf<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  leaf: PlanLeaf,
  port: EngineCachePort<Req, Value>,
  key: string,
): Promise<AttemptSuccess<Value> | undefined> {
  const { ports } = context;
  const startMs = ports.now();
  let value: Value | undefined;
  try {
    value = await port.store.get(key, context.signal === undefined ? undefined : { signal: context.signal });
  } catch {
    value = undefined;
  }
  throwIfAborted(context.signal);
  if (value === undefined) return undefined;
  const endMs = ports.now();
  context.trace.push({
    kind: 'attempt',
    path: leaf.path,
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
  context.lastAttempt = undefined;
  if (ports.onEvent !== undefined) emit(context, { type: 'cache-hit', atMs: endMs, path: leaf.path, key });
  context.path = leaf.path;
  context.retryCount = 0;
  context.cacheStatus = 'HIT';
  context.commitToCache = undefined;
  return { ok: true, value, cacheHit: true };
}

/**
 * Stores a fresh ok answer: a JSON value at once (without waiting for the store), a stream through
 * `commitToCache`, which whoever drains it calls after `[DONE]`. Only 200 answers are stored.
 */
export function storeLeafAnswer<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  leaf: PlanLeaf,
  port: EngineCachePort<Req, Value>,
  key: string,
  answer: AttemptSuccess<Value>,
): void {
  const ttlSeconds = leaf.cache?.max_age;
  if (ttlSeconds === undefined || (answer.status !== undefined && answer.status !== 200)) return;
  if (port.isStream?.(answer.value) === true) {
    context.commitToCache = createCommit(port.store, key, ttlSeconds, context.signal);
    return;
  }
  void putQuietly(port.store, key, answer.value, ttlSeconds);
}

/** The callback a stream's drainer calls once complete; a no-op after the caller aborted, or the second time. */
function createCommit<Value>(
  store: CacheStore<Value>,
  key: string,
  ttlSeconds: number,
  signal: AbortSignal | undefined,
): (value: Value) => Promise<void> {
  let committed = false;
  return (value) => {
    if (committed || signal?.aborted === true) return Promise.resolve();
    committed = true;
    return putQuietly(store, key, value, ttlSeconds);
  };
}

/** A failed cache write never fails the request. */
async function putQuietly<Value>(
  store: CacheStore<Value>,
  key: string,
  value: Value,
  ttlSeconds: number,
): Promise<void> {
  try {
    await store.put(key, value, ttlSeconds);
  } catch {
    // The answer is already on its way; a cache write is best effort.
  }
}
