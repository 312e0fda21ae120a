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
