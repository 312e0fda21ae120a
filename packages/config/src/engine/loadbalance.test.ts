import { describe, expect, it } from 'vitest';
import type { PkError } from '../errors/error-envelope.js';
import { group, leaf, planOf } from '../testing/plan-builders.js';
import { createSeededRandom } from '../testing/seeded-random.js';
import { pickWeighted } from './loadbalance.js';
import { runScenario } from './test-scenario.js';

describe('pickWeighted', () => {
  const targets = [leaf({ weight: 0.7 }), leaf({ weight: 0 }), leaf({ weight: 0.3 })];

  it.each([
    { random: 0, expected: 0 },
    { random: 0.69, expected: 0 },
    { random: 0.7, expected: 2 },
    { random: 0.999_999, expected: 2 },
  ])('random $random → target $expected (weight 0 never)', ({ random, expected }) => {
    expect(pickWeighted(targets, random)).toBe(expected);
  });

  it('defaults the weight to 1 (plan builders do, as resolveConfig does)', () => {
    const even = [leaf(), leaf(), leaf()];
    expect([0.1, 0.4, 0.9].map((random) => pickWeighted(even, random))).toEqual([0, 1, 2]);
  });

  it('returns -1 when every weight is 0 or excluded', () => {
    expect(pickWeighted([leaf({ weight: 0 })], 0.5)).toBe(-1);
    expect(pickWeighted([leaf()], 0.5, () => true)).toBe(-1);
  });

  it.each([1, 42, 2024, 77_777, 123_456_789])(
    'seed %i: 10,000 picks at 0.7/0.3 land within ±2 percentage points',
    (seed) => {
      const random = createSeededRandom(seed);
      const pair = [leaf({ weight: 0.7 }), leaf({ weight: 0.3 })];
      let first = 0;
      for (let index = 0; index < 10_000; index++) if (pickWeighted(pair, random()) === 0) first++;
      expect(Math.abs(first / 10_000 - 0.7)).toBeLessThanOrEqual(0.02);
    },
  );
});

describe('loadbalance in runPlan', () => {
  it('runs only the picked target and returns its outcome (no fallback inside loadbalance)', async () => {
    const plan = planOf(group({ mode: 'loadbalance', targets: [leaf({ weight: 1 }), leaf({ weight: 3 })] }));
    const paths = new Set<string>();
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      const run = await runScenario({
        plan,
        seed,
        script: { 'config.targets[0]': { status: 500 }, 'config.targets[1]': { status: 503 } },
      });
      expect(run.calls).toHaveLength(1);
      expect(run.result.path).toBe(run.calls[0]?.path);
      paths.add(run.result.path);
    }
    expect(paths).toEqual(new Set(['config.targets[0]', 'config.targets[1]']));
  });

  it('is deterministic for a seed', async () => {
    const plan = planOf(group({ mode: 'loadbalance', targets: [leaf(), leaf(), leaf()] }));
    const picks = async () => {
      const chosen: string[] = [];
      for (const seed of [11, 12, 13, 14, 15]) chosen.push((await runScenario({ plan, seed })).result.path);
      return chosen;
    };
    expect(await picks()).toEqual(await picks());
  });

  it('answers 400 PK_ERR_INVALID_CONFIG when every weight is 0 (Portkey crashes with a 500)', async () => {
    const plan = planOf(group({ mode: 'loadbalance', targets: [leaf({ weight: 0 }), leaf({ weight: 0 })] }));
    const run = await runScenario({ plan });
    expect(run.calls).toEqual([]);
    expect(run.result.outcome).toMatchObject({ ok: false, status: 400 });
    expect((run.result.outcome as { error: PkError }).error.code).toBe('PK_ERR_INVALID_CONFIG');
  });

  it('draws again among the untried targets when the picked one was refused before it was called (a limit of its key)', async () => {
    const plan = planOf(
      group({
        mode: 'loadbalance',
        targets: [leaf({ weight: 1 }), leaf({ weight: 1 }), leaf({ weight: 1 })],
      }),
    );
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const run = await runScenario({
        plan,
        seed,
        script: {
          'config.targets[0]': { status: 429, notSent: true },
          'config.targets[1]': { status: 412, notSent: true },
          'config.targets[2]': { ok: 'answer' },
        },
      });
      expect(run.result.outcome).toMatchObject({ ok: true, value: 'answer' });
      expect(run.result.path).toBe('config.targets[2]');
      // Each target is tried at most once.
      expect(new Set(run.calls.map((call) => call.path)).size).toBe(run.calls.length);
    }
  });

  it('returns the last refusal when every target refused before being called, and never redraws after a real failure', async () => {
    const plan = planOf(group({ mode: 'loadbalance', targets: [leaf(), leaf()] }));
    const refused = await runScenario({
      plan,
      script: {
        'config.targets[0]': { status: 429, notSent: true },
        'config.targets[1]': { status: 429, notSent: true },
      },
    });
    expect(refused.calls).toHaveLength(2);
    expect(refused.result.outcome).toMatchObject({ ok: false, status: 429, notSent: true });
    const failed = await runScenario({
      plan,
      script: { 'config.targets[0]': { status: 500 }, 'config.targets[1]': { status: 500 } },
    });
    expect(failed.calls).toHaveLength(1);
  });
});
