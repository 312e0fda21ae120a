import type { PlanGroup, PlanLeaf, PlanNode, ResolvedPlan } from '../plan/plan.js';
import type { CachePolicy } from '../schema/cache.js';
import type { CircuitBreakerConfig } from '../schema/circuit-breaker.js';
import { normalizeRetry, type RetryConfig } from '../schema/retry.js';
import type { StrategyConfig } from '../schema/strategy.js';

/** A leaf written by hand in a test: config-style fields, defaults filled in by {@link leaf}. */
export interface LeafSpec {
  readonly provider?: string;
  readonly name?: string;
  readonly weight?: number;
  /** As written in a config (`attempts`, `on_status_codes` …); normalised like `resolveConfig` does. */
  readonly retry?: RetryConfig;
  readonly request_timeout?: number;
  /** `true` for a simple cache with the 7-day default, or a partial policy. */
  readonly cache?: true | Partial<CachePolicy>;
  readonly cb_config?: CircuitBreakerConfig;
  /** Extra provider options passed to `attempt` untouched. */
  readonly target?: Readonly<Record<string, unknown>>;
}

/** A group written by hand in a test: its `strategy` fields plus `targets`. */
export interface GroupSpec extends StrategyConfig {
  readonly targets: readonly PlanNode[];
  readonly name?: string;
  readonly weight?: number;
  /** The node's own `cb_config` (what the plan inherits from above); the group's is the strategy's `cb_config`. */
  readonly inherited_cb_config?: CircuitBreakerConfig;
}

/** A plan leaf for tests; its path is set by {@link planOf}. */
export function leaf(spec: LeafSpec = {}): PlanLeaf {
  const cache = spec.cache === undefined ? undefined : cachePolicy(spec.cache);
  return {
    kind: 'leaf',
    path: 'config',
    weight: spec.weight ?? 1,
    target: { ...spec.target, ...(spec.provider === undefined ? {} : { provider: spec.provider }) },
    override_params: {},
    retry: normalizeRetry(spec.retry),
    ...(spec.name === undefined ? {} : { name: spec.name }),
    ...(spec.request_timeout === undefined ? {} : { request_timeout: spec.request_timeout }),
    ...(cache === undefined ? {} : { cache }),
    ...(spec.cb_config === undefined ? {} : { cb_config: spec.cb_config }),
  };
}

/** A plan group for tests; its path and its children's are set by {@link planOf}. */
export function group(spec: GroupSpec): PlanGroup {
  const { targets, name, weight, inherited_cb_config, ...strategy } = spec;
  return {
    kind: 'group',
    path: 'config',
    weight: weight ?? 1,
    strategy,
    targets,
    ...(name === undefined ? {} : { name }),
    ...(inherited_cb_config === undefined ? {} : { cb_config: inherited_cb_config }),
  };
}

/** Options of {@link planOf}. */
export interface PlanOfOptions {
  /** `config_id` (keys the breakers; default `test-config`). */
  readonly configId?: string;
  /** `request_deadline`, ms. */
  readonly requestDeadline?: number;
  /** A root `cache` (the plan's, looked up once before the strategy): `true` or a partial policy. */
  readonly cache?: true | Partial<CachePolicy>;
}

/** Wraps a hand-built tree into a plan, giving every node its JSON path (`config.targets[1].targets[0]`). */
export function planOf(root: PlanNode, options: PlanOfOptions = {}): ResolvedPlan {
  return {
    root: withPaths(root, 'config'),
    config_id: options.configId ?? 'test-config',
    warnings: [],
    ...(options.requestDeadline === undefined ? {} : { request_deadline: options.requestDeadline }),
    ...(options.cache === undefined ? {} : { cache: cachePolicy(options.cache) }),
  };
}

function withPaths(node: PlanNode, path: string): PlanNode {
  if (node.kind === 'leaf') return { ...node, path };
  return {
    ...node,
    path,
    targets: node.targets.map((child, index) => withPaths(child, `${path}.targets[${index}]`)),
  };
}

function cachePolicy(spec: true | Partial<CachePolicy>): CachePolicy {
  const partial = spec === true ? {} : spec;
  return {
    mode: partial.mode ?? 'simple',
    max_age: partial.max_age ?? 604_800,
    shadow: partial.shadow ?? false,
    threshold: partial.threshold ?? 0.95,
  };
}
