import type { PlanGroup } from '../plan/plan.js';
import { type BreakerGate, gateOnBreakers, skipIfOpen } from './breaker-gate.js';
import type { PlanOutcome } from './outcome.js';
import { emit, emptyGroupFailure, markLastAttempt, type RunContext } from './run-context.js';
import { runNode } from './run-node.js';

/**
 * Fallback (behaviour reference §4.2): targets in order, each with its own retries first. It moves on
 * after any non-2xx, or only after the statuses in `strategy.on_status_codes` when set; a timeout
 * (408) is a non-2xx like any other. When every target fails, the last tried target's own outcome is
 * returned (status and body), never an aggregate. Open breakers are skipped; a reached deadline stops
 * it at once.
 */
export async function runFallback<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  group: PlanGroup,
): Promise<PlanOutcome<Value, Err>> {
  const targets = group.targets;
  if (targets.length === 0) return emptyGroupFailure(context, group);
  const gate = gateOnBreakers(context, group, targets);
  if (gate.kind === 'fail') return gate.outcome;
  const onStatusCodes = group.strategy.on_status_codes;
  let index = nextTarget(context, gate, targets, 0);
  for (;;) {
    const child = targets[index]!;
    context.lastAttempt = undefined;
    const outcome = await runNode(context, child);
    if (outcome.ok || context.deadlineReached) return outcome;
    if (onStatusCodes !== undefined && !onStatusCodes.includes(outcome.status)) return outcome;
    const next = nextTarget(context, gate, targets, index + 1);
    if (next >= targets.length) return outcome;
    markLastAttempt(context, 'fallback');
    if (context.ports.onEvent !== undefined) {
      emit(context, {
        type: 'fallback-next',
        atMs: context.ports.now(),
        path: group.path,
        from: child.path,
        to: targets[next]!.path,
        status: outcome.status,
      });
    }
    index = next;
  }
}

function nextTarget<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  gate: BreakerGate<Value, Err>,
  targets: PlanGroup['targets'],
  from: number,
): number {
  let index = from;
  while (index < targets.length && skipIfOpen(context, gate, targets[index]!)) index++;
  return index;
}
