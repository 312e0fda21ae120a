import { PkError, type PlanLeaf, type TraceEntry } from '@pk/config';
import { createPriceTable } from '@pk/prices';
import type { FastifyReply } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { RequestLogFields } from '../plugins/request-log.js';
import { AttemptRecorder } from './attempt-recorder.js';
import { recordPartialUsageAndCost, recordUsageAndCost, usageFieldsOf } from './request-cost.js';
import { recordFirstByte, recordPlanFacts, recordSoleTarget, retryWaitOf } from './request-facts.js';

const leaf = (path: string, provider: string, virtualKey?: string): PlanLeaf =>
  ({
    kind: 'leaf',
    path,
    target: { provider, ...(virtualKey ? { virtual_key: virtualKey } : {}) },
    override_params: {},
    retry: { attempts: 0, on_status_codes: [] },
  }) as unknown as PlanLeaf;

const attempt = (path: string, index: number, status: number, startMs: number, latencyMs: number) =>
  ({
    kind: 'attempt',
    path,
    attempt: index,
    ok: status < 400,
    status,
    origin: 'upstream',
    startMs,
    latencyMs,
    cache: 'DISABLED',
    reason: status < 400 ? 'answered' : 'retry',
    next: 'return',
  }) as TraceEntry;

describe('AttemptRecorder', () => {
  it('joins the trace with each call’s provider and error code (retries and fallbacks one entry each)', async () => {
    const recorder = new AttemptRecorder();
    const outcomes = [
      { ok: false as const, status: 503, error: new PkError('PK_ERR_UPSTREAM_UNAVAILABLE', 'down') },
      { ok: false as const, status: 503, error: new PkError('PK_ERR_UPSTREAM_UNAVAILABLE', 'down') },
      { ok: true as const, status: 200, value: 'answer' },
    ];
    let call = 0;
    const wrapped = recorder.wrap(async () => outcomes[call++] as never);
    const first = leaf('config.targets[0]', 'openai');
    const second = leaf('config.targets[1]', 'anthropic', 'vk-anthropic');
    await wrapped(first, {}, {} as never);
    await wrapped(first, {}, {} as never);
    await wrapped(second, {}, {} as never);
    const trace = [
      attempt('config.targets[0]', 0, 503, 0, 10),
      attempt('config.targets[0]', 1, 503, 15, 12),
      attempt('config.targets[1]', 0, 200, 30, 40),
    ];
    expect(recorder.attemptLogOf(trace, 1_000)).toEqual([
      {
        targetPath: 'config.targets[0]',
        provider: 'openai',
        startedAt: 1_000,
        status: 503,
        latencyMs: 10,
        errorCode: 'PK_ERR_UPSTREAM_UNAVAILABLE',
      },
      {
        targetPath: 'config.targets[0]',
        provider: 'openai',
        startedAt: 1_015,
        status: 503,
        latencyMs: 12,
        errorCode: 'PK_ERR_UPSTREAM_UNAVAILABLE',
      },
      {
        targetPath: 'config.targets[1]',
        provider: 'anthropic',
        startedAt: 1_030,
        status: 200,
        latencyMs: 40,
      },
    ]);
    expect(recorder.virtualKeyOf('config.targets[1]')).toBe('vk-anthropic');
  });

  it('marks an attempt refused before the provider port as notSent: no call, no provider time', async () => {
    const recorder = new AttemptRecorder();
    const provider = recorder.wrapSent(async () => ({ ok: true as const, status: 200, value: 'answer' }));
    // A layer between the two (a limit of the target's key) refuses the first call itself.
    let refuse = true;
    const wrapped = recorder.wrap(async (target, request, options) => {
      if (!refuse) return provider(target, request, options);
      refuse = false;
      return { ok: false as const, status: 429, error: new PkError('PK_ERR_RATE_LIMITED', 'limit') };
    });
    const target = leaf('config', 'openai');
    await wrapped(target, {}, {} as never);
    await wrapped(target, {}, {} as never);
    const trace = [
      { ...attempt('config', 0, 429, 0, 30), next: 'retry' } as TraceEntry,
      attempt('config', 1, 200, 40, 20),
    ];
    const log: RequestLogFields = {};
    recordPlanFacts(log, recorder, trace, 1_000, 'config');
    expect(log.attemptLog).toEqual([
      expect.objectContaining({ status: 429, errorCode: 'PK_ERR_RATE_LIMITED', notSent: true }),
      expect.not.objectContaining({ notSent: true }),
    ]);
    expect(log.attempts).toBe(1);
    expect(log.retryWaitMs).toBe(10);
    recordFirstByte(log, { elapsedTime: 100 } as FastifyReply);
    // Only the call sent is time spent on providers (20 ms): the refusal's 30 ms are the gateway's.
    expect(log.overheadMs).toBe(70);
  });

  it('names the engine’s own failures by their origin (a timed-out attempt)', () => {
    const recorder = new AttemptRecorder();
    const timedOut = { ...attempt('config', 0, 408, 0, 100), origin: 'timeout' } as TraceEntry;
    expect(recorder.attemptLogOf([timedOut], 0)[0]?.errorCode).toBe('PK_ERR_TIMEOUT');
  });
});

const prices = createPriceTable();

describe('the model of a request’s record', () => {
  const overriding = (path: string, model: string): PlanLeaf =>
    ({ ...leaf(path, 'openai'), override_params: { model, temperature: 0 } }) as PlanLeaf;

  it('is the override_params.model of the target that answered, else the body’s as it was', async () => {
    const recorder = new AttemptRecorder();
    const wrapped = recorder.wrap(async () => ({ ok: true as const, status: 200, value: 'answer' }) as never);
    await wrapped(overriding('config.targets[0]', 'gpt-4o'), {}, {} as never);
    await wrapped(leaf('config.targets[1]', 'openai'), {}, {} as never);
    const answered: RequestLogFields = { model: 'gpt-4o-mini' };
    recordPlanFacts(answered, recorder, [], 0, 'config.targets[0]');
    expect(answered.model).toBe('gpt-4o');
    const plain: RequestLogFields = { model: 'gpt-4o-mini' };
    recordPlanFacts(plain, recorder, [], 0, 'config.targets[1]');
    expect(plain.model).toBe('gpt-4o-mini');
  });

  it('is the last tried target’s for a request cut before an answer (its target path)', async () => {
    const recorder = new AttemptRecorder();
    const wrapped = recorder.wrap(async () => ({ ok: true as const, status: 200, value: 'answer' }) as never);
    await wrapped(overriding('config.targets[1]', 'claude-sonnet-4'), {}, {} as never);
    const cut: RequestLogFields = { model: 'gpt-4o-mini', targetPath: 'config.targets[1]' };
    recordPlanFacts(cut, recorder, [], 0, undefined);
    expect(cut.model).toBe('claude-sonnet-4');
  });

  it('is the sole target’s override for a request refused before routing', () => {
    const refused: RequestLogFields = { model: 'gpt-4o-mini' };
    recordSoleTarget(refused, overriding('config', 'gpt-4o'));
    expect(refused).toMatchObject({ model: 'gpt-4o', provider: 'openai' });
  });
});

describe('usage and cost', () => {
  it('flattens cached, cache-write and reasoning tokens', () => {
    expect(
      usageFieldsOf({
        prompt_tokens: 1110,
        completion_tokens: 50,
        total_tokens: 1160,
        prompt_tokens_details: { cached_tokens: 100 },
        completion_tokens_details: { reasoning_tokens: 20 },
        cache_creation_input_tokens: 1000,
      }),
    ).toEqual({
      prompt_tokens: 1110,
      completion_tokens: 50,
      total_tokens: 1160,
      cached_tokens: 100,
      cache_write_tokens: 1000,
      reasoning_tokens: 20,
    });
  });

  it('reads cache reads and writes under the names @pk/prices prices them by (DeepSeek’s, OpenRouter’s)', () => {
    // DeepSeek passed through: its cache hits are `prompt_cache_hit_tokens`.
    expect(
      usageFieldsOf({
        prompt_tokens: 1000,
        completion_tokens: 10,
        total_tokens: 1010,
        prompt_cache_hit_tokens: 800,
      }),
    ).toMatchObject({ cached_tokens: 800 });
    // OpenRouter: writes are `prompt_tokens_details.cache_write_tokens`.
    expect(
      usageFieldsOf({
        prompt_tokens: 1000,
        completion_tokens: 10,
        prompt_tokens_details: { cached_tokens: 300, cache_write_tokens: 500 },
      }),
    ).toMatchObject({ cached_tokens: 300, cache_write_tokens: 500 });
  });

  it('prices a known model in USD and never gives 0 for an unknown one', () => {
    const priced: RequestLogFields = { provider: 'openai', model: 'gpt-4o' };
    recordUsageAndCost(
      priced,
      { prompt_tokens: 1_000_000, completion_tokens: 0 },
      { cacheHit: false, prices },
    );
    expect(priced.costStatus).toBe('priced');
    // gpt-4o input is a few dollars per 1M tokens (a per-token price read as per-1M would be millions).
    expect(priced.cost).toBeGreaterThan(0.5);
    expect(priced.cost).toBeLessThan(20);
    const unknown: RequestLogFields = { provider: 'openai', model: 'no-such-model-xyz' };
    recordUsageAndCost(unknown, { prompt_tokens: 10, completion_tokens: 5 }, { cacheHit: false, prices });
    expect(unknown).toMatchObject({ cost: null, costStatus: 'unknown_price' });
  });

  it('a stream’s usage before its break: recorded and priced as partial_usage, unknown_price for an unpriced model', () => {
    const cut: RequestLogFields = { provider: 'openai', model: 'gpt-4o', stream: true };
    recordPartialUsageAndCost(cut, { prompt_tokens: 1_000_000, completion_tokens: 0 }, { prices });
    expect(cut).toMatchObject({
      usage: { prompt_tokens: 1_000_000, completion_tokens: 0, total_tokens: 1_000_000 },
      usagePartial: true,
      costStatus: 'partial_usage',
    });
    expect(cut.cost).toBeGreaterThan(0.5);
    const unknown: RequestLogFields = { provider: 'openai', model: 'no-such-model-xyz', stream: true };
    recordPartialUsageAndCost(unknown, { prompt_tokens: 10 }, { prices });
    expect(unknown).toMatchObject({ usagePartial: true, cost: null, costStatus: 'unknown_price' });
  });

  it('the settings’ prices: override a model, or price one the table does not know', () => {
    const overridden = createPriceTable({
      overrides: {
        openai: { 'gpt-4o': { input: 1, output: 2 } },
        '*': { 'pk-house-model': { input: 10, output: 10 } },
      },
    });
    const known: RequestLogFields = { provider: 'openai', model: 'gpt-4o' };
    recordUsageAndCost(
      known,
      { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 },
      { cacheHit: false, prices: overridden },
    );
    expect(known).toMatchObject({ cost: 3, costStatus: 'priced' });
    const house: RequestLogFields = { provider: 'ollama', model: 'pk-house-model' };
    recordUsageAndCost(
      house,
      { prompt_tokens: 100_000, completion_tokens: 0 },
      { cacheHit: false, prices: overridden },
    );
    expect(house).toMatchObject({ cost: 1, costStatus: 'priced' });
  });
});

describe('overhead_ms', () => {
  const retried = (entry: TraceEntry): TraceEntry => ({ ...entry, next: 'retry' }) as TraceEntry;
  // A 503 (10 ms), a 500 ms back-off, its retry's 503 (12 ms), a 250 ms back-off, then a 200 (40 ms);
  // a fallback to another target in between waits for nothing.
  const trace = [
    retried(attempt('config.targets[0]', 0, 503, 0, 10)),
    retried(attempt('config.targets[0]', 1, 503, 510, 12)),
    attempt('config.targets[0]', 2, 503, 772, 8),
    attempt('config.targets[1]', 0, 200, 781, 40),
  ];

  it('counts the waits before retries, from each retried attempt’s end to its retry’s start', () => {
    expect(retryWaitOf(trace)).toBe(750);
    expect(retryWaitOf([attempt('config', 0, 200, 0.2, 30)])).toBe(0);
  });

  it('is the time to first byte minus the time in providers and the back-off, not the back-off too', () => {
    const log: RequestLogFields = {};
    recordPlanFacts(log, new AttemptRecorder(), trace, 1_000, 'config.targets[1]');
    recordFirstByte(log, { elapsedTime: 823 } as never);
    expect(log.retryWaitMs).toBe(750);
    expect(log.firstByteMs).toBe(823);
    // 823 − (10 + 12 + 8 + 40) in providers − 750 waiting = 3 ms of the gateway's own.
    expect(log.overheadMs).toBe(3);
  });
});
