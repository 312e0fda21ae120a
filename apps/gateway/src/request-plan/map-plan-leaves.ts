import type { PlanLeaf, PlanNode } from '@pk/config';

/** A copy of the plan tree with every leaf replaced by `map(leaf)`; groups keep their shape. */
export function mapPlanLeaves(node: PlanNode, map: (leaf: PlanLeaf) => PlanLeaf): PlanNode {
  if (node.kind === 'leaf') return map(node);
  return { ...node, targets: node.targets.map((child) => mapPlanLeaves(child, map)) };
}

/** Every leaf of the plan tree, in config order. */
export function planLeaves(node: PlanNode): PlanLeaf[] {
  return node.kind === 'leaf' ? [node] : node.targets.flatMap(planLeaves);
}

/** The provider of the plan's first leaf (the target tried first, in config order), if it names one. */
export function firstPlannedProvider(node: PlanNode): string | undefined {
  let first = node;
  while (first.kind !== 'leaf') {
    const child = first.targets[0];
    if (child === undefined) return undefined;
    first = child;
  }
  return first.target.provider;
}
