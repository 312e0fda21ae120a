import type { CacheStore } from '../cache/cache-store.js';
import type { ConditionContext } from '../model/conditions.js';
import type { PlanLeaf, ResolvedPlan } from '../plan/plan.js';
import type { BreakerStore } from './breaker-store.js';
import type { EngineEventListener } from './events.js';
import type { AttemptOutcome } from './outcome.js';

/** What the engine passes to each call of `attempt`. */
export interface AttemptOptions {
  /**
   * Fires when the attempt must stop, while it is pending: its `request_timeout`, the request
   * deadline, or the caller's signal. Once `attempt` has resolved the engine never fires it, so a
   * stream is never cut by a timer; stop a stream by cancelling it. The adapter only honours it; the
   * engine decides what it means. Its `reason` says why: a `PkError` with `PK_ERR_TIMEOUT` or
   * `PK_ERR_DEADLINE`, else the caller's own reason. Without a timeout or deadline it is the caller's
   * signal itself. It is created on first read (an `AbortSignal` is costly), so read it rather than
   * spreading the options object.
   */
  readonly signal: AbortSignal;
  /** 0 for the first try of this target, 1 for the first retry … */
  readonly attempt: number;
}

/**
 * Calls one target once. Resolve with an outcome for every answer the target gave, errors included
 * (set `connectionError` when it never answered); a rejection is taken as a connection error too
 * (502, retried whenever retries remain, as Portkey retries network errors).
 */
export type AttemptFunction<Req, Value, Err> = (
  target: PlanLeaf,
  request: Req,
  options: AttemptOptions,
) => Promise<AttemptOutcome<Value, Err>>;

/**
 * Waits `ms` milliseconds. Must reject as soon as `signal` aborts (and forget the wait), preferably
 * with `signal.reason` (building a fresh error is slow). The engine uses it for back-off waits, and
 * as its timer when there is no `setTimer`, so a fake clock drives everything in tests.
 */
export type SleepFunction = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * Runs `fire` once after `ms` milliseconds unless the returned function is called first. The engine
 * times attempts with it when given (a cancellable timer is much cheaper than an aborted `sleep`).
 */
export type SetTimerFunction = (ms: number, fire: () => void) => () => void;

/** What the root cache keeps: the answer and the path of the target that gave it. */
export interface RootCacheEntry<Value> {
  readonly value: Value;
  /** JSON path of the leaf that answered (`config.targets[1]`), reported again on a hit. */
  readonly path: string;
}

/** The root cache (a plan's `cache`, decision 0005): its own key and store. */
export interface EngineRootCachePort<Req, Value> {
  /** Entries of root keys: the answer and its target path. */
  readonly store: CacheStore<RootCacheEntry<Value>>;
  /**
   * The key of this request under the plan's root cache (tenant, config identity, endpoint, body and
   * namespace are the caller's business), or `undefined` when this request must not use the cache.
   */
  key(plan: ResolvedPlan, request: Req): string | undefined;
}

/**
 * How the engine uses the cache (the store is the `@pk/config/cache` port). A plan's root `cache` is
 * looked up once, through `root`, before the strategy runs; a leaf's own `cache` (declared below the
 * root) is consulted per leaf, before `attempt`. The engine never looks inside keys or values.
 */
export interface EngineCachePort<Req, Value> {
  readonly store: CacheStore<Value>;
  /** The root cache; without it a plan's root `cache` is not used. */
  readonly root?: EngineRootCachePort<Req, Value>;
  /**
   * The key for this leaf and request (namespace, tenant and digest are the caller's business), or
   * `undefined` when this request must not use the cache (endpoint not cacheable, caching disabled).
   */
  key(leaf: PlanLeaf, request: Req): string | undefined;
  /** True when the request asks to skip the lookup and overwrite the entry (status `REFRESH`). */
  refresh?(request: Req): boolean;
  /**
   * True when an ok value is a stream: it is then not stored at once; `PlanResult.commitToCache` lets
   * whoever drains it store the complete answer after `[DONE]`.
   */
  isStream?(value: Value): boolean;
}

/**
 * Everything that touches the world, passed to `runPlan` (ARCHITECTURE §2, decision 0005). The
 * engine reads the ports during the run and keeps nothing afterwards.
 */
export interface EnginePorts<Req, Value, Err> {
  /** Calls one target once. */
  readonly attempt: AttemptFunction<Req, Value, Err>;
  /** Back-off waits and the engine's timers. */
  readonly sleep: SleepFunction;
  /** The engine's timers for timeouts and the deadline; without it they run on `sleep`. */
  readonly setTimer?: SetTimerFunction;
  /** Current time in ms (any origin; only differences and the breaker store's timestamps use it). */
  readonly now: () => number;
  /** Uniform in [0, 1): loadbalance picks and back-off jitter. */
  readonly random: () => number;
  /** The caller's signal (the client left): cancels back-off waits and the attempt in flight. */
  readonly signal?: AbortSignal;
  /** Response cache: the plan's root cache once per request, and the leaves' own. */
  readonly cache?: EngineCachePort<Req, Value>;
  /** Circuit-breaker state; without it `cb_config` is ignored. */
  readonly breakers?: BreakerStore;
  /** Receives events for logs and metrics; events are only built when it is set. */
  readonly onEvent?: EngineEventListener;
  /**
   * What conditional queries see (`metadata`, `params`, `url.pathname`). Default: the request itself
   * when it is an object (so a request shaped like a `ConditionContext` needs nothing).
   */
  readonly conditionContext?: (request: Req) => ConditionContext;
}
