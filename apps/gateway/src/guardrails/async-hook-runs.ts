import type { HookResult } from '@pk/guardrails';

/** Which event an `async` hook ran on, as a log record names it. */
export type AsyncHookEvent = 'before_request' | 'after_request';

/** One finished `async` hook of a request. */
export interface AsyncHookOutcome {
  readonly event: AsyncHookEvent;
  readonly result: HookResult;
}

/**
 * The `async` hooks of one request: they are never awaited by the request (its answer does not
 * wait), but its log record waits for them ({@link settled}) so their verdicts are in it.
 */
export class AsyncHookRuns {
  readonly #pending = new Set<Promise<void>>();
  readonly #finished: AsyncHookOutcome[] = [];

  /** Tracks one run (a promise of its result, or of undefined when it could not run; never rejecting). */
  add(run: Promise<HookResult | undefined>, event: AsyncHookEvent): void {
    const tracked = run.then((result) => {
      if (result !== undefined) this.#finished.push({ event, result });
      this.#pending.delete(tracked);
    });
    this.#pending.add(tracked);
  }

  /** Runs not finished yet. */
  get pending(): number {
    return this.#pending.size;
  }

  /** The runs finished so far, in the order they finished. */
  finished(): readonly AsyncHookOutcome[] {
    return this.#finished;
  }

  /**
   * Resolves once every run started so far has finished (at once when none is pending), or after
   * `timeoutMs` (an unreferenced timer: it never keeps the process up).
   */
  settled(timeoutMs: number): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      // Runs that start while these finish (after-request hooks of a stream) are waited for too.
      const wait = (): void => {
        if (this.#pending.size === 0) {
          clearTimeout(timer);
          resolve();
          return;
        }
        void Promise.all(this.#pending).then(wait);
      };
      wait();
    });
  }
}

/** The tracker of each request that started an `async` hook (none for the others). */
const RUNS = new WeakMap<object, AsyncHookRuns>();

/** The request's tracker, made on its first `async` hook. */
export function asyncHookRunsFor(request: object): AsyncHookRuns {
  let runs = RUNS.get(request);
  if (runs === undefined) {
    runs = new AsyncHookRuns();
    RUNS.set(request, runs);
  }
  return runs;
}

/** The request's tracker, or undefined when it started no `async` hook. */
export function asyncHookRunsOf(request: object): AsyncHookRuns | undefined {
  return RUNS.get(request);
}
