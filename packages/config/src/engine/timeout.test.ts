import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { PkError } from '../errors/error-envelope.js';
import { createFakeClock } from '../testing/fake-clock.js';
import { group, leaf, planOf } from '../testing/plan-builders.js';
import { PlanAbortedError } from './plan-aborted-error.js';
import type { AttemptFunction } from './ports.js';
import { runPlan } from './run-plan.js';
import { runScenario, summary } from './test-scenario.js';

function errorCode(run: Awaited<ReturnType<typeof runScenario>>): string | undefined {
  const { outcome } = run.result;
  return outcome.ok ? undefined : (outcome.error as PkError).code;
}

describe('timeouts', () => {
  it('a fired timeout is a 408 timeout_error and the adapter’s signal aborts', async () => {
    const clock = createFakeClock();
    let seen: AbortSignal | undefined;
    const attempt: AttemptFunction<unknown, string, unknown> = (_target, _request, { signal }) => {
      seen = signal;
      return clock.sleep(10_000, signal).then(() => ({ ok: true, value: 'late' }));
    };
    const result = await runPlan(
      planOf(leaf({ request_timeout: 3000 })),
      {},
      {
        attempt,
        sleep: clock.sleep,
        now: clock.now,
        random: Math.random,
      },
    );
    expect(clock.now()).toBe(3000);
    expect(result.outcome).toMatchObject({ ok: false, status: 408 });
    const error = (result.outcome as { error: PkError }).error;
    expect(error.toEnvelope().error).toEqual({
      message: 'Request exceeded the timeout sent in the request: 3000ms',
      type: 'timeout_error',
      param: null,
      code: 'PK_ERR_TIMEOUT',
    });
    expect(seen?.aborted).toBe(true);
    expect(result.trace).toEqual([
      expect.objectContaining({ status: 408, origin: 'timeout', latencyMs: 3000 }),
    ]);
  });

  it('timeout then fallback: the next target gets a fresh timeout', async () => {
    const plan = planOf(
      group({
        mode: 'fallback',
        targets: [leaf({ request_timeout: 2000 }), leaf({ request_timeout: 2000 })],
      }),
    );
    const run = await runScenario({
      plan,
      script: { 'config.targets[0]': { hang: true }, 'config.targets[1]': { ok: 'B', latencyMs: 1500 } },
    });
    expect(summary(run)).toEqual({
      status: 200,
      path: '[1]',
      retryCount: 0,
      elapsedMs: 3500,
      trace: ['[0]#0 t=0 408 not-retryable → fallback', '[1]#0 t=2000 200 answered → return'],
    });
  });

  it('a 408 is retried only when on_status_codes lists it, each retry with its own timeout', async () => {
    const run = await runScenario({
      plan: planOf(leaf({ request_timeout: 500, retry: { attempts: 1, on_status_codes: [408] } })),
      script: { config: [{ hang: true }, { ok: 'second', latencyMs: 400 }] },
    });
    expect(summary(run)).toEqual({
      status: 200,
      path: 'root',
      retryCount: 1,
      elapsedMs: 1900,
      trace: ['root#0 t=0 408 retry → retry', 'root#1 t=1500 200 answered → return'],
    });
  });

  it('covers only the wait for the answer: a stream flowing after attempt resolved is never cut', async () => {
    const clock = createFakeClock();
    let streamSignal: AbortSignal | undefined;
    const attempt: AttemptFunction<unknown, string, unknown> = async (_target, _request, { signal }) => {
      await clock.sleep(900, signal);
      streamSignal = signal;
      return { ok: true, value: 'stream' };
    };
    const result = await runPlan(
      planOf(leaf({ request_timeout: 1000 }), { requestDeadline: 1500 }),
      {},
      {
        attempt,
        sleep: clock.sleep,
        now: clock.now,
        random: Math.random,
      },
    );
    expect(result.outcome.ok).toBe(true);
    // The stream keeps flowing long after the timeout and the deadline would have fired.
    await clock.advance(60_000);
    expect(streamSignal?.aborted).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a timeout resolves even when the adapter ignores the signal', async () => {
    const clock = createFakeClock();
    const attempt: AttemptFunction<unknown, string, unknown> = () => new Promise(() => {});
    const result = await runPlan(
      planOf(leaf({ request_timeout: 250 })),
      {},
      {
        attempt,
        sleep: clock.sleep,
        now: clock.now,
        random: Math.random,
      },
    );
    expect(result.outcome).toMatchObject({ ok: false, status: 408 });
  });
});

describe('request_deadline', () => {
  it('bounds an attempt in flight: 504 PK_ERR_DEADLINE, and fallback does not move on', async () => {
    const plan = planOf(group({ mode: 'fallback', targets: [leaf({ request_timeout: 10_000 }), leaf()] }), {
      requestDeadline: 4000,
    });
    const run = await runScenario({
      plan,
      script: { 'config.targets[0]': { hang: true }, 'config.targets[1]': { ok: 'B' } },
    });
    expect(summary(run)).toEqual({
      status: 504,
      path: '[0]',
      retryCount: 0,
      elapsedMs: 4000,
      trace: ['[0]#0 t=0 504 deadline → return'],
    });
    expect(errorCode(run)).toBe('PK_ERR_DEADLINE');
  });

  it('is reached during a retry wait: answers 504 at once instead of sleeping into it', async () => {
    const plan = planOf(leaf({ retry: { attempts: 3 } }), { requestDeadline: 2500 });
    const run = await runScenario({ plan, script: { config: { status: 500, latencyMs: 100 } } });
    expect(summary(run)).toEqual({
      status: 504,
      path: 'root',
      retryCount: 1,
      elapsedMs: 1200,
      trace: ['root#0 t=0 500 retry → retry', 'root#1 t=1100 500 deadline → return'],
    });
    expect(errorCode(run)).toBe('PK_ERR_DEADLINE');
    expect(run.clock.pendingTimers).toBe(0);
  });

  it('shortens the last attempt’s timeout to what is left of the deadline', async () => {
    const plan = planOf(
      group({
        mode: 'fallback',
        targets: [leaf({ request_timeout: 3000 }), leaf({ request_timeout: 3000 })],
      }),
      { requestDeadline: 5000 },
    );
    const run = await runScenario({
      plan,
      script: { 'config.targets[0]': { hang: true }, 'config.targets[1]': { hang: true } },
    });
    expect(summary(run)).toEqual({
      status: 504,
      path: '[1]',
      retryCount: 0,
      elapsedMs: 5000,
      trace: ['[0]#0 t=0 408 not-retryable → fallback', '[1]#0 t=3000 504 deadline → return'],
    });
  });

  it('without request_deadline, nothing bounds the whole request (Portkey)', async () => {
    const plan = planOf(leaf({ retry: { attempts: 5 } }));
    const run = await runScenario({ plan, script: { config: { status: 503 } } });
    expect(run.elapsedMs).toBe(31_000);
    expect(run.result.retryCount).toBe(-1);
  });
});

describe('the caller’s signal', () => {
  it('aborting during back-off cancels the wait and rejects with PlanAbortedError (trace kept)', async () => {
    const clock = createFakeClock();
    const controller = new AbortController();
    void clock.sleep(1500).then(() => controller.abort(new Error('client left')));
    const run = runScenario({
      clock,
      plan: planOf(leaf({ retry: { attempts: 3 } })),
      script: { config: { status: 500 } },
      ports: { signal: controller.signal },
    });
    const error = await run.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlanAbortedError);
    expect((error as PlanAbortedError).name).toBe('AbortError');
    expect((error as PlanAbortedError).cause).toEqual(new Error('client left'));
    expect((error as PlanAbortedError).trace).toHaveLength(2);
    expect(clock.now()).toBe(1500);
    expect(clock.pendingTimers).toBe(0);
  });

  it('aborting cancels the attempt in flight, even when the adapter ignores its signal', async () => {
    const clock = createFakeClock();
    const controller = new AbortController();
    void clock.sleep(700).then(() => controller.abort());
    let seen: AbortSignal | undefined;
    const attempt: AttemptFunction<unknown, string, unknown> = (_target, _request, { signal }) => {
      seen = signal;
      return new Promise(() => {});
    };
    const running = runPlan(
      planOf(leaf({ request_timeout: 5000 })),
      {},
      {
        attempt,
        sleep: clock.sleep,
        now: clock.now,
        random: Math.random,
        signal: controller.signal,
      },
    );
    const error = await running.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlanAbortedError);
    expect(seen?.aborted).toBe(true);
    expect(clock.now()).toBe(700);
    // The attempt was made: the trace keeps it as a 499 the caller left during.
    expect((error as PlanAbortedError).trace).toMatchObject([
      { kind: 'attempt', path: 'config', ok: false, status: 499, reason: 'caller-left', latencyMs: 700 },
    ]);
  });

  it('leaves no listener on a long-lived caller signal, with or without a timeout', async () => {
    const controller = new AbortController();
    for (const request_timeout of [undefined, 1000]) {
      for (let index = 0; index < 20; index++) {
        const run = await runScenario({
          plan: planOf(leaf(request_timeout === undefined ? {} : { request_timeout })),
          script: { config: { ok: 'x', latencyMs: 5 } },
          ports: { signal: controller.signal },
        });
        expect(run.result.outcome.ok).toBe(true);
      }
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('an already aborted signal calls nothing', async () => {
    const run = runScenario({
      plan: planOf(leaf()),
      script: { config: { ok: 'x' } },
      ports: { signal: AbortSignal.abort() },
    });
    const error = await run.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlanAbortedError);
    expect((error as PlanAbortedError).trace).toEqual([]);
  });

  it('after an ok answer the engine lets go of the attempt: a stream is stopped by cancelling it', async () => {
    const clock = createFakeClock();
    const controller = new AbortController();
    let streamSignal: AbortSignal | undefined;
    const attempt: AttemptFunction<unknown, string, unknown> = (_target, _request, { signal }) => {
      streamSignal = signal;
      return Promise.resolve({ ok: true, value: 'stream' });
    };
    const result = await runPlan(
      planOf(leaf({ request_timeout: 1000 })),
      {},
      {
        attempt,
        sleep: clock.sleep,
        setTimer: clock.setTimer,
        now: clock.now,
        random: Math.random,
        signal: controller.signal,
      },
    );
    expect(result.outcome.ok).toBe(true);
    controller.abort();
    await clock.advance(5000);
    expect(streamSignal?.aborted).toBe(false);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('times attempts on sleep when there is no setTimer port', async () => {
    const plan = planOf(group({ mode: 'fallback', targets: [leaf({ request_timeout: 2000 }), leaf()] }));
    const run = await runScenario({
      plan,
      timersOnSleep: true,
      script: { 'config.targets[0]': { hang: true }, 'config.targets[1]': { ok: 'B', latencyMs: 10 } },
    });
    expect(summary(run)).toMatchObject({ status: 200, path: '[1]', elapsedMs: 2010 });
    expect(run.clock.pendingTimers).toBe(0);
  });
});
