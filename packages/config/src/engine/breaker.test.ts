import { describe, expect, it } from 'vitest';
import type { PkError } from '../errors/error-envelope.js';
import { parseConfigOrThrow } from '../model/parse-config.js';
import { resolveConfig } from '../model/resolve-config.js';
import type { CircuitBreakerConfig } from '../schema/circuit-breaker.js';
import { createFakeClock } from '../testing/fake-clock.js';
import { group, leaf, planOf } from '../testing/plan-builders.js';
import type { ScriptStep } from '../testing/scripted-attempt.js';
import { breakerRuleOf, breakerVerdict, planBreakersOf } from './breaker.js';
import type { BreakerStore } from './breaker-store.js';
import { createMemoryBreakerStore } from './memory-breaker-store.js';
import { runScenario, summary } from './test-scenario.js';

const cb = (config: CircuitBreakerConfig = {}): CircuitBreakerConfig => ({
  failure_threshold: 2,
  cooldown_interval: 30_000,
  ...config,
});

type Script = Record<string, ScriptStep<string> | ScriptStep<string>[]>;

/** Several requests through one breaker store on one clock. */
function harness(plan: ReturnType<typeof planOf>, store: BreakerStore = createMemoryBreakerStore()) {
  const clock = createFakeClock();
  return {
    clock,
    request: (script: Script) => runScenario({ plan, script, clock, ports: { breakers: store } }),
  };
}

describe('the target a breaker watches', () => {
  it('names the provider, virtual key, model, name and custom host origin, never a credential', () => {
    const plan = resolveConfig(
      parseConfigOrThrow({
        strategy: { mode: 'fallback', cb_config: { failure_threshold: 2 } },
        override_params: { model: 'gpt-4o' },
        targets: [
          { name: 'primary', provider: 'openai', api_key: 'sk-secret-in-config' },
          { virtual_key: 'anthropic-prod', override_params: { model: 'claude-sonnet-4' } },
          { provider: 'ollama', custom_host: 'https://llm.example.com:8443/secret-tenant/v1' },
        ],
      }),
    );
    const targets = planBreakersOf(plan)?.leaves.map((found) => JSON.parse(found.target));
    expect(targets).toEqual([
      { name: 'primary', provider: 'openai', model: 'gpt-4o' },
      { virtual_key: 'anthropic-prod', model: 'claude-sonnet-4' },
      { provider: 'ollama', model: 'gpt-4o', custom_host: 'https://llm.example.com:8443' },
    ]);
    expect(JSON.stringify(targets)).not.toMatch(/secret/);
  });
});

describe('circuit breaker rules', () => {
  it.each([
    { config: {}, expected: undefined },
    { config: { cooldown_interval: 60_000 }, expected: undefined },
    {
      config: { failure_threshold: 3 },
      expected: { failureThreshold: 3, minimumRequests: 5, cooldownMs: 30_000 },
    },
    {
      config: { failure_threshold_percentage: 20, minimum_requests: 10, cooldown_interval: 60_000 },
      expected: { failureThresholdPercentage: 20, minimumRequests: 10, cooldownMs: 60_000 },
    },
  ])('cb_config $config → $expected', ({ config, expected }) => {
    expect(breakerRuleOf(config)).toEqual(expected);
  });

  it.each([
    { config: {}, outcome: { ok: true }, expected: 'success' },
    { config: {}, outcome: { ok: false, status: 500 }, expected: 'failure' },
    { config: {}, outcome: { ok: false, status: 499 }, expected: undefined },
    { config: {}, outcome: { ok: false, status: 408 }, expected: 'failure' },
    { config: {}, outcome: { ok: false, status: 429 }, expected: undefined },
    { config: { failure_status_codes: [500] }, outcome: { ok: false, status: 408 }, expected: undefined },
    { config: { failure_status_codes: [429] }, outcome: { ok: false, status: 429 }, expected: 'failure' },
    { config: { failure_status_codes: [429] }, outcome: { ok: false, status: 500 }, expected: undefined },
  ])('$config, $outcome → $expected', ({ config, outcome, expected }) => {
    expect(breakerVerdict(config, outcome)).toBe(expected);
  });

  it('does not break targets below a conditional group unless a group in between sets its own cb_config', () => {
    const config = cb();
    const plan = planOf(
      group({
        mode: 'conditional',
        default: 'a',
        inherited_cb_config: config,
        targets: [
          group({
            name: 'a',
            mode: 'fallback',
            inherited_cb_config: config,
            targets: [leaf({ cb_config: config })],
          }),
          group({ name: 'b', mode: 'fallback', cb_config: config, targets: [leaf({ cb_config: config })] }),
        ],
      }),
    );
    expect(planBreakersOf(plan)?.keys).toEqual(['test-config:config.targets[1].targets[0]']);
  });

  it('watches leaves of fallback and loadbalance groups (inherited config), never of conditional ones', () => {
    const plan = planOf(
      group({
        mode: 'fallback',
        cb_config: cb(),
        targets: [
          leaf(),
          group({ mode: 'conditional', default: 'x', targets: [leaf({ name: 'x', cb_config: cb() })] }),
          group({ mode: 'loadbalance', inherited_cb_config: cb(), targets: [leaf({ cb_config: cb() })] }),
        ],
      }),
      { configId: 'cfg-9' },
    );
    expect(planBreakersOf(plan)?.keys).toEqual([
      'cfg-9:config.targets[0]',
      'cfg-9:config.targets[2].targets[0]',
    ]);
  });
});

describe('circuit breaking in runPlan', () => {
  const fallback = (config: CircuitBreakerConfig = cb()) =>
    planOf(group({ mode: 'fallback', cb_config: config, targets: [leaf(), leaf()] }), { configId: 'cfg-1' });

  it('opens after failure_threshold failures, skips the target while open, closes after the cooldown', async () => {
    const { clock, request } = harness(fallback());
    const failingA: Script = { 'config.targets[0]': { status: 500 }, 'config.targets[1]': { ok: 'B' } };

    const first = await request(failingA);
    expect(first.events.some((event) => event.type === 'breaker-open')).toBe(false);

    const second = await request(failingA);
    expect(second.events.filter((event) => event.type.startsWith('breaker'))).toEqual([
      {
        type: 'breaker-open',
        atMs: 0,
        path: 'config.targets[0]',
        key: 'cfg-1:config.targets[0]',
        untilMs: 30_000,
      },
    ]);

    await clock.advance(10_000);
    const whileOpen = await request(failingA);
    expect(summary(whileOpen).trace).toEqual([
      '[0] skipped (breaker-open until 30000)',
      '[1]#0 t=0 200 answered → return',
    ]);
    expect(whileOpen.calls.map((call) => call.path)).toEqual(['config.targets[1]']);

    await clock.advance(20_000);
    const afterCooldown = await request({ 'config.targets[0]': { ok: 'A again' } });
    expect(afterCooldown.events.filter((event) => event.type.startsWith('breaker'))).toEqual([
      {
        type: 'breaker-half-open',
        atMs: 30_000,
        path: 'config.targets[0]',
        key: 'cfg-1:config.targets[0]',
        probeUntilMs: 60_000,
      },
      { type: 'breaker-close', atMs: 30_000, path: 'config.targets[0]', key: 'cfg-1:config.targets[0]' },
    ]);
    expect(summary(afterCooldown).path).toBe('[0]');
  });

  it('after the cooldown lets one request probe while the others skip the target; a failed probe reopens it at once', async () => {
    const { clock, request } = harness(fallback(cb({ failure_threshold: 1 })));
    await request({ 'config.targets[0]': { status: 500 }, 'config.targets[1]': { ok: 'B' } });
    await clock.advance(30_000);
    // The probe's answer is slow: the other requests start while it is under way.
    const slowFailure: Script = {
      'config.targets[0]': { status: 503, latencyMs: 1_000 },
      'config.targets[1]': { ok: 'B' },
    };
    const [probe, ...others] = await Promise.all([
      request(slowFailure),
      request(slowFailure),
      request(slowFailure),
    ]);
    expect(probe?.calls.map((call) => call.path)).toEqual(['config.targets[0]', 'config.targets[1]']);
    for (const other of others) {
      expect(summary(other!).trace).toEqual([
        '[0] skipped (breaker-open until 60000)',
        '[1]#0 t=0 200 answered → return',
      ]);
    }
    expect(probe?.events.filter((event) => event.type === 'breaker-open')).toEqual([
      {
        type: 'breaker-open',
        atMs: 31_000,
        path: 'config.targets[0]',
        key: expect.any(String),
        untilMs: 61_000,
      },
    ]);
    const next = await request(slowFailure);
    expect(summary(next).trace[0]).toBe('[0] skipped (breaker-open until 61000)');
  });

  it('gives the probe back when its request never tries the target, so the next request probes', async () => {
    const plan = planOf(
      group({ mode: 'loadbalance', cb_config: cb({ failure_threshold: 1 }), targets: [leaf(), leaf()] }),
      { configId: 'cfg-lb' },
    );
    const store = createMemoryBreakerStore();
    const rule = { failureThreshold: 1, minimumRequests: 5, cooldownMs: 30_000 };
    await store.record('cfg-lb:config.targets[0]', { failed: true, nowMs: 0, rule });
    // random 0.9 draws the second target: the probe of the first one is not used.
    const unused = await runScenario({
      plan,
      script: { 'config.targets[1]': { ok: 'B' } },
      ports: { breakers: store, now: () => 30_000, random: () => 0.9 },
    });
    expect(unused.calls.map((call) => call.path)).toEqual(['config.targets[1]']);
    const [reading] = await store.read(['cfg-lb:config.targets[0]'], 30_001);
    expect([reading?.open, reading?.probe]).toEqual([false, true]);
  });

  it('counts one failure per request, after the target’s own retries', async () => {
    const plan = planOf(
      group({ mode: 'fallback', cb_config: cb(), targets: [leaf({ retry: { attempts: 3 } }), leaf()] }),
    );
    const { request } = harness(plan);
    const run = await request({ 'config.targets[0]': { status: 500 }, 'config.targets[1]': { ok: 'B' } });
    expect(run.calls.filter((call) => call.path === 'config.targets[0]')).toHaveLength(4);
    expect(run.events.some((event) => event.type === 'breaker-open')).toBe(false);
  });

  it('opens on the failure share once minimum_requests is reached', async () => {
    const config = { failure_threshold_percentage: 50, minimum_requests: 4, cooldown_interval: 30_000 };
    const { request } = harness(fallback(config));
    const answers: ScriptStep<string>[] = [{ ok: 'a' }, { status: 502 }, { ok: 'a' }, { status: 502 }];
    const opened: boolean[] = [];
    for (const answer of answers) {
      const run = await request({ 'config.targets[0]': answer, 'config.targets[1]': { ok: 'B' } });
      opened.push(run.events.some((event) => event.type === 'breaker-open'));
    }
    expect(opened).toEqual([false, false, false, true]);
  });

  it('ignores statuses outside failure_status_codes', async () => {
    const { request } = harness(fallback(cb({ failure_threshold: 1, failure_status_codes: [429] })));
    const run = await request({ 'config.targets[0]': { status: 500 }, 'config.targets[1]': { ok: 'B' } });
    expect(run.events.some((event) => event.type === 'breaker-open')).toBe(false);
    const limited = await request({ 'config.targets[0]': { status: 429 }, 'config.targets[1]': { ok: 'B' } });
    expect(limited.events.some((event) => event.type === 'breaker-open')).toBe(true);
  });

  it('never counts an attempt the caller refused before calling the target (a limit of its key)', async () => {
    const { request } = harness(fallback(cb({ failure_threshold: 1, failure_status_codes: [429] })));
    const refused = await request({
      'config.targets[0]': { status: 429, notSent: true },
      'config.targets[1]': { ok: 'B' },
    });
    expect(refused.result.path).toBe('config.targets[1]');
    expect(refused.events.some((event) => event.type === 'breaker-open')).toBe(false);
  });

  it('never counts a failure marked internalError (the caller’s own defect), while the target’s own 500 counts', async () => {
    const { request } = harness(fallback(cb({ failure_threshold: 1 })));
    const defect = await request({
      'config.targets[0]': { status: 500, internalError: true },
      'config.targets[1]': { ok: 'B' },
    });
    expect(defect.result.path).toBe('config.targets[1]');
    expect(defect.events.some((event) => event.type === 'breaker-open')).toBe(false);
    const own = await request({ 'config.targets[0]': { status: 500 }, 'config.targets[1]': { ok: 'B' } });
    expect(own.events.filter((event) => event.type === 'breaker-open')).toMatchObject([
      { path: 'config.targets[0]' },
    ]);
  });

  it.each([
    { onAllOpen: undefined, name: 'every target open, default (hosted): tried anyway' },
    { onAllOpen: 'try' as const, name: 'every target open, on_all_open "try": tried anyway' },
  ])('$name', async ({ onAllOpen }) => {
    const config = cb({
      failure_threshold: 1,
      ...(onAllOpen === undefined ? {} : { on_all_open: onAllOpen }),
    });
    const { request } = harness(fallback(config));
    const bothFail: Script = { 'config.targets[0]': { status: 500 }, 'config.targets[1]': { status: 503 } };
    const opening = await request(bothFail);
    expect(opening.events.filter((event) => event.type === 'breaker-open')).toHaveLength(2);
    const allOpen = await request({ 'config.targets[0]': { ok: 'A' } });
    expect(summary(allOpen)).toEqual({
      status: 200,
      path: '[0]',
      retryCount: 0,
      elapsedMs: 0,
      trace: ['[0]#0 t=0 200 answered → return'],
    });
  });

  it('every target open, on_all_open "fail_fast": 503 PK_ERR_CIRCUIT_OPEN with Retry-After, nothing called', async () => {
    const { clock, request } = harness(fallback(cb({ failure_threshold: 1, on_all_open: 'fail_fast' })));
    await request({ 'config.targets[0]': { status: 500 } });
    await clock.advance(5_000);
    await request({ 'config.targets[1]': { status: 500 } });
    await clock.advance(1_000);
    const run = await request({});
    expect(run.calls).toEqual([]);
    expect(run.result.outcome).toMatchObject({ ok: false, status: 503, retryAfterMs: 24_000 });
    const error = (run.result.outcome as { error: PkError }).error;
    expect(error.code).toBe('PK_ERR_CIRCUIT_OPEN');
    expect(run.result.path).toBe('config');
  });

  it('loadbalance leaves an open target out of the draw', async () => {
    const plan = planOf(
      group({ mode: 'loadbalance', cb_config: cb({ failure_threshold: 1 }), targets: [leaf(), leaf()] }),
    );
    const store = createMemoryBreakerStore();
    await store.record('test-config:config.targets[0]', {
      failed: true,
      nowMs: 0,
      rule: { failureThreshold: 1, minimumRequests: 5, cooldownMs: 30_000 },
    });
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const run = await runScenario({
        plan,
        seed,
        script: { 'config.targets[1]': { ok: 'B' } },
        ports: { breakers: store },
      });
      expect(run.calls.map((call) => call.path)).toEqual(['config.targets[1]']);
      expect(summary(run).trace[0]).toBe('[0] skipped (breaker-open until 30000)');
    }
  });

  it('is not applied in conditional mode', async () => {
    const plan = planOf(
      group({
        mode: 'conditional',
        default: 'only',
        cb_config: cb({ failure_threshold: 1 }),
        targets: [leaf({ name: 'only' })],
      }),
    );
    const { request } = harness(plan);
    await request({ 'config.targets[0]': { status: 500 } });
    const run = await request({ 'config.targets[0]': { status: 500 } });
    expect(run.calls).toHaveLength(1);
    expect(run.events.some((event) => event.type.startsWith('breaker'))).toBe(false);
  });

  it('keys breakers by config id: another config does not share them', async () => {
    const store = createMemoryBreakerStore();
    const config = cb({ failure_threshold: 1 });
    const planA = planOf(group({ mode: 'fallback', cb_config: config, targets: [leaf(), leaf()] }), {
      configId: 'A',
    });
    const planB = planOf(group({ mode: 'fallback', cb_config: config, targets: [leaf(), leaf()] }), {
      configId: 'B',
    });
    await runScenario({
      plan: planA,
      script: { 'config.targets[0]': { status: 500 } },
      ports: { breakers: store },
    });
    const other = await runScenario({
      plan: planB,
      script: { 'config.targets[0]': { ok: 'B0' } },
      ports: { breakers: store },
    });
    expect(other.calls.map((call) => call.path)).toEqual(['config.targets[0]']);
  });

  it('a failing breaker store reads as all closed and never fails the request', async () => {
    const broken: BreakerStore = {
      read: () => Promise.reject(new Error('redis down')),
      record: () => Promise.reject(new Error('redis down')),
      releaseProbe: () => Promise.reject(new Error('redis down')),
    };
    const run = await runScenario({
      plan: fallback(cb({ failure_threshold: 1 })),
      script: { 'config.targets[0]': { status: 500 }, 'config.targets[1]': { ok: 'B' } },
      ports: { breakers: broken },
    });
    expect(summary(run).path).toBe('[1]');
  });
});
