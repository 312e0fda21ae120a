import type { PlanGroup } from '../plan/plan.js';
import { gateOnBreakers } from './breaker-gate.js';
import type { PlanOutcome } from './outcome.js';
import { emptyGroupFailure, type RunContext } from './run-context.js';
import { runNode } from './run-node.js';

/**
 * Single: always the first target (behaviour reference §4.1). An open breaker on it is the "every
 * target open" case: tried anyway, or 503 with `on_all_open: "fail_fast"`.
 */
export function runSingle<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  group: PlanGroup,
): Promise<PlanOutcome<Value, Err>> {
  const first = group.targets[0];
  if (first === undefined) return Promise.resolve(emptyGroupFailure(context, group));
  const gate = gateOnBreakers(context, group, [first]);
  if (gate.kind === 'fail') return Promise.resolve(gate.outcome);
  return runNode(context, first);
}
