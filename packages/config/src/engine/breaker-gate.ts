import type { PlanGroup, PlanNode } from '../plan/plan.js';
import { onAllOpenOf, openUntilOf } from './breaker.js';
import type { BreakerReading } from './breaker-store.js';
import { circuitOpenFailure } from './engine-errors.js';
import type { PlanOutcome } from './outcome.js';
import { type RunContext, settleOnGroup } from './run-context.js';

/** How a group treats its targets' breakers for this request. */
export type BreakerGate<Value, Err> =
  /** No breaker is open among the candidates, or every one is and `on_all_open` is `try`: use all. */
  | { readonly kind: 'all' }
  /** Some are open: skip those. */
  | { readonly kind: 'skip-open'; readonly states: ReadonlyMap<string, BreakerReading> }
  /** Every one is open and `on_all_open` is `fail_fast`: answer this 503. */
  | { readonly kind: 'fail'; readonly outcome: PlanOutcome<Value, Err> };

const USE_ALL = { kind: 'all' } as const;

/**
 * Decides how a group uses its candidates given their breakers (hosted Portkey: open targets are
 * skipped; when every one is open they are tried anyway, unless `on_all_open: "fail_fast"` asks for a
 * 503 whose `retryAfterMs` is the earliest recovery).
 */
export function gateOnBreakers<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  group: PlanGroup,
  candidates: readonly PlanNode[],
): BreakerGate<Value, Err> {
  const states = context.breakerStates;
  if (states === undefined) return USE_ALL;
  let anyOpen = false;
  let anyClosed = false;
  let earliest = Number.POSITIVE_INFINITY;
  for (const child of candidates) {
    const until = openUntilOf(child, states);
    if (until === undefined) anyClosed = true;
    else {
      anyOpen = true;
      earliest = Math.min(earliest, until);
    }
  }
  if (!anyOpen) return USE_ALL;
  if (anyClosed) return { kind: 'skip-open', states };
  if (onAllOpenOf(group) === 'try') return USE_ALL;
  settleOnGroup(context, group.path);
  const waitMs = Math.max(0, Math.ceil(earliest - context.ports.now()));
  return { kind: 'fail', outcome: circuitOpenFailure(waitMs) };
}

/** True (and traced as a skip) when the gate says to skip this open target. */
export function skipIfOpen<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  gate: BreakerGate<Value, Err>,
  child: PlanNode,
): boolean {
  if (gate.kind !== 'skip-open') return false;
  const until = openUntilOf(child, gate.states);
  if (until === undefined) return false;
  context.trace.push({ kind: 'skip', path: child.path, reason: 'breaker-open', untilMs: until });
  return true;
}
