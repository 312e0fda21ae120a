import type { AttemptOptions } from './ports.js';

/**
 * The options of one attempt, with a signal created only if the adapter reads it: an `AbortSignal`
 * costs microseconds to create in Node 20, more than the whole engine's work for a request. `abort`
 * before the first read is remembered, so a late reader still sees an aborted signal.
 */
export class LazyAttemptOptions implements AttemptOptions {
  readonly attempt: number;
  readonly #callerSignal: AbortSignal | undefined;
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;

  /**
   * `callerSignal`: when no timer can fire for this attempt, the caller's signal is its only abort
   * source, so it is handed out as is instead of creating another one.
   */
  constructor(attempt: number, callerSignal?: AbortSignal) {
    this.attempt = attempt;
    this.#callerSignal = callerSignal;
  }

  /** The attempt's signal (created on first read). */
  get signal(): AbortSignal {
    if (this.#callerSignal !== undefined) return this.#callerSignal;
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Aborts the attempt's signal with `reason` (once). */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}
