import type { PlanLeaf } from '../plan/plan.js';
import { breakerVerdict } from './breaker.js';
import type { BreakerReading } from './breaker-store.js';
import { emit, type RunContext } from './run-context.js';

/**
 * Reads every breaker of the plan once, at the start of the request (one store round trip), keeps
 * the probes of half-open breakers the read gave this request, and reports them. A failing store
 * reads as all closed, so an outage of the breaker store never blocks traffic.
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
    if (!reading.probe || reading.probeUntilMs === undefined) return;
    context.breakerProbes ??= new Map();
    context.breakerProbes.set(leaf.path, { key: leaf.key, probeUntilMs: reading.probeUntilMs });
    if (context.ports.onEvent !== undefined) {
      emit(context, {
        type: 'breaker-half-open',
        atMs: nowMs,
        path: leaf.path,
        key: leaf.key,
        probeUntilMs: reading.probeUntilMs,
      });
    }
  });
  context.breakerStates = states;
}

/** Counts a leaf's final outcome (after its retries) for its breaker, and reports an opening. */
export async function recordBreakerOutcome<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  leaf: PlanLeaf,
  outcome: {
    readonly ok: boolean;
    readonly status?: number;
    readonly notSent?: boolean;
    readonly internalError?: boolean;
  },
): Promise<void> {
  // Refused before the call (the caller's own limit), or failed by the caller's own defect: nothing
  // to say about the target's health.
  if (outcome.notSent === true || outcome.internalError === true) return;
  const breaker = context.breakers?.byPath.get(leaf.path);
  const store = context.ports.breakers;
  if (breaker === undefined || store === undefined) return;
  const verdict = breakerVerdict(breaker.config, outcome);
  if (verdict === undefined) return;
  const nowMs = context.ports.now();
  const probe = context.breakerProbes?.delete(leaf.path) === true;
  try {
    const result = await store.record(breaker.key, {
      failed: verdict === 'failure',
      nowMs,
      rule: breaker.rule,
      target: breaker.target,
      ...(probe ? { probe } : {}),
    });
    if (context.ports.onEvent === undefined) return;
    if (result.openedNow && result.openUntilMs !== undefined) {
      emit(context, {
        type: 'breaker-open',
        atMs: nowMs,
        path: leaf.path,
        key: breaker.key,
        untilMs: result.openUntilMs,
      });
    } else if (result.closedNow) {
      emit(context, { type: 'breaker-close', atMs: nowMs, path: leaf.path, key: breaker.key });
    }
  } catch {
    // A breaker store outage must not fail the request it was meant to protect.
  }
}

/**
 * Gives back the probes this request took but did not report (its target was not tried, or its
 * outcome does not count), so the next request may probe at once. A failing store is ignored: the
 * probe then expires on its own.
 */
export async function releaseBreakerProbes<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
): Promise<void> {
  const probes = context.breakerProbes;
  const store = context.ports.breakers;
  if (probes === undefined || store === undefined) return;
  context.breakerProbes = undefined;
  await Promise.all(
    [...probes.values()].map((probe) => store.releaseProbe(probe.key, probe.probeUntilMs).catch(() => {})),
  );
}
