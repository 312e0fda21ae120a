import type { AttemptOrigin } from './trace.js';

/** An attempt is about to call the target (or look it up in the cache). */
export interface AttemptStartEvent {
  readonly type: 'attempt-start';
  /** `now()` when it happened, in the ports' clock (ms). */
  readonly atMs: number;
  /** JSON path of the leaf (`config.targets[1].targets[0]`). */
  readonly path: string;
  /** 0 for the first try, 1 for the first retry … */
  readonly attempt: number;
}

/** An attempt finished. */
export interface AttemptEndEvent {
  readonly type: 'attempt-end';
  readonly atMs: number;
  readonly path: string;
  readonly attempt: number;
  readonly ok: boolean;
  /** HTTP status (200 for an ok outcome without a status). */
  readonly status: number;
  readonly latencyMs: number;
  /** Who made the outcome: the target, or the engine (timeout, deadline, connection error). */
  readonly origin: AttemptOrigin;
}

/** A retry of the same target was scheduled after a back-off or the upstream's Retry-After. */
export interface RetryScheduledEvent {
  readonly type: 'retry-scheduled';
  readonly atMs: number;
  readonly path: string;
  /** The retry about to run (1 = first retry). */
  readonly attempt: number;
  /** Wait before it, in ms. */
  readonly delayMs: number;
  /** `backoff` (1 s, 2 s, 4 s … or `retry.backoff`) or `retry-after` (the upstream asked). */
  readonly reason: 'backoff' | 'retry-after';
  /** Status of the failure being retried. */
  readonly status: number;
}

/** A fallback group moved on from a failed target to the next one. */
export interface FallbackNextEvent {
  readonly type: 'fallback-next';
  readonly atMs: number;
  /** Path of the fallback group. */
  readonly path: string;
  /** Path of the target that failed. */
  readonly from: string;
  /** Path of the target tried next. */
  readonly to: string;
  /** Status that made it move on. */
  readonly status: number;
}

/** A target's circuit breaker opened (its failures reached the threshold, or its probe failed). */
export interface BreakerOpenEvent {
  readonly type: 'breaker-open';
  readonly atMs: number;
  readonly path: string;
  /** Breaker key (config id + target path). */
  readonly key: string;
  /** When it closes again, in the ports' clock (ms). */
  readonly untilMs: number;
}

/** A target's cooldown was over and this request took its breaker's probe (the breaker is half-open). */
export interface BreakerHalfOpenEvent {
  readonly type: 'breaker-half-open';
  readonly atMs: number;
  readonly path: string;
  readonly key: string;
  /** When the probe expires if its outcome never comes, in the ports' clock (ms). */
  readonly probeUntilMs: number;
}

/** A target's circuit breaker closed: its probe succeeded. */
export interface BreakerCloseEvent {
  readonly type: 'breaker-close';
  readonly atMs: number;
  readonly path: string;
  readonly key: string;
}

/** A leaf was answered from the cache. */
export interface CacheHitEvent {
  readonly type: 'cache-hit';
  readonly atMs: number;
  readonly path: string;
  /** The key the caller computed. */
  readonly key: string;
}

/** Everything the engine reports through `onEvent`, for logs and metrics. */
export type EngineEvent =
  | AttemptStartEvent
  | AttemptEndEvent
  | RetryScheduledEvent
  | FallbackNextEvent
  | BreakerOpenEvent
  | BreakerHalfOpenEvent
  | BreakerCloseEvent
  | CacheHitEvent;

/** Receives engine events; must not throw (a throw is ignored so logging never breaks a request). */
export type EngineEventListener = (event: EngineEvent) => void;
