import type { PlanLeaf } from '../plan/plan.js';
import { LazyAttemptOptions } from './attempt-signal.js';
import { connectionFailure, deadlineFailure, timeoutFailure } from './engine-errors.js';
import type { AttemptOutcome, PlanOutcome } from './outcome.js';
import { CallerAbort, type RunContext } from './run-context.js';
import { startTimer } from './timer.js';

/**
 * Calls `attempt` once under the engine's clock. The attempt's signal fires at `request_timeout` or
 * at the request deadline, whichever comes first, or when the caller's signal aborts. Timers fire only
 * while the attempt is pending: once `attempt` resolves the engine lets go of it, so a stream is never
 * cut by a timer (a stream is stopped by cancelling it). Without a timer the attempt's signal is the
 * caller's own, so a caller abort also reaches a stream already returned. A fired timer resolves at once (a 408
 * `timeout_error`, or a 504 `PK_ERR_DEADLINE`) even if the adapter ignores the signal; a caller abort
 * rejects with `CallerAbort`. Sets `context.attemptOrigin` when the engine made the outcome.
 */
export function attemptOnce<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  leaf: PlanLeaf,
  attempt: number,
): Promise<PlanOutcome<Value, Err>> {
  let limitMs = leaf.request_timeout;
  let isDeadline = false;
  const deadlineAt = context.deadlineAtMs;
  if (deadlineAt !== undefined) {
    const remaining = deadlineAt - context.ports.now();
    if (limitMs === undefined || remaining <= limitMs) {
      limitMs = remaining;
      isDeadline = true;
    }
  }
  // Without a timer the caller's signal is the attempt's only abort source: it is passed on as is.
  const options = new LazyAttemptOptions(attempt, limitMs === undefined ? context.signal : undefined);
  if (limitMs === undefined && context.signal === undefined) {
    return context.ports.attempt(leaf, context.request, options);
  }
  return new AttemptRace(context, leaf, options, limitMs, isDeadline).promise;
}

/** One attempt racing its timer and the caller's signal; the first to finish wins, the rest is dropped. */
class AttemptRace<Req, Value, Err> {
  readonly promise: Promise<PlanOutcome<Value, Err>>;
  #settled = false;
  #resolve!: (outcome: PlanOutcome<Value, Err>) => void;
  #reject!: (reason: unknown) => void;
  #cancelTimer: (() => void) | undefined;
  readonly #context: RunContext<Req, Value, Err>;
  readonly #options: LazyAttemptOptions;
  readonly #onCallerAbort = (): void => {
    const reason = this.#context.signal?.reason;
    this.#options.abort(reason);
    if (this.#finish()) this.#reject(new CallerAbort(reason));
  };

  constructor(
    context: RunContext<Req, Value, Err>,
    leaf: PlanLeaf,
    options: LazyAttemptOptions,
    limitMs: number | undefined,
    isDeadline: boolean,
  ) {
    this.#context = context;
    this.#options = options;
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    const caller = context.signal;
    if (caller !== undefined) {
      if (caller.aborted) {
        this.#settled = true;
        this.#reject(new CallerAbort(caller.reason));
        return;
      }
      caller.addEventListener('abort', this.#onCallerAbort, { once: true });
    }
    if (limitMs !== undefined) {
      this.#cancelTimer = startTimer(context.ports, Math.max(0, limitMs), () => {
        this.#cancelTimer = undefined;
        if (!this.#finish()) return;
        context.attemptOrigin = isDeadline ? 'deadline' : 'timeout';
        const failure = isDeadline
          ? deadlineFailure(context.plan.request_deadline ?? limitMs)
          : timeoutFailure(limitMs);
        // The adapter sees why: a PkError with PK_ERR_TIMEOUT or PK_ERR_DEADLINE as the abort reason.
        options.abort(failure.error);
        this.#resolve(failure);
      });
    }
    let pending: Promise<AttemptOutcome<Value, Err>>;
    try {
      pending = Promise.resolve(context.ports.attempt(leaf, context.request, options));
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (outcome) => {
        if (this.#finish()) this.#resolve(outcome);
      },
      (error: unknown) => this.#onRejected(error),
    );
  }

  #onRejected(error: unknown): void {
    if (!this.#finish()) return;
    const caller = this.#context.signal;
    if (caller?.aborted === true) {
      this.#reject(new CallerAbort(caller.reason));
      return;
    }
    this.#context.attemptOrigin = 'connection-error';
    this.#resolve(connectionFailure(error));
  }

  /** Marks the race over and drops its timer and listener; false when it was already over. */
  #finish(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.#context.signal?.removeEventListener('abort', this.#onCallerAbort);
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    return true;
  }
}
