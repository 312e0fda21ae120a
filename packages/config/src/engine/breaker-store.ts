/**
 * A breaker's thresholds after defaults (from `cb_config`): what a store needs to count and decide.
 * Times are in the caller's clock (ms); a store never reads a clock of its own.
 */
export interface BreakerRule {
  /** Failures in the window that open the breaker (`failure_threshold`). */
  readonly failureThreshold?: number;
  /** Failure share in percent that opens it once `minimumRequests` is reached. */
  readonly failureThresholdPercentage?: number;
  /** Requests (successes + failures) needed before the percentage applies (default 5, as Portkey). */
  readonly minimumRequests: number;
  /** Window length from its first failure, and how long an open breaker stays open (`cooldown_interval`, ms). */
  readonly cooldownMs: number;
}

/** A breaker as read at one instant. */
export interface BreakerReading {
  /**
   * True while the target must be skipped: open in its cooldown, or half-open with another request's
   * probe under way.
   */
  readonly open: boolean;
  /**
   * When the caller may try the target again (caller's clock, ms): the end of the cooldown, or of the
   * probe under way; absent when not open.
   */
  readonly openUntilMs?: number;
  /**
   * True when the cooldown is over and this read took the breaker's one probe (a `breaker-half-open`
   * event): the caller may try the target, then must `record` its outcome with `probe: true` or
   * give the probe back with `releaseProbe(key, probeUntilMs)`.
   */
  readonly probe: boolean;
  /** With `probe`: when the probe expires and another request may probe (caller's clock, ms). */
  readonly probeUntilMs?: number;
}

/** A breaker right after recording one outcome. */
export interface BreakerRecordResult {
  readonly open: boolean;
  readonly openUntilMs?: number;
  /** True for the one record that opened the breaker, or reopened it on a failed probe (a `breaker-open` event). */
  readonly openedNow: boolean;
  /** True for the probe's success that closed a half-open breaker (a `breaker-close` event). */
  readonly closedNow: boolean;
}

/** One outcome of a target to count. */
export interface BreakerRecord {
  /** True for a failure (a status in `failure_status_codes`, default 408 and ≥ 500); false for a success. */
  readonly failed: boolean;
  /** The caller's current time in ms. */
  readonly nowMs: number;
  readonly rule: BreakerRule;
  /**
   * What the breaker watches, as the engine describes it (`describeBreakerTarget`'s JSON text: the
   * target's name, provider, virtual key, model, custom host's origin; never a credential). Stores
   * that can be inspected keep the latest one with the counts and return it from `list`.
   */
  readonly target?: string;
  /**
   * True when this outcome is the probe's (the request's read took it): only a probe's outcome
   * decides a half-open breaker.
   */
  readonly probe?: boolean;
}

/**
 * Where circuit-breaker state lives: in process memory by default, Redis for several replicas. Keys
 * are `config id + target path` (see `breakerKey`). Every implementation keeps only counters and the
 * timestamps it is given, and must pass `describeBreakerStoreContract` from `@pk/config/testing`.
 *
 * Semantics (hosted Portkey's, https://portkey.ai/docs/product/ai-gateway/circuit-breaker):
 * - a window starts at its first failure and lasts `cooldownMs`; a window that ends without opening
 *   the breaker resets the counts;
 * - the breaker opens when failures reach `failureThreshold`, or when the failure share reaches
 *   `failureThresholdPercentage` once `minimumRequests` outcomes were counted;
 * - it stays open `cooldownMs` from the moment it opened; outcomes recorded while open are not counted;
 * - then it is half-open: the first `read` takes the one probe (`probe: true`) and every other read
 *   finds it open until the probe's outcome is recorded. A successful probe closes the breaker with
 *   its counts reset; a failed one opens it again for another `cooldownMs` at once. Outcomes that are
 *   not the probe's are not counted while half-open. A probe never recorded nor released expires
 *   `cooldownMs` after it was taken, and the next read takes a new one.
 * `read` and `record` must be atomic per key (concurrent requests each count once; one probe at a time).
 */
export interface BreakerStore {
  /** Reads several breakers at once (one round trip for a networked store), in the order of `keys`. */
  read(keys: readonly string[], nowMs: number): Promise<readonly BreakerReading[]>;
  /** Counts one outcome and says whether the breaker is (now) open. */
  record(key: string, record: BreakerRecord): Promise<BreakerRecordResult>;
  /**
   * Gives back a probe a read took but whose outcome will not be recorded (the request did not try
   * the target, or its outcome does not count): the next read may probe at once. Does nothing when
   * the breaker's probe is no longer the one that expires at `probeUntilMs`.
   */
  releaseProbe(key: string, probeUntilMs: number): Promise<void>;
}

/** One breaker as {@link InspectableBreakerStore.list} finds it. */
export interface BreakerStatus {
  /** The breaker key (`config id:target path`). */
  readonly key: string;
  /** True while in its cooldown. */
  readonly open: boolean;
  /** True once its cooldown is over, until a probe's outcome closes or reopens it. */
  readonly halfOpen: boolean;
  /** When an open breaker's cooldown ends (caller's clock, ms); absent when closed or counting. */
  readonly openUntilMs?: number;
  /** Half-open with a probe under way: when that probe expires (caller's clock, ms). */
  readonly probeUntilMs?: number;
  /** Failures counted in the current window (for an open breaker: those that opened it). */
  readonly failures: number;
  /** Successes counted in the current window. */
  readonly successes: number;
  /** First failure of the current window (caller's clock, ms). */
  readonly windowStartMs?: number;
  /** The rule's cooldown (and window length) when the breaker last counted an outcome, ms. */
  readonly cooldownMs?: number;
  /** The record's `target` description, verbatim, when one was given. */
  readonly target?: string;
}

/**
 * A {@link BreakerStore} an operator can look into and act on (what the gateway's breaker routes
 * use; the engine needs only `read` and `record`). Every implementation must pass the inspection
 * part of `describeBreakerStoreContract` too.
 */
export interface InspectableBreakerStore extends BreakerStore {
  /**
   * Every breaker that is open or half-open at `nowMs`, or counting failures in a window that has not
   * ended; a breaker whose window is over (or that never saw a failure) is closed and left out.
   * At most `limit` (default 1,000), open ones first, then half-open ones, then by key.
   */
  list(nowMs: number, options?: { readonly limit?: number }): Promise<readonly BreakerStatus[]>;
  /**
   * Closes one breaker at once and forgets its counts (the next request tries its target; a
   * failure starts a new window). True when it was open or half-open at `nowMs`.
   */
  close(key: string, nowMs: number): Promise<boolean>;
}
