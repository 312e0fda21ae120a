import type { PlanGroup, PlanLeaf, PlanNode, ResolvedPlan } from '../plan/plan.js';
import type { CircuitBreakerConfig } from '../schema/circuit-breaker.js';
import type { BreakerReading, BreakerRule } from './breaker-store.js';

/** `minimum_requests` when `cb_config` leaves it out (Portkey's default). */
export const DEFAULT_BREAKER_MINIMUM_REQUESTS = 5;
/** `cooldown_interval` when `cb_config` leaves it out: hosted Portkey's minimum, 30 s. */
export const DEFAULT_BREAKER_COOLDOWN_MS = 30_000;

/** The breaker key of one target: config id + target path (e.g. `cfg-1:config.targets[0]`). */
export function breakerKey(configId: string, path: string): string {
  return `${configId}:${path}`;
}

/**
 * Thresholds of a `cb_config`, or `undefined` when it opens nothing (neither `failure_threshold` nor
 * `failure_threshold_percentage`, as Portkey requires one of them).
 */
export function breakerRuleOf(config: CircuitBreakerConfig | undefined): BreakerRule | undefined {
  if (config === undefined) return undefined;
  const { failure_threshold: threshold, failure_threshold_percentage: percentage } = config;
  if (threshold === undefined && percentage === undefined) return undefined;
  return {
    ...(threshold === undefined ? {} : { failureThreshold: threshold }),
    ...(percentage === undefined ? {} : { failureThresholdPercentage: percentage }),
    minimumRequests: config.minimum_requests ?? DEFAULT_BREAKER_MINIMUM_REQUESTS,
    cooldownMs: config.cooldown_interval ?? DEFAULT_BREAKER_COOLDOWN_MS,
  };
}

/**
 * Whether an outcome counts for a breaker: `failure` (status in `failure_status_codes`; by default
 * 408, the answer of an attempt that exceeded `request_timeout`, and every status ≥ 500), `success`
 * (ok) or not at all. A target that hangs is the classic case for a breaker.
 */
export function breakerVerdict(
  config: CircuitBreakerConfig,
  outcome: { readonly ok: boolean; readonly status?: number },
): 'failure' | 'success' | undefined {
  if (outcome.ok) return 'success';
  const status = outcome.status ?? 0;
  const codes = config.failure_status_codes;
  const failed = codes === undefined ? status >= 500 || status === 408 : codes.includes(status);
  return failed ? 'failure' : undefined;
}

/** What an operator is shown of the target a breaker watches (never a credential). */
export interface BreakerTarget {
  /** The target's `name`. */
  readonly name?: string;
  readonly provider?: string;
  readonly virtual_key?: string;
  /** `override_params.model` in force at the target. */
  readonly model?: string;
  /** The custom host's origin (scheme, host and port: no user, path or query). */
  readonly custom_host?: string;
}

/** The target a leaf's breaker watches, as {@link BreakerTarget}. */
export function describeBreakerTarget(leaf: PlanLeaf): BreakerTarget {
  const { provider, virtual_key: virtualKey, custom_host: customHost } = leaf.target;
  const model = leaf.override_params.model;
  return {
    ...(leaf.name === undefined ? {} : { name: leaf.name }),
    ...(typeof provider === 'string' ? { provider } : {}),
    ...(typeof virtualKey === 'string' ? { virtual_key: virtualKey } : {}),
    ...(typeof model === 'string' ? { model } : {}),
    ...(typeof customHost === 'string' ? originOf(customHost) : {}),
  };
}

function originOf(customHost: string): { custom_host?: string } {
  try {
    const { origin } = new URL(customHost);
    return origin === 'null' ? {} : { custom_host: origin };
  } catch {
    return {};
  }
}

/** One leaf watched by a breaker. */
export interface BreakerLeaf {
  readonly path: string;
  readonly key: string;
  readonly config: CircuitBreakerConfig;
  readonly rule: BreakerRule;
  /** {@link describeBreakerTarget} as JSON text, made once per plan (what stores keep). */
  readonly target: string;
}

/** The breakers of one plan, found once per plan object. */
export interface PlanBreakers {
  readonly leaves: readonly BreakerLeaf[];
  /** The leaves' keys, in the same order (what the store reads). */
  readonly keys: readonly string[];
  readonly byPath: ReadonlyMap<string, BreakerLeaf>;
}

const planBreakersCache = new WeakMap<ResolvedPlan, PlanBreakers | null>();

/**
 * The leaves of a plan that have a breaker: a leaf whose `cb_config` (inherited down the plan, or its
 * group's `strategy.cb_config`) has a threshold. Hosted Portkey does not break targets below a
 * conditional group, unless a group between them sets its own `strategy.cb_config`.
 * `undefined` when the plan has none.
 */
export function planBreakersOf(plan: ResolvedPlan): PlanBreakers | undefined {
  let found = planBreakersCache.get(plan);
  if (found === undefined) {
    const leaves: BreakerLeaf[] = [];
    collect(plan.root, undefined, false, plan.config_id, leaves);
    found =
      leaves.length === 0
        ? null
        : {
            leaves,
            keys: leaves.map((leaf) => leaf.key),
            byPath: new Map(leaves.map((leaf) => [leaf.path, leaf])),
          };
    planBreakersCache.set(plan, found);
  }
  return found ?? undefined;
}

function collect(
  node: PlanNode,
  parent: PlanGroup | undefined,
  belowConditional: boolean,
  configId: string,
  out: BreakerLeaf[],
): void {
  if (node.kind === 'group') {
    const blocked =
      node.strategy.mode === 'conditional' || (belowConditional && node.strategy.cb_config === undefined);
    for (const child of node.targets) collect(child, node, blocked, configId, out);
    return;
  }
  if (parent === undefined || belowConditional) return;
  const config = node.cb_config ?? parent.strategy.cb_config ?? parent.cb_config;
  const rule = breakerRuleOf(config);
  if (config === undefined || rule === undefined) return;
  out.push({
    path: node.path,
    key: breakerKey(configId, node.path),
    config,
    rule,
    target: JSON.stringify(describeBreakerTarget(node)),
  });
}

/**
 * When `node` stops being open (ms), or `undefined` when it is not open: a leaf by its breaker; a
 * group when every one of its targets is open (then it reopens with the first of them).
 */
export function openUntilOf(node: PlanNode, states: ReadonlyMap<string, BreakerReading>): number | undefined {
  if (node.kind === 'leaf') {
    const reading = states.get(node.path);
    return reading?.open === true ? reading.openUntilMs : undefined;
  }
  let earliest: number | undefined;
  for (const child of node.targets) {
    const until = openUntilOf(child, states);
    if (until === undefined) return undefined;
    earliest = earliest === undefined ? until : Math.min(earliest, until);
  }
  return earliest;
}

/** `on_all_open` in force for a group: its own `strategy.cb_config`, its inherited one, then its targets'. */
export function onAllOpenOf(group: PlanGroup): 'try' | 'fail_fast' {
  const own = group.strategy.cb_config?.on_all_open ?? group.cb_config?.on_all_open;
  if (own !== undefined) return own;
  for (const child of group.targets) {
    if (child.cb_config?.on_all_open !== undefined) return child.cb_config.on_all_open;
  }
  return 'try';
}
