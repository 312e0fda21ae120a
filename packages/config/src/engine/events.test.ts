import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../testing/fake-clock.js';
import { group, leaf, planOf } from '../testing/plan-builders.js';
import type { ScriptStep } from '../testing/scripted-attempt.js';
import { createMemoryBreakerStore } from './memory-breaker-store.js';
import { runScenario } from './test-scenario.js';

// Event sequences are part of the engine's contract with logs and metrics: changes show up here.
describe('event sequences', () => {
  it('429 with Retry-After, retry, then fallback to the second target', async () => {
    const plan = planOf(
      group({
        mode: 'fallback',
        targets: [
          leaf({ retry: { attempts: 1, use_retry_after_header: true } }),
          leaf({ request_timeout: 1000 }),
        ],
      }),
    );
    const run = await runScenario({
      plan,
      script: {
        'config.targets[0]': { status: 429, retryAfterMs: 1500, latencyMs: 40 },
        'config.targets[1]': { ok: 'B', latencyMs: 60 },
      },
    });
    expect(run.events).toMatchSnapshot();
  });

  it('timeout on the first target of a loadbalance inside a fallback, then a cache hit', async () => {
    const plan = planOf(
      group({
        mode: 'fallback',
        targets: [
          group({ mode: 'loadbalance', targets: [leaf({ request_timeout: 2000 }), leaf({ weight: 0 })] }),
          leaf({ cache: true }),
        ],
      }),
    );
    const run = await runScenario({
      plan,
      script: { 'config.targets[0].targets[0]': { hang: true } },
      ports: {
        cache: {
          store: { get: () => Promise.resolve('cached'), put: () => Promise.resolve() },
          key: (target) => `key:${target.path}`,
        },
      },
    });
    expect(run.events).toMatchSnapshot();
  });

  it('a breaker opening, the target skipped, then half-open after its cooldown and closed by its probe', async () => {
    const clock = createFakeClock();
    const store = createMemoryBreakerStore();
    const plan = planOf(
      group({
        mode: 'fallback',
        cb_config: { failure_threshold: 1, cooldown_interval: 30_000 },
        targets: [leaf(), leaf()],
      }),
      { configId: 'cfg' },
    );
    const request = (first: ScriptStep<string>) =>
      runScenario({
        plan,
        clock,
        script: { 'config.targets[0]': first, 'config.targets[1]': { ok: 'B' } },
        ports: { breakers: store },
      });
    const opening = await request({ status: 500, latencyMs: 10 });
    await clock.advance(1000);
    const skipping = await request({ ok: 'A' });
    await clock.advance(30_000);
    const closing = await request({ ok: 'A', latencyMs: 10 });
    expect({ opening: opening.events, skipping: skipping.events, closing: closing.events }).toMatchSnapshot();
  });
});
