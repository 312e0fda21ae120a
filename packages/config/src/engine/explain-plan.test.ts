import { describe, expect, it } from 'vitest';
import { group, leaf, planOf } from '../testing/plan-builders.js';
import { createSeededRandom } from '../testing/seeded-random.js';
import { explainPlan } from './explain-plan.js';

const plan = planOf(
  group({
    mode: 'conditional',
    conditions: [{ query: { 'metadata.tier': 'pro' }, then: 'pro' }],
    default: 'free',
    targets: [
      group({
        name: 'pro',
        mode: 'fallback',
        on_status_codes: [429, 503],
        targets: [
          leaf({ provider: 'openai', retry: { attempts: 2 }, request_timeout: 5000 }),
          leaf({ provider: 'anthropic' }),
        ],
      }),
      group({
        name: 'free',
        mode: 'loadbalance',
        targets: [
          leaf({ provider: 'groq', weight: 0.7, cache: true }),
          leaf({ provider: 'mistral-ai', weight: 0.3 }),
          leaf({ weight: 0 }),
        ],
      }),
    ],
  }),
);

describe('explainPlan', () => {
  it('follows the matching route and the fallback order', () => {
    expect(explainPlan(plan, { metadata: { tier: 'pro' } })).toEqual({
      target: 'config.targets[0].targets[0]',
      leaf: { provider: 'openai', retryAttempts: 2, requestTimeoutMs: 5000, cache: false },
      steps: [
        {
          path: 'config',
          mode: 'conditional',
          chosen: 'config.targets[0]',
          reason: 'conditional: condition 0 matched → "pro"',
        },
        {
          path: 'config.targets[0]',
          mode: 'fallback',
          chosen: 'config.targets[0].targets[0]',
          reason:
            'fallback: tries config.targets[0].targets[0], then config.targets[0].targets[1] in order, moving on after status 429, 503',
        },
      ],
    });
  });

  it('gives the loadbalance odds and the most likely target, or a draw with a random', () => {
    const likely = explainPlan(plan, { metadata: {} });
    expect(likely.target).toBe('config.targets[1].targets[0]');
    expect(likely.steps[1]?.reason).toBe(
      'loadbalance: config.targets[1].targets[0] 70%, config.targets[1].targets[1] 30%; most likely config.targets[1].targets[0]',
    );
    const random = createSeededRandom(3);
    const draws = new Set(Array.from({ length: 20 }, () => explainPlan(plan, {}, { random }).target));
    expect(draws).toEqual(new Set(['config.targets[1].targets[0]', 'config.targets[1].targets[1]']));
  });

  it('passes over open breakers it is told about', () => {
    const explained = explainPlan(
      plan,
      { metadata: { tier: 'pro' } },
      { openPaths: new Set(['config.targets[0].targets[0]']) },
    );
    expect(explained.target).toBe('config.targets[0].targets[1]');
    expect(explained.steps[1]?.reason).toMatch(/1 target\(s\) skipped \(breaker open\)$/);
  });

  it('says when no route exists', () => {
    const noDefault = planOf(group({ mode: 'conditional', conditions: [], targets: [leaf({ name: 'a' })] }));
    expect(explainPlan(noDefault, {})).toEqual({
      target: undefined,
      leaf: undefined,
      steps: [
        {
          path: 'config',
          mode: 'conditional',
          chosen: undefined,
          reason: 'conditional: no condition matched and there is no default (400 PK_ERR_NO_ROUTE)',
        },
      ],
    });
  });

  it('explains a single-provider config with no steps', () => {
    expect(explainPlan(planOf(leaf({ provider: 'openai' })), {})).toEqual({
      target: 'config',
      leaf: { provider: 'openai', retryAttempts: 0, requestTimeoutMs: undefined, cache: false },
      steps: [],
    });
  });
});
