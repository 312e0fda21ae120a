import type { PlanLeaf } from '../plan/plan.js';
import { recordBreakerOutcome } from './breaker-run.js';
import { connectionFailure, deadlineFailure } from './engine-errors.js';
import { lookUpLeaf, storeLeafAnswer } from './leaf-cache.js';
import type { PlanOutcome } from './outcome.js';
import { decideRetry } from './retry.js';
import { CallerAbort, emit, type RunContext } from './run-context.js';
import { attemptOnce } from './timeout.js';
import type { CacheStatus, MutableTraceAttempt } from './trace.js';

/**
 * Runs one leaf: cache lookup, then tries and retries (behaviour reference §4.3, §4.7) under the
 * engine's timers, then the cache write and the breaker count. Leaves the answering leaf's path,
 * retry count and cache status on the context.
 */
export async function runLeaf<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  leaf: PlanLeaf,
): Promise<PlanOutcome<Value, Err>> {
  const { ports } = context;
  const cachePort = ports.cache;
  let cacheKey: string | undefined;
  let cacheStatus: CacheStatus = 'DISABLED';
  if (cachePort !== undefined && leaf.cache !== undefined) {
    cacheKey = cachePort.key(leaf, context.request);
    if (cacheKey !== undefined) {
      if (cachePort.refresh?.(context.request) === true) cacheStatus = 'REFRESH';
      else {
        const hit = await lookUpLeaf(context, leaf, cachePort, cacheKey);
        if (hit !== undefined) return hit;
        cacheStatus = 'MISS';
      }
    }
  }
  const policy = leaf.retry;
  let retriesDone = 0;
  let retryAfterSpentMs = 0;
  for (;;) {
    const startMs = ports.now();
    const deadlineAt = context.deadlineAtMs;
    if (deadlineAt !== undefined && startMs >= deadlineAt)
      return reachDeadline(context, leaf, retriesDone, cacheStatus);
    if (ports.onEvent !== undefined) {
      emit(context, { type: 'attempt-start', atMs: startMs, path: leaf.path, attempt: retriesDone });
    }
    context.attemptOrigin = 'upstream';
    // Gone already: no attempt is made (nor traced).
    if (callerLeft(context.signal)) throw new CallerAbort(context.signal?.reason);
    let outcome: PlanOutcome<Value, Err>;
    try {
      outcome = await attemptOnce(context, leaf, retriesDone);
    } catch (error) {
      if (error instanceof CallerAbort || callerLeft(context.signal)) {
        // The caller left during the attempt: it was made (a provider may have started on it), so
        // the trace keeps it, as a 499 nothing follows. No breaker hears of it: not the target's fault.
        traceAbandonedAttempt(context, leaf, retriesDone, startMs, cacheStatus);
        throw error instanceof CallerAbort ? error : new CallerAbort(context.signal?.reason);
      }
      context.attemptOrigin = 'connection-error';
      outcome = connectionFailure(error);
    }
    const endMs = ports.now();
    const status = outcome.ok ? (outcome.status ?? 200) : outcome.status;
    if (!outcome.ok && outcome.connectionError === true) context.attemptOrigin = 'connection-error';
    const entry: MutableTraceAttempt = {
      kind: 'attempt',
      path: leaf.path,
      attempt: retriesDone,
      ok: outcome.ok,
      status,
      origin: context.attemptOrigin,
      startMs: startMs - context.startMs,
      latencyMs: endMs - startMs,
      cache: cacheStatus,
      reason: 'answered',
      next: 'return',
    };
    context.trace.push(entry);
    context.lastAttempt = entry;
    if (ports.onEvent !== undefined) {
      emit(context, {
        type: 'attempt-end',
        atMs: endMs,
        path: leaf.path,
        attempt: retriesDone,
        ok: outcome.ok,
        status,
        latencyMs: entry.latencyMs,
        origin: entry.origin,
      });
    }
    if (outcome.ok) {
      settle(context, leaf, retriesDone, cacheStatus);
      if (cacheKey !== undefined && cachePort !== undefined)
        storeLeafAnswer(context, leaf, cachePort, cacheKey, outcome);
      if (context.breakers !== undefined) await recordBreakerOutcome(context, leaf, outcome);
      return outcome;
    }
    if (entry.origin === 'deadline') {
      entry.reason = 'deadline';
      context.deadlineReached = true;
      settle(context, leaf, retriesDone, cacheStatus);
      return outcome;
    }
    const decision = decideRetry({
      policy,
      status: outcome.status,
      connectionError: entry.origin === 'connection-error',
      internalError: outcome.internalError === true,
      retryMode: outcome.retryMode,
      retryAfterMs: outcome.retryAfterMs,
      retriesDone,
      retryAfterSpentMs,
      random: ports.random,
    });
    if (!decision.retry) {
      entry.reason = decision.reason;
      settle(context, leaf, decision.retryCount, cacheStatus);
      if (context.breakers !== undefined) await recordBreakerOutcome(context, leaf, outcome);
      return outcome;
    }
    if (deadlineAt !== undefined && endMs + decision.delayMs >= deadlineAt) {
      // Waiting could only end at or after the deadline: answer now instead of sleeping into a 504.
      entry.reason = 'deadline';
      return reachDeadline(context, leaf, retriesDone, cacheStatus);
    }
    entry.reason = decision.viaRetryAfter ? 'retry-after' : 'retry';
    entry.next = 'retry';
    if (decision.viaRetryAfter) retryAfterSpentMs += decision.delayMs;
    if (ports.onEvent !== undefined) {
      emit(context, {
        type: 'retry-scheduled',
        atMs: endMs,
        path: leaf.path,
        attempt: retriesDone + 1,
        delayMs: decision.delayMs,
        reason: decision.viaRetryAfter ? 'retry-after' : 'backoff',
        status: outcome.status,
      });
    }
    try {
      await ports.sleep(decision.delayMs, context.signal);
    } catch (error) {
      if (callerLeft(context.signal)) throw new CallerAbort(context.signal?.reason);
      throw error;
    }
    retriesDone++;
  }
}

/** Records the leaf as the one that answered (so far): `result.path`, `retryCount`, `cacheStatus`. */
function settle<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  leaf: PlanLeaf,
  retryCount: number,
  cacheStatus: CacheStatus,
): void {
  context.path = leaf.path;
  context.retryCount = retryCount;
  context.cacheStatus = cacheStatus;
  context.commitToCache = undefined;
}

/** True once the caller's signal aborted (a function: TypeScript would keep a narrowed value). */
function callerLeft(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** Status of an attempt the caller left during (nginx's "client closed request"). */
const CLIENT_CLOSED_REQUEST = 499;

/** Keeps the attempt in flight when the caller left in the trace: a 499 after which nothing came. */
function traceAbandonedAttempt<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  leaf: PlanLeaf,
  attempt: number,
  startMs: number,
  cacheStatus: CacheStatus,
): void {
  const entry: MutableTraceAttempt = {
    kind: 'attempt',
    path: leaf.path,
    attempt,
    ok: false,
    status: CLIENT_CLOSED_REQUEST,
    origin: context.attemptOrigin,
    startMs: startMs - context.startMs,
    latencyMs: context.ports.now() - startMs,
    cache: cacheStatus,
    reason: 'caller-left',
    next: 'return',
  };
  context.trace.push(entry);
  context.lastAttempt = entry;
}

function reachDeadline<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  leaf: PlanLeaf,
  retriesDone: number,
  cacheStatus: CacheStatus,
): PlanOutcome<Value, Err> {
  context.deadlineReached = true;
  settle(context, leaf, retriesDone, cacheStatus);
  return deadlineFailure(context.plan.request_deadline ?? 0);
}
