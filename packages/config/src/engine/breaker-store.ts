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
  readonly open: boolean;
  /** When an open breaker closes (caller's clock, ms); absent when closed. */
  readonly openUntilMs?: number;
  /** True for the one read that found the cooldown over and closed the breaker (a `breaker-close` event). */
  readonly closedNow: boolean;
}

/** A breaker right after recording one outcome. */
export interface BreakerRecordResult {
  readonly open: boolean;
  readonly openUntilMs?: number;
  /** True for the one record that opened the breaker (a `breaker-open` event). */
  readonly openedNow: boolean;
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
 * - it stays open `cooldownMs` from the moment it opened, then closes with its counts reset; outcomes
 *   recorded while open are not counted.
 * `record` must be atomic per key (concurrent requests each count once).
 */
export interface BreakerStore {
  /** Reads several breakers at once (one round trip for a networked store), in the order of `keys`. */
  read(keys: readonly string[], nowMs: number): Promise<readonly BreakerReading[]>;
  /** Counts one outcome and says whether the breaker is (now) open. */
  record(key: string, record: BreakerRecord): Promise<BreakerRecordResult>;
}

/** One breaker as {@link InspectableBreakerStore.list} finds it. */
export interface BreakerStatus {
  /** The breaker key (`config id:target path`). */
  readonly key: string;
  readonly open: boolean;
  /** When an open breaker closes (caller's clock, ms); absent when closed. */
  readonly openUntilMs?: number;
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
   * Every breaker that is open at `nowMs`, or counting failures in a window that has not ended;
   * a breaker whose cooldown or window is over (or that never saw a failure) is closed and left out.
   * At most `limit` (default 1,000), open ones first, then by key.
   */
  list(nowMs: number, options?: { readonly limit?: number }): Promise<readonly BreakerStatus[]>;
  /**
   * Closes one breaker at once and forgets its counts (the next request tries its target; a
   * failure starts a new window). True when it was open at `nowMs`.
   */
  close(key: string, nowMs: number): Promise<boolean>;
}
