import type { PlanLeaf, PlanNode } from '@pk/config';
import { planLeaves } from './map-plan-leaves.js';

/**
 * The plan narrowed to the targets `serves` accepts, where choosing among targets is the router's to
 * do: a load balance draws only among its servable targets (a weight-0 one is never drawn, so it
 * serves nothing), a fallback tries only those, and a group with none is itself left out of its
 * parent's choice. A conditional or single group keeps its targets (a condition names its target, a
 * single group always takes its first), each narrowed inside where something in it is servable.
 * Returns the plan itself when nothing was left out, and `undefined` when no target is servable: the
 * request then goes as planned, and each target's own answer says why it cannot serve it.
 */
export function servablePlanOf(
  root: PlanNode,
  serves: (leaf: PlanLeaf) => boolean,
): { readonly root: PlanNode; readonly leftOut: readonly PlanLeaf[] } | undefined {
  const narrowed = narrow(root, serves);
  if (narrowed === undefined) return undefined;
  if (narrowed === root) return { root, leftOut: [] };
  const kept = new Set(planLeaves(narrowed));
  return { root: narrowed, leftOut: planLeaves(root).filter((leaf) => !kept.has(leaf)) };
}

function narrow(node: PlanNode, serves: (leaf: PlanLeaf) => boolean): PlanNode | undefined {
  if (node.kind === 'leaf') return serves(node) ? node : undefined;
  const mode = node.strategy.mode;
  const chooses = mode === 'loadbalance' || mode === 'fallback';
  const targets: PlanNode[] = [];
  let changed = false;
  let servable = false;
  for (const child of node.targets) {
    const narrowed = narrow(child, serves);
    const usable = narrowed !== undefined && !(mode === 'loadbalance' && narrowed.weight <= 0);
    if (usable) servable = true;
    if (chooses && !usable) {
      changed = true;
      continue;
    }
    const kept = narrowed ?? child;
    if (kept !== child) changed = true;
    targets.push(kept);
  }
  if (!servable) return undefined;
  return changed ? { ...node, targets } : node;
}
