import type { BreakerReading, BreakerRecord, BreakerRecordResult, BreakerStatus } from './breaker-store.js';

/**
 * The counters one breaker keeps: the reference transition logic of every {@link BreakerStore}
 * (the memory store uses it as is; a Redis store runs the same steps in one script).
 *
 * States: closed (`openUntilMs` unset), open (`nowMs < openUntilMs`), half-open (`openUntilMs`
 * reached: one probe at a time, `probeUntilMs` set while it is under way).
 */
export interface BreakerCounters {
  failures: number;
  successes: number;
  /** First failure of the current window (caller's clock, ms). */
  windowStartMs: number | undefined;
  /** Set while open or half-open: when the cooldown ends. */
  openUntilMs: number | undefined;
  /** Set while half-open with a probe under way: when that probe expires. */
  probeUntilMs: number | undefined;
  /** The rule's cooldown at the latest outcome counted (ms): how long a window and a probe last. */
  cooldownMs: number | undefined;
  /** The latest outcome's `target` description. */
  target: string | undefined;
}

/** How long a probe lasts when the breaker never recorded its cooldown (the default cooldown). */
const DEFAULT_PROBE_MS = 30_000;

const CLOSED: BreakerReading = { open: false, probe: false };

/**
 * Reads a breaker at `nowMs`, in place: a half-open breaker without a live probe gives this read the
 * probe (`probeUntilMs` is set; the caller must keep the change).
 */
export function readBreakerCounters(counters: BreakerCounters | undefined, nowMs: number): BreakerReading {
  const until = counters?.openUntilMs;
  if (counters === undefined || until === undefined) return CLOSED;
  if (nowMs < until) return { open: true, openUntilMs: until, probe: false };
  const probeUntil = counters.probeUntilMs;
  if (probeUntil !== undefined && nowMs < probeUntil)
    return { open: true, openUntilMs: probeUntil, probe: false };
  counters.probeUntilMs = nowMs + (counters.cooldownMs ?? DEFAULT_PROBE_MS);
  return { open: false, probe: true, probeUntilMs: counters.probeUntilMs };
}

/** Applies one outcome to the counters in place and reports the breaker's state afterwards. */
export function applyBreakerRecord(counters: BreakerCounters, record: BreakerRecord): BreakerRecordResult {
  const { nowMs, rule } = record;
  counters.cooldownMs = rule.cooldownMs;
  if (record.target !== undefined) counters.target = record.target;
  if (counters.openUntilMs !== undefined) {
    if (nowMs < counters.openUntilMs)
      return { open: true, openUntilMs: counters.openUntilMs, openedNow: false, closedNow: false };
    // Half-open: only the probe's outcome decides; the others are not counted.
    if (record.probe !== true) return { open: false, openedNow: false, closedNow: false };
    if (record.failed) {
      counters.failures++;
      counters.probeUntilMs = undefined;
      counters.openUntilMs = nowMs + rule.cooldownMs;
      return { open: true, openUntilMs: counters.openUntilMs, openedNow: true, closedNow: false };
    }
    resetCounters(counters);
    counters.successes++;
    return { open: false, openedNow: false, closedNow: true };
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
  if (!shouldOpen(counters, record)) return { open: false, openedNow: false, closedNow: false };
  counters.openUntilMs = nowMs + rule.cooldownMs;
  return { open: true, openUntilMs: counters.openUntilMs, openedNow: true, closedNow: false };
}

/** Gives back the probe that expires at `probeUntilMs`, in place; true when it was the breaker's. */
export function releaseBreakerProbe(counters: BreakerCounters | undefined, probeUntilMs: number): boolean {
  if (counters?.probeUntilMs !== probeUntilMs) return false;
  counters.probeUntilMs = undefined;
  return true;
}

/** Fresh counters of a breaker never seen. */
export function emptyBreakerCounters(): BreakerCounters {
  return {
    failures: 0,
    successes: 0,
    windowStartMs: undefined,
    openUntilMs: undefined,
    probeUntilMs: undefined,
    cooldownMs: undefined,
    target: undefined,
  };
}

/**
 * What `list` shows of a breaker at `nowMs`: open, half-open, or counting failures in a window not
 * yet over; `undefined` when it is closed with nothing to show (window over, or no failure).
 */
export function statusOfCounters(
  key: string,
  counters: Readonly<BreakerCounters>,
  nowMs: number,
): BreakerStatus | undefined {
  const { openUntilMs, probeUntilMs, windowStartMs, cooldownMs } = counters;
  const open = openUntilMs !== undefined && nowMs < openUntilMs;
  const halfOpen = openUntilMs !== undefined && !open;
  if (openUntilMs === undefined) {
    if (counters.failures === 0 || windowStartMs === undefined) return undefined;
    if (cooldownMs !== undefined && nowMs - windowStartMs > cooldownMs) return undefined;
  }
  const probing = halfOpen && probeUntilMs !== undefined && nowMs < probeUntilMs;
  return {
    key,
    open,
    halfOpen,
    ...(open ? { openUntilMs } : {}),
    ...(probing ? { probeUntilMs } : {}),
    failures: counters.failures,
    successes: counters.successes,
    ...(windowStartMs === undefined ? {} : { windowStartMs }),
    ...(cooldownMs === undefined ? {} : { cooldownMs }),
    ...(counters.target === undefined ? {} : { target: counters.target }),
  };
}

/** Orders breakers for `list`: open ones first, then half-open ones, then by key. */
export function compareBreakerStatuses(a: BreakerStatus, b: BreakerStatus): number {
  const rank = (status: BreakerStatus): number => (status.open ? 0 : status.halfOpen ? 1 : 2);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
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
  counters.probeUntilMs = undefined;
}
