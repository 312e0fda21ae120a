import type { PlanNode, ResolvedPlan } from '../plan/plan.js';
import { canonicalJson } from './stable-hash.js';

function identityOf(node: PlanNode): unknown {
  if (node.kind === 'leaf') {
    return {
      name: node.name,
      weight: node.weight,
      target: node.target,
      override_params: node.override_params,
      forward_headers: node.forward_headers,
      strict_open_ai_compliance: node.strict_open_ai_compliance,
      before_request_hooks: node.before_request_hooks,
      after_request_hooks: node.after_request_hooks,
    };
  }
  const { cb_config: _breaker, ...strategy } = node.strategy;
  return {
    name: node.name,
    weight: node.weight,
    strategy,
    targets: node.targets.map(identityOf),
  };
}

/**
 * The canonical text of what decides a plan's answers, for the key of its root cache (decision
 * 0005): every group's routing (mode, conditions, names, weights) and every leaf's target (provider,
 * credentials, location), `override_params`, forwarded headers, strictness and hooks. Left out: the
 * cache, retry, timeout and breaker settings, which change how an answer is obtained, not what it is
 * (so a new `max_age` keeps the entries). It holds credentials: hash it (SHA-256), never store it.
 */
export function planCacheIdentity(plan: ResolvedPlan): string {
  return canonicalJson(identityOf(plan.root));
}

/**
 * Whether a conditional group of the plan reads the metadata (`metadata.*` in its conditions). A
 * root cache is looked up before the routing, so its key must then hold the metadata that picks the
 * target, even where a cache namespace stands for the metadata otherwise.
 */
export function planRoutesByMetadata(node: PlanNode): boolean {
  if (node.kind === 'leaf') return false;
  const strategy = node.strategy;
  if (strategy.mode === 'conditional' && canonicalJson(strategy.conditions).includes('"metadata'))
    return true;
  return node.targets.some(planRoutesByMetadata);
}

/** The `forward_headers` of every leaf of the plan, sorted, without repeats. */
export function planForwardedHeaderNames(node: PlanNode): string[] {
  const names = new Set<string>();
  const visit = (each: PlanNode): void => {
    if (each.kind === 'leaf') for (const name of each.forward_headers ?? []) names.add(name);
    else for (const target of each.targets) visit(target);
  };
  visit(node);
  return [...names].sort();
}
