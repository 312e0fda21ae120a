import type { AttemptOutcome, RetryMode } from '../engine/outcome.js';
import type { AttemptFunction } from '../engine/ports.js';
import type { FakeClock } from './fake-clock.js';

/** One scripted answer of a target. `latencyMs` passes on the fake clock and honours the signal. */
export type ScriptStep<Value> =
  | { readonly ok: Value; readonly status?: number; readonly latencyMs?: number }
  | {
      readonly status: number;
      readonly retryAfterMs?: number;
      readonly error?: unknown;
      readonly latencyMs?: number;
      /** Refused by the caller before any call (a limit of the target's key). */
      readonly notSent?: boolean;
      /** A defect of the caller itself (pk's own 500), not the target's. */
      readonly internalError?: boolean;
      /** Asked again at once, or never (a guardrail's 446 after or before the call). */
      readonly retryMode?: RetryMode;
    }
  /** Rejects, like a connection reset. */
  | { readonly throws: unknown; readonly latencyMs?: number }
  /** Never answers; only the signal ends it. */
  | { readonly hang: true };

/** One call the scripted attempt received. */
export interface ScriptedCall {
  readonly path: string;
  readonly attempt: number;
  readonly atMs: number;
}

/** An `attempt` port that plays a script, and the calls it received. */
export interface ScriptedAttempt<Value> {
  readonly attempt: AttemptFunction<unknown, Value, unknown>;
  readonly calls: readonly ScriptedCall[];
}

/**
 * A fake `attempt` port: each target path answers its steps in order (the last one repeats). A path
 * without a script answers 500. Latencies run on the fake clock; an aborted signal rejects with its
 * reason, as `fetch` does.
 */
export function createScriptedAttempt<Value>(
  clock: FakeClock,
  script: Readonly<Record<string, ScriptStep<Value> | readonly ScriptStep<Value>[]>>,
): ScriptedAttempt<Value> {
  const calls: ScriptedCall[] = [];
  const counts = new Map<string, number>();
  const attempt: AttemptFunction<unknown, Value, unknown> = async (target, _request, options) => {
    calls.push({ path: target.path, attempt: options.attempt, atMs: clock.now() });
    const count = counts.get(target.path) ?? 0;
    counts.set(target.path, count + 1);
    const entry = script[target.path];
    const steps: readonly ScriptStep<Value>[] = entry === undefined ? [{ status: 500 }] : toSteps(entry);
    const step = steps[Math.min(count, steps.length - 1)]!;
    if ('hang' in step) return waitForAbort(options.signal);
    if (step.latencyMs !== undefined) await clock.sleep(step.latencyMs, options.signal);
    if ('throws' in step) throw step.throws;
    return toOutcome(step);
  };
  return { attempt, calls };
}

function toSteps<Value>(
  entry: ScriptStep<Value> | readonly ScriptStep<Value>[],
): readonly ScriptStep<Value>[] {
  return Array.isArray(entry) ? entry : [entry as ScriptStep<Value>];
}

function toOutcome<Value>(
  step: Exclude<ScriptStep<Value>, { hang: true } | { throws: unknown }>,
): AttemptOutcome<Value, unknown> {
  if ('ok' in step)
    return { ok: true, value: step.ok, ...(step.status === undefined ? {} : { status: step.status }) };
  return {
    ok: false,
    status: step.status,
    error: step.error ?? { status: step.status },
    ...(step.retryAfterMs === undefined ? {} : { retryAfterMs: step.retryAfterMs }),
    ...(step.notSent === true ? { notSent: true } : {}),
    ...(step.internalError === true ? { internalError: true } : {}),
    ...(step.retryMode === undefined ? {} : { retryMode: step.retryMode }),
  };
}

function waitForAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
