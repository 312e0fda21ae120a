import type { PlanGroup, PlanNode } from '../plan/plan.js';
import { type BreakerGate, gateOnBreakers, skipIfOpen } from './breaker-gate.js';
import { invalidPlanFailure } from './engine-errors.js';
import type { PlanOutcome } from './outcome.js';
import { emptyGroupFailure, type RunContext, settleOnGroup } from './run-context.js';
import { runNode } from './run-node.js';

/**
 * Index of the target a weighted draw picks (behaviour reference §4.4): `random · total weight`
 * walked along the cumulative weights. A weight of 0 is never picked, nor a target `exclude` rejects.
 * Returns -1 when no target can be picked. `random` is a number in [0, 1).
 */
export function pickWeighted(
  targets: readonly PlanNode[],
  random: number,
  exclude?: (target: PlanNode) => boolean,
): number {
  let total = 0;
  let last = -1;
  for (let index = 0; index < targets.length; index++) {
    const target = targets[index]!;
    if (target.weight > 0 && exclude?.(target) !== true) {
      total += target.weight;
      last = index;
    }
  }
  if (last < 0) return -1;
  let remaining = random * total;
  for (let index = 0; index < last; index++) {
    const target = targets[index]!;
    if (target.weight <= 0 || exclude?.(target) === true) continue;
    remaining -= target.weight;
    if (remaining < 0) return index;
  }
  // Rounding may leave a sliver for the last eligible target.
  return last;
}

/**
 * Loadbalance: one weighted pick (default weight 1, weight 0 never), stateless like Portkey; the
 * picked target's outcome is the group's. Targets with an open breaker are left out of the draw;
 * when every weighted target is open they all take part (or `fail_fast` answers 503). A target the
 * caller refused without calling it (`notSent`: a limit of its key) does not use up the request: the
 * draw is made again, by weight, among the targets not tried yet; when every one was refused, the
 * last refusal is the group's outcome.
 */
export async function runLoadbalance<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  group: PlanGroup,
): Promise<PlanOutcome<Value, Err>> {
  const targets = group.targets;
  if (targets.length === 0) return emptyGroupFailure(context, group);
  const gate =
    context.breakerStates === undefined ? undefined : gateOnBreakers(context, group, weighted(targets));
  if (gate?.kind === 'fail') return gate.outcome;
  const open = excludeOpen(context, gate, targets);
  const index = pickWeighted(targets, context.ports.random(), open);
  if (index < 0) {
    settleOnGroup(context, group.path);
    return invalidPlanFailure(`Every target of the loadbalance group at ${group.path} has weight 0`);
  }
  let outcome = await runNode(context, targets[index]!);
  if (outcome.ok || outcome.notSent !== true) return outcome;
  // Only allocated when a target was refused before it was called.
  const refused = new Set<PlanNode>([targets[index]!]);
  const untried = (target: PlanNode): boolean => refused.has(target) || open?.(target) === true;
  while (!outcome.ok && outcome.notSent === true && !context.deadlineReached) {
    const next = pickWeighted(targets, context.ports.random(), untried);
    if (next < 0) break;
    refused.add(targets[next]!);
    outcome = await runNode(context, targets[next]!);
  }
  return outcome;
}

function weighted(targets: readonly PlanNode[]): readonly PlanNode[] {
  return targets.filter((target) => target.weight > 0);
}

/** The draw's filter when some breakers are open; open targets are traced as skipped. */
function excludeOpen<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  gate: BreakerGate<Value, Err> | undefined,
  targets: readonly PlanNode[],
): ((target: PlanNode) => boolean) | undefined {
  if (gate?.kind !== 'skip-open') return undefined;
  const open = new Set<PlanNode>();
  for (const target of targets) {
    if (target.weight > 0 && skipIfOpen(context, gate, target)) open.add(target);
  }
  return (target) => open.has(target);
}
