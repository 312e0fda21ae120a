import { PkError, type PlanLeaf } from '@pk/config';
import { leaf } from '@pk/config/testing';
import type { ProviderAnswer, ProviderRequest } from '@pk/providers';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { failedCalls as unknownOutcomes } from './__fixtures__/failed-calls.js';
import { AttemptLimits } from './attempt-limits.js';
import { tokenBoundOf } from './estimate.js';
import { leafBoundsOf } from './leaf-bounds.js';
import { compileLimits, type LimitSubject } from './limit-model.js';
import { createLimiter } from './limiter.js';
import { createMemoryLimitStore } from './memory-limit-store.js';
import type { LimitState, RequestLimits } from './request-limits.js';

// AttemptLimits over the real limiter and memory store: a target's key is admitted only when that
// target is called, a refusal is a `notSent` failure, a failed call gives its holds back, and the cap
// goes under the field the target's provider takes.

const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const request: ProviderRequest = { endpoint: 'chat.completions', body };
const answer = { ok: true as const, value: { kind: 'json' } as unknown as ProviderAnswer };

const target = (path: string, provider: string, model?: string): PlanLeaf => ({
  ...leaf({ provider }),
  path,
  ...(model === undefined ? {} : { override_params: { model } }),
});

const vk = (slug: string, limits: Parameters<typeof compileLimits>): LimitSubject => ({
  key: `vk:${slug}`,
  kind: 'virtual_key',
  label: slug,
  limits: compileLimits(...limits) as NonNullable<ReturnType<typeof compileLimits>>,
});

function setUp(options: {
  subjects: Record<string, LimitSubject>;
  capEveryAttempt?: boolean;
  costBound?: RequestLimits['costBound'];
  body?: Record<string, unknown>;
}) {
  const store = createMemoryLimitStore();
  const limiter = createLimiter({
    store,
    local: store,
    replicas: 1,
    holdTtlMs: 60_000,
    onStoreFailure: () => {},
    onAlert: () => {},
  });
  const limits: RequestLimits = {
    limiter,
    metadataRules: [],
    defaultMaxTokens: 4096,
    costBound: options.costBound ?? (() => null),
  };
  const state: LimitState = {
    reservation: undefined,
    promptTokens: 100,
    reservedTokens: 0,
    reservedCostMicros: 0,
    streamedTextBytes: 0,
    answered: [],
    refusal: undefined,
    refusedAttempts: 0,
    capWarnings: [],
    rooms: [],
    subjects: [],
    budgetUsed: {},
    degraded: false,
  };
  const headers: Record<string, string> = {};
  const reply = {
    header: (name: string, value: string) => {
      headers[name] = value;
    },
    headers: (values: Record<string, string>) => Object.assign(headers, values),
  } as unknown as FastifyReply;
  const fastifyRequest = { logFields: {}, limitState: state } as unknown as FastifyRequest;
  const attemptLimits = new AttemptLimits({
    limits,
    state,
    request: fastifyRequest,
    reply,
    endpoint: 'chat.completions',
    body: options.body ?? body,
    bounds: leafBoundsOf('chat.completions', options.body ?? body, 100, 4096),
    capEveryAttempt: options.capEveryAttempt ?? false,
    targetSubjects: new Map(Object.entries(options.subjects)),
  });
  return { store, state, headers, fastifyRequest, reply, attemptLimits };
}

const signalOptions = { signal: new AbortController().signal, attempt: 0 };

describe('a virtual key’s limits per attempt', () => {
  it('a target without a limited key is called as it is: nothing admitted, nothing added', async () => {
    const { attemptLimits, state } = setUp({ subjects: {} });
    const inner = vi.fn(async () => answer);
    const limited = attemptLimits.wrap(inner);
    await limited(target('config.targets[1]', 'openai'), request, signalOptions);
    expect(inner).toHaveBeenCalledWith(target('config.targets[1]', 'openai'), request, signalOptions);
    expect(state.subjects).toEqual([]);
  });

  it('a key that refuses: a notSent failure with the limit’s status and error, the target never called', async () => {
    const tiny = vk('tiny', [undefined, { credit_limit: 100, type: 'tokens' }]);
    const { attemptLimits, state, headers, fastifyRequest, reply } = setUp({
      subjects: { 'config.targets[0]': tiny },
    });
    const inner = vi.fn(async () => answer);
    const outcome = await attemptLimits.wrap(inner)(
      target('config.targets[0]', 'openai'),
      request,
      signalOptions,
    );
    expect(inner).not.toHaveBeenCalled();
    expect(outcome).toMatchObject({ ok: false, status: 412, notSent: true });
    const error = (outcome as { error: PkError }).error;
    expect(error).toBeInstanceOf(PkError);
    expect(error.code).toBe('PK_ERR_BUDGET_EXCEEDED');
    expect(state.refusedAttempts).toBe(1);
    // Nothing was sent, so no cap is reported.
    expect(state.capWarnings).toEqual([]);
    AttemptLimits.answerRefusal(fastifyRequest, reply, error);
    expect(headers['retry-after']).toBeUndefined();
    expect(fastifyRequest.logFields.limits).toMatchObject({ refusedBy: 'vk:tiny', reason: 'budget' });
  });

  it('a call that failed gives the key’s token holds back at once and counts as a request', async () => {
    const budget = vk('budget', [undefined, { credit_limit: 100_000, type: 'tokens' }]);
    const { attemptLimits, store, state } = setUp({ subjects: { 'config.targets[0]': budget } });
    const failed = { ok: false as const, status: 500, error: new Error('upstream') as never };
    await attemptLimits.wrap(async () => failed)(
      target('config.targets[0]', 'openai'),
      request,
      signalOptions,
    );
    await vi.waitFor(async () =>
      expect(await store.read('vk:budget', 'all', Date.now())).toMatchObject({
        held: 0,
        requests: 1,
        tokens: 0,
      }),
    );
    expect(state.answered).toEqual([]);
  });

  it.each([
    ['cut by request_timeout', unknownOutcomes.timeout],
    ['cut by the client hanging up', unknownOutcomes.hangUp],
    ['reset after it was sent', unknownOutcomes.reset],
  ])('a call %s is charged its whole hold: the provider may bill the work', async (_case, error) => {
    const budget = vk('budget', [undefined, { credit_limit: 100_000, type: 'tokens' }]);
    const { attemptLimits, store, state } = setUp({ subjects: { 'config.targets[0]': budget } });
    const bound = tokenBoundOf('chat.completions', body, 100, 4096);
    const failed = { ok: false as const, status: error.status, error };
    await attemptLimits.wrap(async () => failed)(
      target('config.targets[0]', 'openai'),
      request,
      signalOptions,
    );
    await vi.waitFor(async () =>
      expect(await store.read('vk:budget', 'all', Date.now())).toMatchObject({
        held: 0,
        requests: 1,
        tokens: bound.promptTokens + bound.completionTokens,
      }),
    );
    expect(state.answered).toEqual([]);
  });

  it('a provider that could not be reached bills nothing: its hold comes back', async () => {
    const budget = vk('budget', [undefined, { credit_limit: 100_000, type: 'tokens' }]);
    const { attemptLimits, store } = setUp({ subjects: { 'config.targets[0]': budget } });
    const error = unknownOutcomes.unreachable;
    await attemptLimits.wrap(async () => ({ ok: false as const, status: 502, error }))(
      target('config.targets[0]', 'openai'),
      request,
      signalOptions,
    );
    await vi.waitFor(async () =>
      expect(await store.read('vk:budget', 'all', Date.now())).toMatchObject({ held: 0, tokens: 0 }),
    );
  });

  it('an answer keeps its hold until the request ends; room headers are the tightest window', async () => {
    const rate = vk('rate', [[{ type: 'requests', unit: 'rpm', value: 5 }], undefined]);
    const { attemptLimits, state, headers } = setUp({ subjects: { 'config.targets[0]': rate } });
    await attemptLimits.wrap(async () => answer)(
      target('config.targets[0]', 'openai'),
      request,
      signalOptions,
    );
    expect(state.answered.map((hold) => hold.path)).toEqual(['config.targets[0]']);
    expect(state.subjects).toEqual(['vk:rate']);
    expect(headers).toMatchObject({
      'x-pk-ratelimit-limit-requests': '5',
      'x-pk-ratelimit-remaining-requests': '4',
    });
  });

  it.each([
    ['openai', 'max_completion_tokens'],
    ['together-ai', 'max_tokens'],
  ])('the cap a token budget needs goes to %s as %s, and the client is told', async (provider, field) => {
    const budget = vk('budget', [undefined, { credit_limit: 100_000, type: 'tokens' }]);
    const { attemptLimits, state } = setUp({ subjects: { 'config.targets[0]': budget } });
    const inner = vi.fn(async (_leaf: PlanLeaf, _sent: ProviderRequest) => answer);
    await attemptLimits.wrap(inner)(target('config.targets[0]', provider), request, signalOptions);
    const sent = inner.mock.calls[0]?.[1];
    expect(sent?.body).toMatchObject({ [field]: 4096 });
    expect(Object.keys(sent?.body ?? {}).filter((key) => key.startsWith('max_'))).toEqual([field]);
    expect(state.capWarnings).toEqual([
      `${field}: 4096 was added (a token limit or budget applies and the request set no completion cap; PK_LIMITS_DEFAULT_MAX_TOKENS)`,
    ]);
  });

  it('a cost budget holds the price of the attempt’s own target, not the dearest of the plan', async () => {
    const dollars = vk('dollars', [undefined, { credit_limit: 1 }]);
    const costBound = vi.fn((_provider: string, model: string) => (model === 'cheap' ? 0.001 : 0.5));
    const { attemptLimits, store } = setUp({ subjects: { 'config.targets[1]': dollars }, costBound });
    await attemptLimits.wrap(async () => answer)(
      target('config.targets[1]', 'openai', 'cheap'),
      request,
      signalOptions,
    );
    // The prompt bound of "hi" (22) and the default cap.
    expect(costBound).toHaveBeenCalledWith('openai', 'cheap', 22, 4096);
    expect(await store.read('vk:dollars', 'all', Date.now())).toMatchObject({ held: 1000 });
  });

  it('an image part holds what the model the target calls bills, not the body’s model', async () => {
    const vision = {
      model: 'gpt-4o',
      max_tokens: 10,
      messages: [
        {
          role: 'user',
          content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }],
        },
      ],
    };
    const budget = vk('vision', [undefined, { credit_limit: 1_000_000, type: 'tokens' }]);
    const { attemptLimits, store } = setUp({ subjects: { 'config.targets[0]': budget }, body: vision });
    await attemptLimits.wrap(async () => answer)(
      target('config.targets[0]', 'openai', 'gpt-4o-mini'),
      { endpoint: 'chat.completions', body: vision },
      signalOptions,
    );
    // gpt-4o-mini bills an image up to 48,169 tokens; gpt-4o, the body's model, 1,600 at most.
    const { held } = await store.read('vk:vision', 'all', Date.now());
    expect(held).toBeGreaterThan(48_169);
    expect(held).toBe(
      leafBoundsOf('chat.completions', { ...vision, model: 'gpt-4o-mini' }, 0, 4096).base.promptTokens + 10,
    );
  });
});
