import type { TraceEntry } from './trace.js';

/**
 * `runPlan` rejects with this when the caller's signal aborts (the client left): like `fetch`, it is
 * an `AbortError`, and it keeps the trace so far for the request log. `cause` is the signal's reason.
 */
export class PlanAbortedError extends Error {
  /** Every attempt made before the abort. */
  readonly trace: readonly TraceEntry[];
  /** Path of the last leaf that answered before the abort (`config` when none did). */
  readonly path: string;

  constructor(reason: unknown, trace: readonly TraceEntry[], path: string) {
    super('The request was aborted by the caller', { cause: reason });
    this.name = 'AbortError';
    this.trace = trace;
    this.path = path;
  }
}
