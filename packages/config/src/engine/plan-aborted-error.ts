import { brandPrototype, type ClassOf, isBrandedInstance } from '../errors/brand.js';
import type { TraceEntry } from './trace.js';

/** Marks every `PlanAbortedError`, whichever copy of this package made it (see `PkError`). */
const PLAN_ABORTED_ERROR_BRAND = Symbol.for('pk.config.PlanAbortedError');

/**
 * `runPlan` rejects with this when the caller's signal aborts (the client left): like `fetch`, it is
 * an `AbortError`, and it keeps the trace so far for the request log. `cause` is the signal's reason.
 * `instanceof PlanAbortedError` holds across copies of `@pk/config` loaded in one process.
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

  static {
    // biome-ignore lint/complexity/noThisInStatic: `this` is PlanAbortedError; naming it would make a bundler rename the class
    brandPrototype(this, PLAN_ABORTED_ERROR_BRAND);
  }

  /** `instanceof PlanAbortedError` by brand, across copies of the package; a subclass by prototype. */
  static override [Symbol.hasInstance]<T>(this: ClassOf<T>, value: unknown): value is T {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class right of `instanceof` (a subclass or this one)
    return isBrandedInstance(this, PLAN_ABORTED_ERROR_BRAND, value);
  }
}
