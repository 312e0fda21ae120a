import type { PkError } from '../errors/error-envelope.js';
import type { ConditionContext } from '../model/conditions.js';
import type { PlanGroup, ResolvedPlan } from '../plan/plan.js';
import type { PlanBreakers } from './breaker.js';
import type { BreakerReading } from './breaker-store.js';
import { invalidPlanFailure } from './engine-errors.js';
import type { EngineEvent } from './events.js';
import type { AttemptFailure } from './outcome.js';
import type { EnginePorts } from './ports.js';
import type { AttemptNext, AttemptOrigin, CacheStatus, MutableTraceAttempt, TraceEntry } from './trace.js';

/** A half-open breaker's probe held by one request. */
export interface BreakerProbe {
  readonly key: string;
  readonly probeUntilMs: number;
}

/**
 * The state of one `runPlan` call, shared by the strategy modules. One object per request, so the
 * hot path allocates no closures.
 */
export interface RunContext<Req, Value, Err> {
  readonly ports: EnginePorts<Req, Value, Err>;
  readonly plan: ResolvedPlan;
  readonly request: Req;
  readonly signal: AbortSignal | undefined;
  readonly startMs: number;
  /** Absolute time (ports' clock) when `request_deadline` is reached. */
  readonly deadlineAtMs: number | undefined;
  readonly trace: TraceEntry[];
  /** Who made the current attempt's outcome: `upstream` unless the engine's timer or a throw made it. */
  attemptOrigin: AttemptOrigin;
  /** The trace line of the last attempt, for the fallback to mark `next: 'fallback'`. */
  lastAttempt: MutableTraceAttempt | undefined;
  /** Path, retry count and cache status of the leaf that answered last. */
  path: string;
  retryCount: number;
  cacheStatus: CacheStatus;
  commitToCache: ((value: Value) => Promise<void>) | undefined;
  /** Set when the deadline was reached: no group may move on any more. */
  deadlineReached: boolean;
  readonly breakers: PlanBreakers | undefined;
  /** Breaker readings by leaf path, read once at the start of the request. */
  breakerStates: ReadonlyMap<string, BreakerReading> | undefined;
  /**
   * Probes of half-open breakers this request took and has not reported yet, by leaf path: each is
   * recorded with the leaf's outcome, or given back when the request ends.
   */
  breakerProbes: Map<string, BreakerProbe> | undefined;
  conditionContext: ConditionContext | undefined;
}

/** Sends an event when a listener is set; a throwing listener never breaks the request. */
export function emit<Req, Value, Err>(context: RunContext<Req, Value, Err>, event: EngineEvent): void {
  try {
    context.ports.onEvent?.(event);
  } catch {
    // Logging must not change routing.
  }
}

/** Sets what came after the last attempt of the target just run (a group moving on marks `fallback`). */
export function markLastAttempt<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  next: AttemptNext,
): void {
  if (context.lastAttempt !== undefined) context.lastAttempt.next = next;
}

/** Records a group's own failure (no route, every breaker open) as the answer: no leaf answered. */
export function settleOnGroup<Req, Value, Err>(context: RunContext<Req, Value, Err>, path: string): void {
  context.path = path;
  context.retryCount = 0;
  context.cacheStatus = 'DISABLED';
  context.commitToCache = undefined;
  context.lastAttempt = undefined;
}

/** A group without targets (a resolved plan never has one): 400 rather than a crash. */
export function emptyGroupFailure<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  group: PlanGroup,
): AttemptFailure<PkError> {
  settleOnGroup(context, group.path);
  return invalidPlanFailure(`The ${group.strategy.mode} group at ${group.path} has no targets`);
}

/** Ends the run (throws `CallerAbort`) when the caller's signal has aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new CallerAbort(signal.reason);
}

/** Internal marker: the caller aborted; `runPlan` turns it into a `PlanAbortedError`. */
export class CallerAbort {
  readonly reason: unknown;
  constructor(reason: unknown) {
    this.reason = reason;
  }
}
