import type { PlanLeaf } from '../plan/plan.js';
import { connectionFailure, deadlineFailure, timeoutFailure } from './engine-errors.js';
import type { AttemptOutcome, PlanOutcome } from './outcome.js';
import type { AttemptOptions } from './ports.js';
import { CallerAbort, type RunContext } from './run-context.js';

/**
 * Options for an attempt that can never be aborted (no timeout, no deadline, no caller signal): the
 * signal is only created if the adapter reads it, so the engine's own path allocates none.
 */
class UnabortableAttemptOptions implements AttemptOptions {
  readonly attempt: number;
  #controller: AbortController | undefined;
  constructor(attempt: number) {
    this.attempt = attempt;
  }
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }
}

/**
 * Calls `attempt` once under the engine's clock. The derived signal fires at `request_timeout` or at
 * the request deadline, whichever comes first; the timer runs on the `sleep` port and stops as soon
 * as `attempt` resolves, so a stream that started is never cut by it. A fired timer resolves at once
 * (a 408 `timeout_error`, or a 504 `PK_ERR_DEADLINE`) even if the adapter ignores the signal. The
 * caller's signal aborts the attempt (rejecting with `CallerAbort`) and, after an ok outcome, keeps
 * aborting it while a stream flows. Sets `context.attemptOrigin` when the engine made the outcome.
 */
export function attemptOnce<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  leaf: PlanLeaf,
  attempt: number,
): Promise<PlanOutcome<Value, Err>> {
  const timeoutMs = leaf.request_timeout;
  const deadlineAt = context.deadlineAtMs;
  if (timeoutMs === undefined && deadlineAt === undefined && context.signal === undefined) {
    return context.ports.attempt(leaf, context.request, new UnabortableAttemptOptions(attempt));
  }
  let limitMs = timeoutMs;
  let isDeadline = false;
  if (deadlineAt !== undefined) {
    const remaining = deadlineAt - context.ports.now();
    if (limitMs === undefined || remaining <= limitMs) {
      limitMs = remaining;
      isDeadline = true;
    }
  }
  return attemptUnderSignal(context, leaf, attempt, limitMs, isDeadline);
}

function attemptUnderSignal<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  leaf: PlanLeaf,
  attempt: number,
  limitMs: number | undefined,
  isDeadline: boolean,
): Promise<PlanOutcome<Value, Err>> {
  const caller = context.signal;
  const controller = new AbortController();
  return new Promise((resolve, reject) => {
    let settled = false;
    let timer: AbortController | undefined;
    const onCallerAbort = (): void => {
      controller.abort(caller?.reason);
      if (settled) return;
      settled = true;
      timer?.abort();
      reject(new CallerAbort(caller?.reason));
    };
    if (caller !== undefined) {
      if (caller.aborted) {
        reject(new CallerAbort(caller.reason));
        return;
      }
      caller.addEventListener('abort', onCallerAbort, { once: true });
    }
    if (limitMs !== undefined) {
      timer = new AbortController();
      const firedAfterMs = limitMs;
      context.ports.sleep(Math.max(0, limitMs), timer.signal).then(() => {
        if (settled) return;
        settled = true;
        caller?.removeEventListener('abort', onCallerAbort);
        context.attemptOrigin = isDeadline ? 'deadline' : 'timeout';
        const failure = isDeadline
          ? deadlineFailure(context.plan.request_deadline ?? firedAfterMs)
          : timeoutFailure(firedAfterMs);
        // The adapter sees why: a PkError with PK_ERR_TIMEOUT or PK_ERR_DEADLINE as the abort reason.
        controller.abort(failure.error);
        resolve(failure);
      }, ignore);
    }
    let pending: Promise<AttemptOutcome<Value, Err>>;
    try {
      pending = Promise.resolve(
        context.ports.attempt(leaf, context.request, { signal: controller.signal, attempt }),
      );
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (outcome) => {
        if (settled) return;
        settled = true;
        timer?.abort();
        // After an ok outcome the listener stays: the client leaving must still stop a flowing stream.
        if (!outcome.ok) caller?.removeEventListener('abort', onCallerAbort);
        resolve(outcome);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        timer?.abort();
        caller?.removeEventListener('abort', onCallerAbort);
        if (caller?.aborted === true) {
          reject(new CallerAbort(caller.reason));
          return;
        }
        context.attemptOrigin = 'connection-error';
        resolve(connectionFailure(error));
      },
    );
  });
}

function ignore(): void {}
