import type { CachePolicy } from '../schema/cache.js';
import type { CircuitBreakerConfig } from '../schema/circuit-breaker.js';
import type { RetryPolicy } from '../schema/retry.js';
import type { StrategyConfig } from '../schema/strategy.js';

/**
 * The plan: a config after validation, normalisation and inheritance (`resolveConfig`). Every node
 * carries its JSON path (`config`, `config.targets[1].targets[0]`), which is what Portkey reports in
 * `x-portkey-last-used-option-index`. The routing engine only ever sees a plan, never a raw config,
 * so it never meets an invalid one.
 */
export type PlanNode = PlanLeaf | PlanGroup;

/** Settings shared by every node after inheritance (ARCHITECTURE §3.5 of the behaviour reference). */
export interface PlanNodeCommon {
  /** JSON path of this node in the config: `config`, `config.targets[0]`, … */
  readonly path: string;
  /** The target's `name` (conditional routing refers to it). */
  readonly name?: string;
  /** Load-balancing weight (default 1; 0 is never picked). */
  readonly weight: number;
  /** Circuit breaker settings in force for this node (inherited like `retry`). */
  readonly cb_config?: CircuitBreakerConfig;
}

/** A target that calls a provider: retries, timeouts, cache and breakers act per leaf. */
export interface PlanLeaf extends PlanNodeCommon {
  readonly kind: 'leaf';
  /**
   * The provider-facing options of this target, snake_case as in the config, after inheritance:
   * `provider`, `api_key`, `virtual_key`, `custom_host`, Azure/AWS/Vertex fields … The engine passes
   * them to `attempt` untouched; only providers and the gateway read them.
   */
  readonly target: Readonly<Record<string, unknown>> & {
    readonly provider?: string;
    readonly virtual_key?: string;
    readonly api_key?: string;
    readonly custom_host?: string;
  };
  /**
   * Shallow-merged `override_params` of every ancestor and this target (child wins per key). A
   * `model` written `@slug/model` is the bare model here: its `slug` is the target's `virtual_key`
   * unless the target names one itself (see {@link PlanLeaf.virtual_key_path}).
   */
  readonly override_params: Readonly<Record<string, unknown>>;
  /**
   * The config path of the `override_params.model` written `@slug/model` that named this target's
   * `virtual_key` (`config.targets[0].override_params.model`, or an ancestor's), when that is how
   * the config named it: the `param` of an error about that virtual key.
   */
  readonly virtual_key_path?: string;
  /** Retry policy in force (defaults filled in). */
  readonly retry: RetryPolicy;
  /** Cache policy in force, if any. */
  readonly cache?: CachePolicy;
  /** Per-attempt timeout in ms (header `x-portkey-request-timeout` beats config). */
  readonly request_timeout?: number;
  /** Client header names forwarded to the provider (header beats config). */
  readonly forward_headers?: readonly string[];
  /** Whether provider-native extras are stripped (default true). */
  readonly strict_open_ai_compliance?: boolean;
  /** Hooks in force for this leaf (the child's replace the parent's). */
  readonly before_request_hooks?: readonly Readonly<Record<string, unknown>>[];
  readonly after_request_hooks?: readonly Readonly<Record<string, unknown>>[];
}

/** A group of targets with a strategy. */
export interface PlanGroup extends PlanNodeCommon {
  readonly kind: 'group';
  /** `override_params` in force at this group (its own merged over its ancestors'), when any. */
  readonly override_params?: Readonly<Record<string, unknown>>;
  /** How the targets are used. */
  readonly strategy: Readonly<StrategyConfig>;
  /** The children, in config order. */
  readonly targets: readonly PlanNode[];
}

/** A non-fatal remark about a config: an unknown key dropped, a value replaced by its default. */
export interface ConfigWarning {
  /** JSON path of the key, e.g. `config.targets[0].cache.max_age`. */
  readonly path: string;
  readonly message: string;
}

/** The whole plan of one request. */
export interface ResolvedPlan {
  /** The root node (path `config`). */
  readonly root: PlanNode;
  /** The config's `id` (a saved config's id), or a hash of the config; keys circuit breakers. */
  readonly config_id: string;
  /** pk extension: whole-request deadline in ms. */
  readonly request_deadline?: number;
  /**
   * The `cache` written at the root of the config (decision 0005): looked up once, before the
   * strategy runs, and not applied again at the leaves that would inherit it. A `cache` on a target
   * below the root stays on that target's leaves.
   */
  readonly cache?: CachePolicy;
  /** Warnings found while validating and resolving. */
  readonly warnings: readonly ConfigWarning[];
}
