import type { BreakerReading, BreakerRecord, BreakerRecordResult, BreakerStatus } from './breaker-store.js';

/**
 * The counters one breaker keeps: the reference transition logic of every {@link BreakerStore}
 * (the memory store uses it as is; a Redis store runs the same steps in one script).
 */
export interface BreakerCounters {
  failures: number;
  successes: number;
  /** First failure of the current window (caller's clock, ms). */
  windowStartMs: number | undefined;
  /** Set while open: when the breaker closes. */
  openUntilMs: number | undefined;
  /** The rule's cooldown at the latest outcome counted (ms): how long a window lasts. */
  cooldownMs: number | undefined;
  /** The latest outcome's `target` description. */
  target: string | undefined;
}

const CLOSED: BreakerReading = { open: false, closedNow: false };
const CLOSED_NOW: BreakerReading = { open: false, closedNow: true };

/** Reads a breaker at `nowMs`; `reset` is true when the caller must drop its counters (cooldown over). */
export function readBreakerCounters(
  counters: BreakerCounters | undefined,
  nowMs: number,
): { reading: BreakerReading; reset: boolean } {
  const until = counters?.openUntilMs;
  if (until === undefined) return { reading: CLOSED, reset: false };
  if (nowMs < until) return { reading: { open: true, openUntilMs: until, closedNow: false }, reset: false };
  return { reading: CLOSED_NOW, reset: true };
}

/** Applies one outcome to the counters in place and reports the breaker's state afterwards. */
export function applyBreakerRecord(counters: BreakerCounters, record: BreakerRecord): BreakerRecordResult {
  const { nowMs, rule } = record;
  counters.cooldownMs = rule.cooldownMs;
  if (record.target !== undefined) counters.target = record.target;
  if (counters.openUntilMs !== undefined) {
    if (nowMs < counters.openUntilMs)
      return { open: true, openUntilMs: counters.openUntilMs, openedNow: false };
    resetCounters(counters);
  }
  if (counters.windowStartMs !== undefined && nowMs - counters.windowStartMs > rule.cooldownMs) {
    resetCounters(counters);
  }
  if (record.failed) {
    counters.failures++;
    counters.windowStartMs ??= nowMs;
  } else {
    counters.successes++;
  }
  if (!shouldOpen(counters, record)) return { open: false, openedNow: false };
  counters.openUntilMs = nowMs + rule.cooldownMs;
  return { open: true, openUntilMs: counters.openUntilMs, openedNow: true };
}

/** Fresh counters of a breaker never seen. */
export function emptyBreakerCounters(): BreakerCounters {
  return {
    failures: 0,
    successes: 0,
    windowStartMs: undefined,
    openUntilMs: undefined,
    cooldownMs: undefined,
    target: undefined,
  };
}

/**
 * What `list` shows of a breaker at `nowMs`: open, or counting failures in a window not yet over;
 * `undefined` when it is closed with nothing to show (cooldown or window over, or no failure).
 */
export function statusOfCounters(
  key: string,
  counters: Readonly<BreakerCounters>,
  nowMs: number,
): BreakerStatus | undefined {
  const { openUntilMs, windowStartMs, cooldownMs } = counters;
  const open = openUntilMs !== undefined && nowMs < openUntilMs;
  if (!open) {
    if (openUntilMs !== undefined || counters.failures === 0 || windowStartMs === undefined) return undefined;
    if (cooldownMs !== undefined && nowMs - windowStartMs > cooldownMs) return undefined;
  }
  return {
    key,
    open,
    ...(open ? { openUntilMs } : {}),
    failures: counters.failures,
    successes: counters.successes,
    ...(windowStartMs === undefined ? {} : { windowStartMs }),
    ...(cooldownMs === undefined ? {} : { cooldownMs }),
    ...(counters.target === undefined ? {} : { target: counters.target }),
  };
}

/** Orders breakers for `list`: open ones first, then by key. */
export function compareBreakerStatuses(a: BreakerStatus, b: BreakerStatus): number {
  if (a.open !== b.open) return a.open ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function shouldOpen(counters: BreakerCounters, { rule }: BreakerRecord): boolean {
  if (counters.failures === 0) return false;
  if (rule.failureThreshold !== undefined && counters.failures >= rule.failureThreshold) return true;
  const total = counters.failures + counters.successes;
  return (
    rule.failureThresholdPercentage !== undefined &&
    total >= rule.minimumRequests &&
    (100 * counters.failures) / total >= rule.failureThresholdPercentage
  );
}

function resetCounters(counters: BreakerCounters): void {
  counters.failures = 0;
  counters.successes = 0;
  counters.windowStartMs = undefined;
  counters.openUntilMs = undefined;
}
