import type { PlanLeaf } from '../plan/plan.js';
import { breakerVerdict } from './breaker.js';
import type { BreakerReading } from './breaker-store.js';
import { emit, type RunContext } from './run-context.js';

/**
 * Reads every breaker of the plan once, at the start of the request (one store round trip), and
 * reports the breakers whose cooldown just ended. A failing store reads as all closed, so an outage
 * of the breaker store never blocks traffic.
 */
export async function loadBreakerStates<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
): Promise<void> {
  const breakers = context.breakers;
  const store = context.ports.breakers;
  if (breakers === undefined || store === undefined) return;
  const nowMs = context.ports.now();
  let readings: readonly BreakerReading[];
  try {
    readings = await store.read(breakers.keys, nowMs);
  } catch {
    return;
  }
  const states = new Map<string, BreakerReading>();
  breakers.leaves.forEach((leaf, index) => {
    const reading = readings[index];
    if (reading === undefined) return;
    states.set(leaf.path, reading);
    if (reading.closedNow && context.ports.onEvent !== undefined) {
      emit(context, { type: 'breaker-close', atMs: nowMs, path: leaf.path, key: leaf.key });
    }
  });
  context.breakerStates = states;
}

/** Counts a leaf's final outcome (after its retries) for its breaker, and reports an opening. */
export async function recordBreakerOutcome<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  leaf: PlanLeaf,
  outcome: { readonly ok: boolean; readonly status?: number; readonly notSent?: boolean },
): Promise<void> {
  // Refused before the call (the caller's own limit): nothing to say about the target's health.
  if (outcome.notSent === true) return;
  const breaker = context.breakers?.byPath.get(leaf.path);
  const store = context.ports.breakers;
  if (breaker === undefined || store === undefined) return;
  const verdict = breakerVerdict(breaker.config, outcome);
  if (verdict === undefined) return;
  const nowMs = context.ports.now();
  try {
    const result = await store.record(breaker.key, {
      failed: verdict === 'failure',
      nowMs,
      rule: breaker.rule,
      target: breaker.target,
    });
    if (result.openedNow && result.openUntilMs !== undefined && context.ports.onEvent !== undefined) {
      emit(context, {
        type: 'breaker-open',
        atMs: nowMs,
        path: leaf.path,
        key: breaker.key,
        untilMs: result.openUntilMs,
      });
    }
  } catch {
    // A breaker store outage must not fail the request it was meant to protect.
  }
}
