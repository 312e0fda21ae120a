import type { PlanNode } from '../plan/plan.js';
import { runConditional } from './conditional.js';
import { runFallback } from './fallback.js';
import { runLoadbalance } from './loadbalance.js';
import type { PlanOutcome } from './outcome.js';
import type { RunContext } from './run-context.js';
import { runLeaf } from './run-leaf.js';
import { runSingle } from './single.js';

/** Runs one node of the plan: a leaf, or a group by its `strategy.mode` (behaviour reference §4.1). */
export function runNode<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  node: PlanNode,
): Promise<PlanOutcome<Value, Err>> {
  if (node.kind === 'leaf') return runLeaf(context, node);
  switch (node.strategy.mode) {
    case 'fallback':
      return runFallback(context, node);
    case 'loadbalance':
      return runLoadbalance(context, node);
    case 'conditional':
      return runConditional(context, node);
    default:
      return runSingle(context, node);
  }
}
