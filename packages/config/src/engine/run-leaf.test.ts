import { describe, expect, it } from 'vitest';
import { group, type LeafSpec, leaf, planOf } from '../testing/plan-builders.js';
import { runScenario, summary } from './test-scenario.js';

const retried = (spec: LeafSpec) => planOf(leaf(spec));

describe('retries in runPlan', () => {
  it.each([
    {
      name: 'Portkey back-off: 1 s, 2 s, then success (retry count 2)',
      plan: retried({ retry: { attempts: 3 } }),
      script: { config: [{ status: 500 }, { status: 503 }, { ok: 'yes' }] },
      expected: {
        status: 200,
        path: 'root',
        retryCount: 2,
        elapsedMs: 3000,
        trace: [
          'root#0 t=0 500 retry → retry',
          'root#1 t=1000 503 retry → retry',
          'root#2 t=3000 200 answered → return',
        ],
      },
    },
    {
      name: 'retries run out: the last failure, retry count -1, total wait 1+2+4 s',
      plan: retried({ retry: { attempts: 3 } }),
      script: { config: { status: 502 } },
      expected: {
        status: 502,
        path: 'root',
        retryCount: -1,
        elapsedMs: 7000,
        trace: [
          'root#0 t=0 502 retry → retry',
          'root#1 t=1000 502 retry → retry',
          'root#2 t=3000 502 retry → retry',
          'root#3 t=7000 502 retries-exhausted → return',
        ],
      },
    },
    {
      name: 'a status outside on_status_codes bails at once with the retries made so far',
      plan: retried({ retry: { attempts: 3 } }),
      script: { config: [{ status: 429 }, { status: 400 }] },
      expected: {
        status: 400,
        path: 'root',
        retryCount: 1,
        elapsedMs: 1000,
        trace: ['root#0 t=0 429 retry → retry', 'root#1 t=1000 400 not-retryable → return'],
      },
    },
    {
      name: 'a connection error is retried even when 502 is not in on_status_codes',
      plan: retried({ retry: { attempts: 1, on_status_codes: [429] } }),
      script: { config: [{ throws: new Error('socket hang up') }, { ok: 'yes' }] },
      expected: {
        status: 200,
        path: 'root',
        retryCount: 1,
        elapsedMs: 1000,
        trace: ['root#0 t=0 502 retry → retry', 'root#1 t=1000 200 answered → return'],
      },
    },
    {
      name: 'retry.backoff changes the waits',
      plan: retried({ retry: { attempts: 2, backoff: { initial_ms: 100, factor: 5 } } }),
      script: { config: [{ status: 500 }, { status: 500 }, { ok: 'yes' }] },
      expected: {
        status: 200,
        path: 'root',
        retryCount: 2,
        elapsedMs: 600,
        trace: [
          'root#0 t=0 500 retry → retry',
          'root#1 t=100 500 retry → retry',
          'root#2 t=600 200 answered → return',
        ],
      },
    },
    {
      name: 'Retry-After on a 429 replaces the back-off',
      plan: retried({ retry: { attempts: 2, use_retry_after_header: true } }),
      script: { config: [{ status: 429, retryAfterMs: 12_000 }, { ok: 'yes' }] },
      expected: {
        status: 200,
        path: 'root',
        retryCount: 1,
        elapsedMs: 12_000,
        trace: ['root#0 t=0 429 retry-after → retry', 'root#1 t=12000 200 answered → return'],
      },
    },
    {
      name: 'Retry-After on a 503 is honoured too (hosted docs)',
      plan: retried({ retry: { attempts: 2, use_retry_after_header: true } }),
      script: { config: [{ status: 503, retryAfterMs: 2500 }, { ok: 'yes' }] },
      expected: {
        status: 200,
        path: 'root',
        retryCount: 1,
        elapsedMs: 2500,
        trace: ['root#0 t=0 503 retry-after → retry', 'root#1 t=2500 200 answered → return'],
      },
    },
    {
      name: 'Retry-After is ignored without use_retry_after_header',
      plan: retried({ retry: { attempts: 2 } }),
      script: { config: [{ status: 429, retryAfterMs: 12_000 }, { ok: 'yes' }] },
      expected: {
        status: 200,
        path: 'root',
        retryCount: 1,
        elapsedMs: 1000,
        trace: ['root#0 t=0 429 retry → retry', 'root#1 t=1000 200 answered → return'],
      },
    },
    {
      name: 'Retry-After within the budget, then one that would exceed the 60 s budget: stop, -1',
      plan: retried({ retry: { attempts: 5, use_retry_after_header: true } }),
      script: {
        config: [
          { status: 429, retryAfterMs: 40_000 },
          { status: 429, retryAfterMs: 25_000 },
        ],
      },
      expected: {
        status: 429,
        path: 'root',
        retryCount: -1,
        elapsedMs: 40_000,
        trace: ['root#0 t=0 429 retry-after → retry', 'root#1 t=40000 429 retry-after-over-budget → return'],
      },
    },
  ])('$name', async ({ plan, script, expected }) => {
    expect(summary(await runScenario({ plan, script }))).toEqual(expected);
  });

  it('Retry-After beyond the budget stops retrying and the fallback moves on at once', async () => {
    const plan = planOf(
      group({
        mode: 'fallback',
        targets: [leaf({ retry: { attempts: 3, use_retry_after_header: true } }), leaf()],
      }),
    );
    const run = await runScenario({
      plan,
      script: {
        'config.targets[0]': { status: 429, retryAfterMs: 90_000 },
        'config.targets[1]': { ok: 'B', latencyMs: 5 },
      },
    });
    expect(summary(run)).toEqual({
      status: 200,
      path: '[1]',
      retryCount: 0,
      elapsedMs: 5,
      trace: ['[0]#0 t=0 429 retry-after-over-budget → fallback', '[1]#0 t=0 200 answered → return'],
    });
  });

  it('reports the answering target’s retry count, not the sum (-1 of a spent target is forgotten)', async () => {
    const plan = planOf(
      group({
        mode: 'fallback',
        targets: [leaf({ retry: { attempts: 1 } }), leaf({ retry: { attempts: 2 } })],
      }),
    );
    const run = await runScenario({
      plan,
      script: { 'config.targets[0]': { status: 500 }, 'config.targets[1]': [{ status: 500 }, { ok: 'B' }] },
    });
    expect(summary(run)).toEqual({
      status: 200,
      path: '[1]',
      retryCount: 1,
      elapsedMs: 2000,
      trace: [
        '[0]#0 t=0 500 retry → retry',
        '[0]#1 t=1000 500 retries-exhausted → fallback',
        '[1]#0 t=1000 500 retry → retry',
        '[1]#1 t=2000 200 answered → return',
      ],
    });
  });

  it('an outcome marked connectionError is retried like a rejection, whatever on_status_codes says', async () => {
    const plan = retried({ retry: { attempts: 1, on_status_codes: [429] } });
    const run = await runScenario({
      plan,
      script: { config: { ok: 'second' } },
      ports: {
        attempt: (_target, _request, { attempt }) =>
          Promise.resolve(
            attempt === 0
              ? { ok: false, status: 502, connectionError: true, error: 'ECONNRESET' }
              : { ok: true, value: 'second' },
          ),
      },
    });
    expect(summary(run).trace).toEqual([
      'root#0 t=0 502 retry → retry',
      'root#1 t=1000 200 answered → return',
    ]);
    expect(run.result.trace[0]).toMatchObject({ origin: 'connection-error' });
  });

  it('never retries a failure marked internalError (the caller’s own defect), even a 500 on_status_codes names; fallback moves on', async () => {
    const plan = planOf(
      group({
        mode: 'fallback',
        targets: [leaf({ retry: { attempts: 3, on_status_codes: [500] } }), leaf({ retry: { attempts: 3 } })],
      }),
    );
    const run = await runScenario({
      plan,
      script: {
        'config.targets[0]': { status: 500, internalError: true },
        'config.targets[1]': [{ status: 500 }, { ok: 'B' }],
      },
    });
    expect(summary(run)).toEqual({
      status: 200,
      path: '[1]',
      retryCount: 1,
      elapsedMs: 1000,
      trace: [
        '[0]#0 t=0 500 not-retryable → fallback',
        '[1]#0 t=0 500 retry → retry',
        '[1]#1 t=1000 200 answered → return',
      ],
    });
    expect(run.calls.filter((call) => call.path === 'config.targets[0]')).toHaveLength(1);
  });

  it('retryMode immediately (an output guardrail’s 446): asked again with no wait, retry count -1 when they run out', async () => {
    const run = await runScenario({
      plan: retried({ retry: { attempts: 2, on_status_codes: [446] } }),
      script: { config: { status: 446, retryMode: 'immediately' } },
    });
    expect(summary(run)).toEqual({
      status: 446,
      path: 'root',
      retryCount: -1,
      elapsedMs: 0,
      trace: [
        'root#0 t=0 446 retry → retry',
        'root#1 t=0 446 retry → retry',
        'root#2 t=0 446 retries-exhausted → return',
      ],
    });
  });

  it('retryMode immediately keeps the back-off for the other failures of the same target', async () => {
    const run = await runScenario({
      plan: retried({ retry: { attempts: 3, on_status_codes: [446, 503] } }),
      script: { config: [{ status: 503 }, { status: 446, retryMode: 'immediately' }, { ok: 'yes' }] },
    });
    expect(summary(run).trace).toEqual([
      'root#0 t=0 503 retry → retry',
      'root#1 t=1000 446 retry → retry',
      'root#2 t=1000 200 answered → return',
    ]);
  });

  it('retryMode never (an input guardrail’s 446): not retried even when on_status_codes names it; fallback moves on at once', async () => {
    const plan = planOf(
      group({
        mode: 'fallback',
        targets: [leaf({ retry: { attempts: 3, on_status_codes: [446] } }), leaf()],
      }),
    );
    const run = await runScenario({
      plan,
      script: {
        'config.targets[0]': { status: 446, retryMode: 'never' },
        'config.targets[1]': { ok: 'B' },
      },
    });
    expect(summary(run)).toEqual({
      status: 200,
      path: '[1]',
      retryCount: 0,
      elapsedMs: 0,
      trace: ['[0]#0 t=0 446 not-retryable → fallback', '[1]#0 t=0 200 answered → return'],
    });
  });

  it('passes the attempt index to the adapter', async () => {
    const run = await runScenario({
      plan: retried({ retry: { attempts: 2 } }),
      script: { config: [{ status: 500 }, { status: 500 }, { ok: 'x' }] },
    });
    expect(run.calls.map((call) => [call.attempt, call.atMs])).toEqual([
      [0, 0],
      [1, 1000],
      [2, 3000],
    ]);
    expect(run.result.outcome.ok).toBe(true);
  });
});
