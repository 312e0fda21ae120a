import { describe, expect, it } from 'vitest';
import { PkError } from '../errors/error-envelope.js';
import { group, leaf, planOf } from '../testing/plan-builders.js';
import { runScenario, summary } from './test-scenario.js';

const two = (strategy: { on_status_codes?: number[] } = {}) =>
  planOf(
    group({
      mode: 'fallback',
      ...strategy,
      targets: [leaf({ provider: 'openai' }), leaf({ provider: 'anthropic' })],
    }),
  );

describe('fallback', () => {
  it.each([
    {
      name: 'the first target answers: the second is never called',
      script: { 'config.targets[0]': { ok: 'A', latencyMs: 120 } },
      expected: {
        status: 200,
        path: '[0]',
        retryCount: 0,
        elapsedMs: 120,
        trace: ['[0]#0 t=0 200 answered → return'],
      },
    },
    {
      name: 'moves on after a 500',
      script: {
        'config.targets[0]': { status: 500, latencyMs: 10 },
        'config.targets[1]': { ok: 'B', latencyMs: 20 },
      },
      expected: {
        status: 200,
        path: '[1]',
        retryCount: 0,
        elapsedMs: 30,
        trace: ['[0]#0 t=0 500 not-retryable → fallback', '[1]#0 t=10 200 answered → return'],
      },
    },
    {
      name: 'moves on after any non-2xx by default, a 400 or 401 too',
      script: { 'config.targets[0]': { status: 401 }, 'config.targets[1]': { ok: 'B' } },
      expected: {
        status: 200,
        path: '[1]',
        retryCount: 0,
        elapsedMs: 0,
        trace: ['[0]#0 t=0 401 not-retryable → fallback', '[1]#0 t=0 200 answered → return'],
      },
    },
    {
      name: 'every target fails: the last target’s own outcome is returned',
      script: {
        'config.targets[0]': { status: 503 },
        'config.targets[1]': { status: 429, error: 'B says slow down' },
      },
      expected: {
        status: 429,
        path: '[1]',
        retryCount: 0,
        elapsedMs: 0,
        trace: ['[0]#0 t=0 503 not-retryable → fallback', '[1]#0 t=0 429 not-retryable → return'],
      },
    },
    {
      name: 'on_status_codes narrows it: a status outside the list is returned as is',
      strategy: { on_status_codes: [429] },
      script: { 'config.targets[0]': { status: 500 }, 'config.targets[1]': { ok: 'B' } },
      expected: {
        status: 500,
        path: '[0]',
        retryCount: 0,
        elapsedMs: 0,
        trace: ['[0]#0 t=0 500 not-retryable → return'],
      },
    },
    {
      name: 'on_status_codes: a status in the list moves on',
      strategy: { on_status_codes: [429] },
      script: { 'config.targets[0]': { status: 429 }, 'config.targets[1]': { ok: 'B' } },
      expected: {
        status: 200,
        path: '[1]',
        retryCount: 0,
        elapsedMs: 0,
        trace: ['[0]#0 t=0 429 not-retryable → fallback', '[1]#0 t=0 200 answered → return'],
      },
    },
    {
      name: 'a thrown attempt (connection reset) is a 502 that fallback moves on from',
      script: { 'config.targets[0]': { throws: new Error('ECONNRESET') }, 'config.targets[1]': { ok: 'B' } },
      expected: {
        status: 200,
        path: '[1]',
        retryCount: 0,
        elapsedMs: 0,
        trace: ['[0]#0 t=0 502 not-retryable → fallback', '[1]#0 t=0 200 answered → return'],
      },
    },
    {
      name: 'an ok answer with a non-200 status (246) stops the fallback',
      script: { 'config.targets[0]': { ok: 'A', status: 246 } },
      expected: {
        status: 246,
        path: '[0]',
        retryCount: 0,
        elapsedMs: 0,
        trace: ['[0]#0 t=0 246 answered → return'],
      },
    },
  ])('$name', async ({ strategy, script, expected }) => {
    const run = await runScenario({ plan: two(strategy), script });
    expect(summary(run)).toEqual(expected);
  });

  it('returns the last target’s error body untouched', async () => {
    const run = await runScenario({
      plan: two(),
      script: {
        'config.targets[0]': { status: 500, error: 'first' },
        'config.targets[1]': { status: 400, error: 'second' },
      },
    });
    expect(run.result.outcome).toEqual({ ok: false, status: 400, error: 'second' });
  });

  it('reports a thrown attempt as PK_ERR_UPSTREAM_UNAVAILABLE with the cause', async () => {
    const cause = new Error('ECONNREFUSED');
    const run = await runScenario({ plan: planOf(leaf()), script: { config: { throws: cause } } });
    const { outcome } = run.result;
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error).toBeInstanceOf(PkError);
    expect((outcome.error as PkError).code).toBe('PK_ERR_UPSTREAM_UNAVAILABLE');
    expect((outcome.error as PkError).cause).toBe(cause);
  });

  it('runs fallback inside loadbalance inside fallback, reporting the nested path', async () => {
    const plan = planOf(
      group({
        mode: 'fallback',
        targets: [
          group({
            mode: 'loadbalance',
            targets: [group({ mode: 'fallback', targets: [leaf(), leaf()] }), leaf({ weight: 0 })],
          }),
          leaf(),
        ],
      }),
    );
    const answered = await runScenario({
      plan,
      script: {
        'config.targets[0].targets[0].targets[0]': { status: 502 },
        'config.targets[0].targets[0].targets[1]': { ok: 'deep' },
      },
    });
    expect(summary(answered)).toEqual({
      status: 200,
      path: '[0][0][1]',
      retryCount: 0,
      elapsedMs: 0,
      trace: ['[0][0][0]#0 t=0 502 not-retryable → fallback', '[0][0][1]#0 t=0 200 answered → return'],
    });
    expect(answered.result.path).toBe('config.targets[0].targets[0].targets[1]');

    const outer = await runScenario({
      plan,
      script: { 'config.targets[1]': { ok: 'outer' } },
    });
    expect(summary(outer)).toEqual({
      status: 200,
      path: '[1]',
      retryCount: 0,
      elapsedMs: 0,
      trace: [
        '[0][0][0]#0 t=0 500 not-retryable → fallback',
        '[0][0][1]#0 t=0 500 not-retryable → fallback',
        '[1]#0 t=0 200 answered → return',
      ],
    });
    expect(outer.events.filter((event) => event.type === 'fallback-next')).toEqual([
      expect.objectContaining({
        path: 'config.targets[0].targets[0]',
        from: 'config.targets[0].targets[0].targets[0]',
        to: 'config.targets[0].targets[0].targets[1]',
      }),
      expect.objectContaining({
        path: 'config',
        from: 'config.targets[0]',
        to: 'config.targets[1]',
        status: 500,
      }),
    ]);
  });

  it('single always uses the first target', async () => {
    const run = await runScenario({
      plan: planOf(group({ mode: 'single', targets: [leaf(), leaf()] })),
      script: { 'config.targets[0]': { status: 500 }, 'config.targets[1]': { ok: 'never' } },
    });
    expect(summary(run).trace).toEqual(['[0]#0 t=0 500 not-retryable → return']);
  });
});
