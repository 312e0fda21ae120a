import type { AttemptOptions } from './ports.js';

/**
 * The options of one attempt, with a signal created only if the adapter reads it: an `AbortSignal`
 * costs microseconds to create in Node 20, more than the whole engine's work for a request. `abort`
 * before the first read is remembered, so a late reader still sees an aborted signal.
 */
export class LazyAttemptOptions implements AttemptOptions {
  readonly attempt: number;
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;

  constructor(attempt: number) {
    this.attempt = attempt;
  }

  /** The attempt's signal (created on first read). */
  get signal(): AbortSignal {
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
