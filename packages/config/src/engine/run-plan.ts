import type { ResolvedPlan } from '../plan/plan.js';
import { planBreakersOf } from './breaker.js';
import { loadBreakerStates, releaseBreakerProbes } from './breaker-run.js';
import type { PlanOutcome } from './outcome.js';
import { PlanAbortedError } from './plan-aborted-error.js';
import type { EnginePorts } from './ports.js';
import { finishRootCache, lookUpRoot, type RootCacheUse } from './root-cache.js';
import { CallerAbort, type RunContext, throwIfAborted } from './run-context.js';
import { runNode } from './run-node.js';
import type { CacheStatus, TraceEntry } from './trace.js';

/** What `runPlan` resolves to: the answer plus everything the response headers and the log need. */
export interface PlanResult<Value, Err> {
  /** The answering target's outcome (on total failure: the last tried target's own), or an engine-made failure. */
  readonly outcome: PlanOutcome<Value, Err>;
  /** JSON path of the leaf that answered: `x-portkey-last-used-option-index` (`config.targets[1]`). */
  readonly path: string;
  /** `x-portkey-retry-attempt-count`: the answering target's retries, -1 when they ran out. */
  readonly retryCount: number;
  /** `x-portkey-cache-status` of the answering leaf. */
  readonly cacheStatus: CacheStatus;
  /** Every attempt (target path, status, latency, retry, cache status, why the engine moved on) and skip. */
  readonly trace: readonly TraceEntry[];
  /**
   * Set when the answer is a stream that missed a cacheable lookup: call it with the complete answer
   * after `[DONE]` to store it. Never call it after an error or an abort (it ignores calls once the
   * caller's signal aborted).
   */
  readonly commitToCache: ((value: Value) => Promise<void>) | undefined;
}

/**
 * Runs a resolved plan for one request: the root cache (`plan.cache`, once, before the strategy),
 * fallback, loadbalance, conditional and single groups nested at will, per-leaf cache lookups, retries with back-off and Retry-After, per-attempt timeouts, the
 * whole-request deadline and circuit breakers, all through `ports` (ARCHITECTURE §2). Never throws
 * for a target's failure: every failure is an outcome. Rejects with {@link PlanAbortedError} when the
 * caller's signal aborts.
 *
 * @example
 * const result = await runPlan(plan, request, { attempt, sleep, now: Date.now, random: Math.random });
 * if (result.outcome.ok) reply(result.outcome.value);
 */
export async function runPlan<Req, Value, Err>(
  plan: ResolvedPlan,
  request: Req,
  ports: EnginePorts<Req, Value, Err>,
): Promise<PlanResult<Value, Err>> {
  const startMs = ports.now();
  const deadline = plan.request_deadline;
  const context: RunContext<Req, Value, Err> = {
    ports,
    plan,
    request,
    signal: ports.signal,
    startMs,
    deadlineAtMs: deadline === undefined ? undefined : startMs + deadline,
    trace: [],
    attemptOrigin: 'upstream',
    lastAttempt: undefined,
    path: plan.root.path,
    retryCount: 0,
    cacheStatus: 'DISABLED',
    commitToCache: undefined,
    deadlineReached: false,
    breakers: ports.breakers === undefined ? undefined : planBreakersOf(plan),
    breakerStates: undefined,
    breakerProbes: undefined,
    conditionContext: undefined,
  };
  try {
    throwIfAborted(context.signal);
    // The root cache, once, before the strategy (decision 0005): a hit calls no target at all.
    const rootPort = plan.cache === undefined ? undefined : ports.cache?.root;
    let rootUse: RootCacheUse | undefined;
    if (rootPort !== undefined) {
      const key = rootPort.key(plan, request);
      if (key !== undefined) {
        if (ports.cache?.refresh?.(request) === true) rootUse = { key, status: 'REFRESH' };
        else {
          const hit = await lookUpRoot(context, rootPort, key);
          if (hit !== undefined) return resultOf(context, hit);
          rootUse = { key, status: 'MISS' };
        }
      }
    }
    if (context.breakers !== undefined) await loadBreakerStates(context);
    const outcome = await runNode(context, plan.root);
    if (rootUse !== undefined && rootPort !== undefined && plan.cache !== undefined) {
      finishRootCache(context, rootPort, plan.cache, rootUse, outcome);
    }
    return resultOf(context, outcome);
  } catch (error) {
    if (error instanceof CallerAbort) throw new PlanAbortedError(error.reason, context.trace, context.path);
    throw error;
  } finally {
    // A probe taken but not reported (target not tried, outcome not counted, caller gone) is given back.
    if (context.breakerProbes !== undefined) await releaseBreakerProbes(context);
  }
}

function resultOf<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  outcome: PlanOutcome<Value, Err>,
): PlanResult<Value, Err> {
  return {
    outcome,
    path: context.path,
    retryCount: context.retryCount,
    cacheStatus: context.cacheStatus,
    trace: context.trace,
    commitToCache: context.commitToCache,
  };
}
