import { describe, expect, it, vi } from 'vitest';
import { maskSlug } from '../settings/mask-slug.js';
import { compileLimits, type LimitSubject } from './limit-model.js';
import type { LimitStore } from './limit-store.js';
import { budgetRefusal, createLimiter, refusalMessage } from './limiter.js';
import { createMemoryLimitStore } from './memory-limit-store.js';

const failing: LimitStore = {
  kind: 'redis',
  admit: async () => {
    throw new Error('Connection is closed.');
  },
  settle: async () => {
    throw new Error('Connection is closed.');
  },
  read: async () => {
    throw new Error('Connection is closed.');
  },
  resetUsage: async () => {
    throw new Error('Connection is closed.');
  },
  restoreUsage: async () => {
    throw new Error('Connection is closed.');
  },
  raiseUsage: async () => {
    throw new Error('Connection is closed.');
  },
  close: async () => {},
};

const subject = (
  key: string,
  limits: LimitSubject['limits'] | undefined,
  extra: Partial<LimitSubject> = {},
): LimitSubject => ({
  key,
  kind: 'virtual_key',
  label: key.slice(3),
  limits: limits as LimitSubject['limits'],
  ...extra,
});
const rpm = (value: number, onStoreFailure?: 'open' | 'closed') =>
  compileLimits(
    [
      {
        type: 'requests',
        unit: 'rpm',
        value,
        ...(onStoreFailure ? { on_store_failure: onStoreFailure } : {}),
      },
    ],
    undefined,
  );
const dollars = (credit: number) =>
  compileLimits(undefined, { credit_limit: credit, alert_threshold: credit / 2 });

/** A limiter on one process's memory store, as a single replica uses it. */
function memoryLimiter() {
  const store = createMemoryLimitStore();
  const limiter = createLimiter({
    store,
    local: store,
    replicas: 1,
    holdTtlMs: 60_000,
    onStoreFailure: () => {},
    onAlert: () => {},
  });
  return { store, limiter };
}

describe('limiter', () => {
  it('store down: open rate limits serve within limit ÷ replicas, marked degraded; the failure is reported', async () => {
    const onStoreFailure = vi.fn();
    const limiter = createLimiter({
      store: failing,
      local: createMemoryLimitStore(),
      replicas: 4,
      holdTtlMs: 60_000,
      onStoreFailure,
      onAlert: () => {},
    });
    const subjects = [subject('vk:open', rpm(10))];
    const answers = [];
    for (let index = 0; index < 3; index += 1)
      answers.push(await limiter.admit(subjects, { tokens: 0, costMicros: 0 }));
    // 10 ÷ 4 = 2 here.
    expect(answers.map((answer) => answer.ok)).toEqual([true, true, false]);
    expect(answers[0]).toMatchObject({ ok: true, degraded: true });
    expect(onStoreFailure).toHaveBeenCalled();
  });

  it('store down: a budget (closed by default) or a rate marked closed refuses as unavailable', async () => {
    const limiter = createLimiter({
      store: failing,
      local: createMemoryLimitStore(),
      replicas: 1,
      holdTtlMs: 60_000,
      onStoreFailure: () => {},
      onAlert: () => {},
    });
    expect(await limiter.admit([subject('vk:b', dollars(5))], { tokens: 0, costMicros: 0 })).toMatchObject({
      ok: false,
      reason: 'unavailable',
    });
    expect(
      await limiter.admit([subject('vk:c', rpm(5, 'closed'))], { tokens: 0, costMicros: 0 }),
    ).toMatchObject({
      ok: false,
      reason: 'unavailable',
    });
  });

  it('a request no provider answered gets its token and budget holds back, and still counts against request rates', async () => {
    const { store, limiter } = memoryLimiter();
    const key = subject('vk:key', dollars(1));
    const admitted = await limiter.admit([key], { tokens: 10, costMicros: 400_000 });
    expect(admitted.ok).toBe(true);
    if (!admitted.ok) return;
    await limiter.settle(admitted.reservation, { tokens: 0, costMicros: 0, counted: false });
    expect(await store.read('vk:key', 'all', Date.now())).toEqual({
      costMicros: 0,
      tokens: 0,
      requests: 0,
      held: 0,
      budgetRefused: false,
      unseeded: false,
    });
  });

  it('a rate limit of 0 refuses every request, saying so, with no Retry-After: waiting never helps', async () => {
    const { limiter } = memoryLimiter();
    const refusal = await limiter.admit([subject('vk:zero', rpm(0))], { tokens: 0, costMicros: 0 });
    expect(refusal).toMatchObject({
      ok: false,
      reason: 'rate',
      retryAfterMs: -1,
      message:
        'Portkey Virtual Key zero Rate Limit Exceeded: the rate limit of virtual key zero is 0 requests (rpm): it admits no request (raise the limit to use the key)',
    });
    const tokens = compileLimits([{ type: 'tokens', unit: 'rpm', value: 100 }], undefined);
    const tooLarge = await limiter.admit([subject('vk:t', tokens)], { tokens: 500, costMicros: 0 });
    expect(tooLarge).toMatchObject({ ok: false, retryAfterMs: -1 });
    expect((tooLarge as { message: string }).message).toContain('it is never admitted');
  });

  it('reports the alert threshold of a budget once', async () => {
    const store = createMemoryLimitStore();
    const onAlert = vi.fn();
    const limiter = createLimiter({
      store,
      local: store,
      replicas: 1,
      holdTtlMs: 60_000,
      onStoreFailure: () => {},
      onAlert,
    });
    const budget = subject('vk:alert', dollars(2));
    for (let index = 0; index < 3; index += 1) {
      const admitted = await limiter.admit([budget], { tokens: 1, costMicros: 500_000 });
      if (admitted.ok)
        await limiter.settle(admitted.reservation, { tokens: 1, costMicros: 500_000, counted: true });
    }
    expect(onAlert).toHaveBeenCalledTimes(1);
    expect(onAlert.mock.calls[0]?.[1]).toBe('all');
  });

  it('a budget whose counters the store lost is seeded once, then checked against the seeded usage', async () => {
    const memory = createMemoryLimitStore();
    const seeded = new Set<string>();
    // A shared store that lost its counters: it answers `unseeded` for a budget until seeded.
    const store: LimitStore = {
      ...memory,
      kind: 'redis',
      admit: async (holds, id, nowMs, ttlMs) => {
        const missing = holds.map((hold) => hold.budget?.seedIfMissing === true && !seeded.has(hold.subject));
        if (missing.some(Boolean))
          return holds.map((_, index) =>
            missing[index]
              ? { ok: false, kind: 'unseeded' }
              : { ok: true, buckets: [], windowsUsed: [], budgetUsed: 0 },
          );
        return memory.admit(holds, id, nowMs, ttlMs);
      },
    };
    const seed = vi.fn(async (subjects: readonly LimitSubject[]) => {
      for (const lost of subjects) {
        seeded.add(lost.key);
        // The data store says $4.5 of $5 were spent.
        await memory.restoreUsage(lost.key, 'all', {
          costMicros: 4_500_000,
          tokens: 0,
          requests: 9,
          refused: false,
          usageTtlMs: 0,
        });
      }
    });
    const limiter = createLimiter({
      store,
      local: createMemoryLimitStore(),
      replicas: 1,
      holdTtlMs: 60_000,
      onStoreFailure: () => {},
      onAlert: () => {},
      seed,
    });
    const key = subject('vk:lost', dollars(5));
    expect(await limiter.admit([key], { tokens: 1, costMicros: 400_000 })).toMatchObject({
      ok: true,
      degraded: false,
    });
    expect(seed).toHaveBeenCalledTimes(1);
    expect(seed.mock.calls[0]?.[0]).toEqual([key]);
    // $4.5 + $0.4 held: $0.2 more does not fit; counted from zero it would.
    expect(await limiter.admit([key], { tokens: 1, costMicros: 200_000 })).toMatchObject({
      ok: false,
      reason: 'budget',
    });
    expect(seed).toHaveBeenCalledTimes(1);
  });

  it('a settlement the store did not take is handed on for reconciliation, with its reservation', async () => {
    const memory = createMemoryLimitStore();
    const onSettlementLost = vi.fn();
    const onCharged = vi.fn();
    const limiter = createLimiter({
      store: { ...memory, kind: 'redis', settle: failing.settle },
      local: createMemoryLimitStore(),
      replicas: 1,
      holdTtlMs: 60_000,
      onStoreFailure: () => {},
      onAlert: () => {},
      onCharged,
      onSettlementLost,
    });
    const key = subject('vk:lost-settle', dollars(5));
    const admitted = await limiter.admit([key], { tokens: 1, costMicros: 400_000 });
    if (!admitted.ok) throw new Error('not admitted');
    await limiter.settle(admitted.reservation, { tokens: 7, costMicros: 300_000, counted: true });
    // The usage reached the data store's ledger first, then the reconciliation was asked for.
    expect(onCharged).toHaveBeenCalledWith(
      [expect.objectContaining({ costMicros: 300_000 })],
      expect.any(Number),
    );
    expect(onSettlementLost).toHaveBeenCalledWith(admitted.reservation, [
      expect.objectContaining({ subject: 'vk:lost-settle', costMicros: 300_000, tokens: 7 }),
    ]);
  });

  it('masks virtual key slugs as Portkey does', () => {
    expect(maskSlug('openai-prod-1a2')).toBe('op********1a2');
    expect(maskSlug('abc')).toBe('abc');
  });
});

describe('refusalMessage', () => {
  it('starts a virtual key’s refusal with Portkey’s sentence, and leaves other subjects’ as pk’s', () => {
    const virtualKey = subject('vk:1', rpm(1), { label: 'openai-prod-1a2' });
    expect(refusalMessage(virtualKey, 'rate', 'the detail')).toBe(
      'Portkey Virtual Key op********1a2 Rate Limit Exceeded: the detail',
    );
    expect(refusalMessage(virtualKey, 'budget', 'the detail')).toBe(
      'Portkey Virtual Key op********1a2 Usage Limit Exceeded: the detail',
    );
    const gatewayKey = subject('gk:app', rpm(1), { kind: 'api_key', label: 'app' });
    expect(refusalMessage(gatewayKey, 'rate', 'the detail')).toBe('the detail');
  });
});

describe('budgetRefusal', () => {
  it('says exhausted when nothing remains, and what a request may use when it alone does not fit', () => {
    expect(budgetRefusal('virtual key openai', { measure: 'tokens', limit: 1000, amount: 50 }, 1000)).toBe(
      'the budget of virtual key openai is exhausted (tokens)',
    );
    expect(budgetRefusal('virtual key openai', { measure: 'tokens', limit: 1000, amount: 4109 }, 0)).toBe(
      'the budget of virtual key openai cannot hold this request: it may use up to 4,109 tokens (its prompt ' +
        'and max_tokens), and 1,000 tokens of 1,000 tokens remain: set a smaller max_tokens to fit',
    );
    expect(
      budgetRefusal('gateway key app', { measure: 'cost', limit: 5_000_000, amount: 6_100_000 }, 1_000_000),
    ).toBe(
      'the budget of gateway key app cannot hold this request: it may use up to $6.1000 (its prompt and ' +
        'max_tokens), and $4.0000 of $5.0000 remain: set a smaller max_tokens to fit',
    );
  });
});

describe('limiter.charge (usage reported after the fact: a Realtime session’s responses)', () => {
  const perMinute = (requests: number, tokens: number, credit?: number) =>
    compileLimits(
      [
        { type: 'requests', unit: 'rpm', value: requests },
        { type: 'tokens', unit: 'rpm', value: tokens },
      ],
      credit === undefined ? undefined : { credit_limit: credit },
    );

  it('charges tokens and spend without counting a request, and names the budget a charge uses up', async () => {
    const { store, limiter } = memoryLimiter();
    const key = subject('vk:voice', perMinute(1, 1_000_000, 1));
    expect(await limiter.charge([key], { tokens: 100, costMicros: 400_000 })).toBeUndefined();
    expect(await limiter.charge([key], { tokens: 100, costMicros: 400_000 })).toBeUndefined();
    // No request was counted: the key's one request a minute is still free.
    expect((await limiter.admit([key], { tokens: 1, costMicros: 1 })).ok).toBe(true);
    expect(await store.read('vk:voice', 'all', Date.now())).toMatchObject({
      costMicros: 800_000,
      tokens: 200,
      requests: 0,
    });
    const exhausted = await limiter.charge([key], { tokens: 100, costMicros: 400_000 });
    expect(exhausted).toMatchObject({ subject: { key: 'vk:voice' }, reason: 'budget' });
    expect(exhausted?.message).toBe(
      `Portkey Virtual Key ${maskSlug('voice')} Usage Limit Exceeded: the budget of virtual key ${maskSlug('voice')} is exhausted`,
    );
    // Over the budget already: still charged (the provider billed it), and still exhausted.
    expect(await limiter.charge([key], { tokens: 100, costMicros: 400_000 })).toMatchObject({
      reason: 'budget',
    });
    expect(await store.read('vk:voice', 'all', Date.now())).toMatchObject({
      costMicros: 1_600_000,
      tokens: 400,
    });
  });

  it('fills the token window’s current bucket, and says when a charge leaves it full', async () => {
    const { limiter } = memoryLimiter();
    const key = subject('vk:tpm', perMinute(100, 100));
    expect(await limiter.charge([key], { tokens: 60, costMicros: 0 })).toBeUndefined();
    expect(await limiter.charge([key], { tokens: 50, costMicros: 0 })).toMatchObject({ reason: 'rate' });
    // The window holds 110 tokens now: a request holding one more is refused.
    expect(await limiter.admit([key], { tokens: 1, costMicros: 0 })).toMatchObject({
      ok: false,
      reason: 'rate',
    });
  });

  it('charges nothing to a subject with request limits only', async () => {
    const { store, limiter } = memoryLimiter();
    const key = subject('vk:rpm', rpm(1));
    expect(await limiter.charge([key], { tokens: 500, costMicros: 500 })).toBeUndefined();
    expect((await limiter.admit([key], { tokens: 0, costMicros: 0 })).ok).toBe(true);
    expect(await store.read('vk:rpm', 'all', Date.now())).toMatchObject({ tokens: 0 });
  });
});
