// The routing engine: runPlan, explainPlan, breakers, events.
export { backoffDelay } from './backoff.js';
export {
  type BreakerTarget,
  breakerKey,
  breakerRuleOf,
  breakerVerdict,
  DEFAULT_BREAKER_COOLDOWN_MS,
  DEFAULT_BREAKER_MINIMUM_REQUESTS,
  describeBreakerTarget,
} from './breaker.js';
export {
  applyBreakerRecord,
  type BreakerCounters,
  compareBreakerStatuses,
  emptyBreakerCounters,
  readBreakerCounters,
  releaseBreakerProbe,
  statusOfCounters,
} from './breaker-state.js';
export type {
  BreakerReading,
  BreakerRecord,
  BreakerRecordResult,
  BreakerRule,
  BreakerStatus,
  BreakerStore,
  InspectableBreakerStore,
} from './breaker-store.js';
export { createRequestConditionContext, type RequestConditionSource } from './conditional.js';
export type {
  AttemptEndEvent,
  AttemptStartEvent,
  BreakerCloseEvent,
  BreakerHalfOpenEvent,
  BreakerOpenEvent,
  CacheHitEvent,
  EngineEvent,
  EngineEventListener,
  FallbackNextEvent,
  RetryScheduledEvent,
} from './events.js';
export { type ExplainOptions, type ExplainStep, explainPlan, type PlanExplanation } from './explain-plan.js';
export { pickWeighted } from './loadbalance.js';
export { createMemoryBreakerStore, type MemoryBreakerStoreOptions } from './memory-breaker-store.js';
export type { AttemptFailure, AttemptOutcome, AttemptSuccess, PlanOutcome, RetryMode } from './outcome.js';
export { PlanAbortedError } from './plan-aborted-error.js';
export type {
  AttemptFunction,
  AttemptOptions,
  EngineCachePort,
  EnginePorts,
  EngineRootCachePort,
  RootCacheEntry,
  SetTimerFunction,
  SleepFunction,
} from './ports.js';
export { realTimePorts } from './real-time.js';
export {
  decideRetry,
  type RetryAgain,
  type RetryDecision,
  type RetryInput,
  type RetryStop,
} from './retry.js';
export { parseRetryAfter, RETRY_AFTER_BUDGET_MS, type RetryAfterHeaders } from './retry-after.js';
export { type PlanResult, runPlan } from './run-plan.js';
export type {
  AttemptNext,
  AttemptOrigin,
  AttemptReason,
  CacheStatus,
  TraceAttempt,
  TraceEntry,
  TraceSkip,
} from './trace.js';
