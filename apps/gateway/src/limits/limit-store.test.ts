import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireRedis } from '../../test/support/services.js';
import { createRedisClient } from '../stores/redis-client.js';
import type { LimitStore, SubjectHold, SubjectVerdict } from './limit-store.js';
import { createMemoryLimitStore } from './memory-limit-store.js';
import { createRedisLimitStore } from './redis-limit-store.js';

// One contract for both stores: the Redis store's Lua scripts must answer exactly as the memory
// store does. The Redis half runs against the real Redis on 127.0.0.1:6379 under its own prefix.
const runsRedis = await requireRedis('limit-store');
const prefix = `pk-test-i22:${Date.now()}-${process.pid}:limits:`;
let client: Redis;
let stores = 0;

beforeAll(async () => {
  if (!runsRedis) return;
  client = createRedisClient('redis://127.0.0.1:6379', { commandTimeoutMs: 2000 });
  await new Promise((resolve) => client.once('ready', resolve));
});
afterAll(async () => {
  if (!runsRedis) return;
  const keys = await client.keys(`${prefix}*`);
  if (keys.length > 0) await client.del(...keys);
  client.disconnect();
});

const T0 = 1_800_000_000_000;
const MINUTE = 60_000;
const rpm = (limit: number, amount = 1): SubjectHold => ({
  subject: 'gk:a',
  windows: [{ id: 'requests-rpm', windowMs: MINUTE, limit, amount }],
  periodId: 'all',
  usageTtlMs: 0,
});
const budget = (limit: number, amount: number, subject = 'vk:b'): SubjectHold => ({
  subject,
  windows: [],
  periodId: 'm2027-01',
  usageTtlMs: 0,
  budget: { measure: 'cost', limit, amount },
});
const ok = (verdict: SubjectVerdict | undefined) => verdict?.ok === true;

function contract(name: string, make: () => LimitStore): void {
  describe(name, () => {
    it('a hold of 0 makes the window’s current bucket, so a settlement adds usage reported after the fact to it', async () => {
      const store = make();
      const window = { id: 'tokens-rpm', windowMs: MINUTE, limit: 100, amount: 0 };
      const hold: SubjectHold = { subject: 'gk:late', windows: [window], periodId: 'all', usageTtlMs: 0 };
      const [verdict] = await store.admit([hold], 'late-0', T0, 60_000);
      expect(verdict).toMatchObject({ ok: true, windowsUsed: [0] });
      const bucket = verdict?.ok === true ? (verdict.buckets[0] ?? 0) : 0;
      await store.settle(
        [
          {
            subject: 'gk:late',
            reservationId: 'late-0',
            windows: [{ id: 'tokens-rpm', bucket, delta: 80 }],
            periodId: 'all',
            usageTtlMs: 0,
            costMicros: 0,
            tokens: 80,
            requests: 0,
          },
        ],
        T0,
      );
      const [next] = await store.admit(
        [{ ...hold, windows: [{ ...window, amount: 30 }] }],
        'late-1',
        T0 + 1000,
        60_000,
      );
      expect(next).toMatchObject({ ok: false, kind: 'rate', used: 80 });
    });

    it('a sliding window admits at most N in any 60 s, and says when the next fits', async () => {
      const store = make();
      for (let index = 0; index < 3; index += 1) {
        const [verdict] = await store.admit([rpm(3)], `r${index}`, T0 + index * 10_000, 60_000);
        expect(ok(verdict)).toBe(true);
      }
      const [refused] = await store.admit([rpm(3)], 'r3', T0 + 30_000, 60_000);
      expect(refused).toMatchObject({ ok: false, kind: 'rate', window: 0 });
      const retry = refused?.ok === false && refused.kind === 'rate' ? refused.retryAfterMs : 0;
      // The first request (at T0) leaves the window a little after T0 + 60 s (1 s buckets).
      expect(retry).toBeGreaterThan(30_000);
      expect(retry).toBeLessThanOrEqual(32_000);
      // Across the boundary of a fixed minute, still refused (a fixed window would admit 3 more).
      expect(ok((await store.admit([rpm(3)], 'r4', T0 + 59_000, 60_000))[0])).toBe(false);
      expect(ok((await store.admit([rpm(3)], 'r5', T0 + 30_000 + retry, 60_000))[0])).toBe(true);
    });

    it('a limit of 0 refuses everything, and a request larger than the limit never fits', async () => {
      const store = make();
      const [zero] = await store.admit([rpm(0)], 'z', T0, 60_000);
      expect(zero).toMatchObject({ ok: false, kind: 'rate', retryAfterMs: -1 });
      const [large] = await store.admit([rpm(10, 11)], 'l', T0, 60_000);
      expect(large).toMatchObject({ ok: false, kind: 'rate', retryAfterMs: -1 });
    });

    it('a budget holds each request’s bound and settles it to the real usage', async () => {
      const store = make();
      expect((await store.admit([budget(100, 40)], 'a', T0, 60_000))[0]).toMatchObject({
        ok: true,
        budgetUsed: 40,
      });
      expect((await store.admit([budget(100, 40)], 'b', T0, 60_000))[0]).toMatchObject({
        ok: true,
        budgetUsed: 80,
      });
      expect((await store.admit([budget(100, 40)], 'c', T0, 60_000))[0]).toMatchObject({
        ok: false,
        kind: 'budget',
        used: 80,
      });
      await store.settle(
        [
          {
            subject: 'vk:b',
            reservationId: 'a',
            windows: [],
            periodId: 'm2027-01',
            usageTtlMs: 0,
            costMicros: 10,
            tokens: 7,
            requests: 1,
          },
        ],
        T0,
      );
      expect(await store.read('vk:b', 'm2027-01', T0)).toEqual({
        costMicros: 10,
        tokens: 7,
        requests: 1,
        held: 40,
        budgetRefused: true,
        unseeded: false,
      });
      expect((await store.admit([budget(100, 40)], 'c', T0, 60_000))[0]).toMatchObject({
        ok: true,
        budgetUsed: 90,
      });
    });

    it('a hold never settled (a crashed replica) expires with its TTL', async () => {
      const store = make();
      expect(ok((await store.admit([budget(100, 90, 'vk:ttl')], 'lost', T0, 1_000))[0])).toBe(true);
      expect(ok((await store.admit([budget(100, 90, 'vk:ttl')], 'next', T0 + 500, 1_000))[0])).toBe(false);
      expect(ok((await store.admit([budget(100, 90, 'vk:ttl')], 'next', T0 + 1_001, 1_000))[0])).toBe(true);
    });

    it('is all or nothing across subjects: a refusal leaves the other subjects untouched', async () => {
      const store = make();
      expect(ok((await store.admit([budget(100, 100, 'vk:full')], 'x', T0, 60_000))[0])).toBe(true);
      const verdicts = await store.admit([rpm(1), budget(100, 1, 'vk:full')], 'y', T0, 60_000);
      expect(verdicts.map((verdict) => verdict.ok)).toEqual([true, false]);
      // The rpm of 1 was given back: the next request under it alone fits.
      expect(ok((await store.admit([rpm(1)], 'z', T0 + 1, 60_000))[0])).toBe(true);
    });

    it('token windows are corrected to the real tokens at settlement', async () => {
      const store = make();
      const hold: SubjectHold = {
        subject: 'gk:tokens',
        windows: [{ id: 'tokens-rpm', windowMs: MINUTE, limit: 1000, amount: 900 }],
        periodId: 'all',
        usageTtlMs: 0,
      };
      const [first] = await store.admit([hold], 'p', T0, 60_000);
      expect(first).toMatchObject({ ok: true, windowsUsed: [900] });
      expect(ok((await store.admit([hold], 'q', T0, 60_000))[0])).toBe(false);
      const bucket = first?.ok ? (first.buckets[0] ?? 0) : 0;
      await store.settle(
        [
          {
            subject: 'gk:tokens',
            reservationId: 'p',
            windows: [{ id: 'tokens-rpm', bucket, delta: 50 - 900 }],
            periodId: 'all',
            usageTtlMs: 0,
            costMicros: 0,
            tokens: 50,
            requests: 1,
          },
        ],
        T0,
      );
      expect((await store.admit([hold], 'q', T0 + 1, 60_000))[0]).toMatchObject({
        ok: true,
        windowsUsed: [950],
      });
    });

    it('remembers whether the period’s latest budget decision was a refusal', async () => {
      const store = make();
      const refused = async () => (await store.read('vk:r', 'm2027-01', T0)).budgetRefused;
      expect(await refused()).toBe(false);
      expect(ok((await store.admit([budget(100, 90, 'vk:r')], 'a', T0, 60_000))[0])).toBe(true);
      expect(await refused()).toBe(false);
      expect(ok((await store.admit([budget(100, 20, 'vk:r')], 'b', T0, 60_000))[0])).toBe(false);
      expect(await refused()).toBe(true);
      // Settling what was held does not clear it; the next request that fits does.
      await store.settle(
        [
          {
            subject: 'vk:r',
            reservationId: 'a',
            windows: [],
            periodId: 'm2027-01',
            usageTtlMs: 0,
            costMicros: 50,
            tokens: 0,
            requests: 1,
          },
        ],
        T0,
      );
      expect(await refused()).toBe(true);
      expect(ok((await store.admit([budget(100, 20, 'vk:r')], 'c', T0, 60_000))[0])).toBe(true);
      expect(await refused()).toBe(false);
      // A request larger than the whole budget, on a subject with no counters yet, is remembered too.
      expect(ok((await store.admit([budget(100, 101, 'vk:new')], 'd', T0, 60_000))[0])).toBe(false);
      expect((await store.read('vk:new', 'm2027-01', T0)).budgetRefused).toBe(true);
      // Another period knows nothing of it.
      expect((await store.read('vk:r', 'm2027-02', T0)).budgetRefused).toBe(false);
    });

    it('a usage reset starts the period again, keeping the holds of requests in flight', async () => {
      const store = make();
      const settle = (id: string, costMicros: number) =>
        store.settle(
          [
            {
              subject: 'vk:reset',
              reservationId: id,
              windows: [],
              periodId: 'm2027-01',
              usageTtlMs: 0,
              costMicros,
              tokens: 5,
              requests: 1,
              measure: 'cost',
              alertAt: 50,
            },
          ],
          T0,
        );
      expect(ok((await store.admit([budget(100, 60, 'vk:reset')], 'a', T0, 60_000))[0])).toBe(true);
      expect(await settle('a', 60)).toEqual([true]);
      expect(ok((await store.admit([budget(100, 30, 'vk:reset')], 'b', T0, 60_000))[0])).toBe(true);
      expect(ok((await store.admit([budget(100, 30, 'vk:reset')], 'c', T0, 60_000))[0])).toBe(false);
      await store.resetUsage('vk:reset', 'm2027-01');
      expect(await store.read('vk:reset', 'm2027-01', T0)).toEqual({
        costMicros: 0,
        tokens: 0,
        requests: 0,
        held: 30,
        budgetRefused: false,
        unseeded: false,
      });
      // 'b' still holds 30 of the 100; the alert fires again in the period started anew.
      expect((await store.admit([budget(100, 70, 'vk:reset')], 'd', T0, 60_000))[0]).toMatchObject({
        ok: true,
        budgetUsed: 100,
      });
      expect(await settle('b', 60)).toEqual([true]);
      // Nothing to reset is not an error.
      await store.resetUsage('vk:none', 'm2027-01');
      expect((await store.read('vk:none', 'm2027-01', T0)).costMicros).toBe(0);
    });

    it('a restored period replaces the settled figures, keeps the holds, and marks a used-up budget', async () => {
      const store = make();
      expect(ok((await store.admit([budget(100, 30, 'vk:restored')], 'held', T0, 60_000))[0])).toBe(true);
      await store.restoreUsage('vk:restored', 'm2027-01', {
        costMicros: 80,
        tokens: 40,
        requests: 3,
        refused: false,
        usageTtlMs: 60_000,
      });
      expect(await store.read('vk:restored', 'm2027-01', T0)).toEqual({
        costMicros: 80,
        tokens: 40,
        requests: 3,
        held: 30,
        budgetRefused: false,
        unseeded: false,
      });
      // 80 settled + 30 held: 1 more does not fit.
      expect((await store.admit([budget(100, 1, 'vk:restored')], 'x', T0, 60_000))[0]).toMatchObject({
        ok: false,
        kind: 'budget',
        used: 110,
      });
      await store.restoreUsage('vk:restored', 'm2027-01', {
        costMicros: 100,
        tokens: 50,
        requests: 4,
        refused: true,
        usageTtlMs: 60_000,
      });
      expect(await store.read('vk:restored', 'm2027-01', T0)).toMatchObject({
        costMicros: 100,
        requests: 4,
        budgetRefused: true,
        unseeded: false,
      });
      await store.restoreUsage('vk:restored', 'm2027-01', {
        costMicros: 0,
        tokens: 0,
        requests: 0,
        refused: false,
        usageTtlMs: 0,
      });
      expect(await store.read('vk:restored', 'm2027-01', T0)).toMatchObject({
        costMicros: 0,
        budgetRefused: false,
        unseeded: false,
      });
    });

    it('reports the alert threshold once per period', async () => {
      const store = make();
      const settle = (id: string, periodId: string) =>
        store.settle(
          [
            {
              subject: 'vk:alert',
              reservationId: id,
              windows: [],
              periodId,
              usageTtlMs: 0,
              costMicros: 30,
              tokens: 0,
              requests: 1,
              measure: 'cost',
              alertAt: 50,
            },
          ],
          T0,
        );
      expect(await settle('1', 'p1')).toEqual([false]);
      expect(await settle('2', 'p1')).toEqual([true]);
      expect(await settle('3', 'p1')).toEqual([false]);
      expect(await settle('4', 'p2')).toEqual([false]);
      expect(await settle('5', 'p2')).toEqual([true]);
    });
  });
}

contract('memory limit store', () => createMemoryLimitStore());
describe.runIf(runsRedis)('Redis limit store (127.0.0.1:6379)', () => {
  contract('contract', () => {
    stores += 1;
    return createRedisLimitStore({ client, prefix: `${prefix}${stores}:` });
  });

  it('keeps a subject’s keys under one Cluster hash tag, with TTLs', async () => {
    const store = createRedisLimitStore({ client, prefix: `${prefix}tag:` });
    await store.admit(
      [
        { ...rpm(5), usageTtlMs: 0 },
        { ...budget(100, 5), usageTtlMs: 90_000 },
      ],
      'tag',
      Date.now(),
      60_000,
    );
    const keys = (await client.keys(`${prefix}tag:*`)).sort();
    expect(keys).toEqual([
      `${prefix}tag:{gk:a}:w:requests-rpm`,
      `${prefix}tag:{vk:b}:h:m2027-01`,
      `${prefix}tag:{vk:b}:u:m2027-01`,
    ]);
    const windowTtl = await client.pttl(`${prefix}tag:{gk:a}:w:requests-rpm`);
    expect(windowTtl).toBeGreaterThan(60_000);
    expect(windowTtl).toBeLessThanOrEqual(62_000);
    expect(await client.pttl(`${prefix}tag:{vk:b}:u:m2027-01`)).toBeGreaterThan(80_000);
  });

  const seeding = (limit: number, amount: number): SubjectHold => {
    const hold = budget(limit, amount);
    return {
      ...hold,
      budget: { ...(hold.budget as NonNullable<SubjectHold['budget']>), seedIfMissing: true },
    };
  };
  const raised = (
    costMicros: number,
    extra: { onlyIfUnseeded?: boolean; releasedHolds?: string[] } = {},
  ) => ({
    costMicros,
    tokens: 0,
    requests: 1,
    refused: false,
    usageTtlMs: 0,
    onlyIfUnseeded: extra.onlyIfUnseeded ?? true,
    releasedHolds: extra.releasedHolds ?? [],
  });

  it('a budget whose counters Redis lost answers unseeded until seeded, then counts from the seed', async () => {
    const store = createRedisLimitStore({ client, prefix: `${prefix}seed:` });
    // A read tells lost counters apart from a period without spend, so they can be seeded first.
    expect(await store.read('vk:b', 'm2027-01', T0)).toMatchObject({ costMicros: 0, unseeded: true });
    expect(await store.admit([seeding(100, 10)], 's1', T0, 60_000)).toEqual([
      { ok: false, kind: 'unseeded' },
    ]);
    // Two replicas seed at once: the second changes nothing.
    await Promise.all([
      store.raiseUsage('vk:b', 'm2027-01', raised(85)),
      store.raiseUsage('vk:b', 'm2027-01', raised(85)),
    ]);
    expect(ok((await store.admit([seeding(100, 10)], 's2', T0, 60_000))[0])).toBe(true);
    await store.settle(
      [
        {
          subject: 'vk:b',
          reservationId: 's2',
          windows: [],
          periodId: 'm2027-01',
          usageTtlMs: 0,
          costMicros: 10,
          tokens: 0,
          requests: 1,
        },
      ],
      T0,
    );
    // A late seed (a replica that read the data store before that settlement) lowers nothing.
    await store.raiseUsage('vk:b', 'm2027-01', raised(85));
    expect(await store.read('vk:b', 'm2027-01', T0)).toMatchObject({
      costMicros: 95,
      requests: 2,
      held: 0,
      unseeded: false,
    });
    expect(await store.admit([seeding(100, 10)], 's3', T0, 60_000)).toEqual([
      { ok: false, kind: 'budget', used: 95 },
    ]);
    // Without the flag (no data store to seed from) a missing budget counts from zero, as before.
    expect(ok((await store.admit([budget(100, 10, 'vk:fresh')], 's4', T0, 60_000))[0])).toBe(true);
  });

  it('a settlement that reaches Redis after it lost the counters leaves them unseeded; seeding raises, never lowers', async () => {
    const store = createRedisLimitStore({ client, prefix: `${prefix}late:` });
    await store.settle(
      [
        {
          subject: 'vk:b',
          reservationId: 'old',
          windows: [],
          periodId: 'm2027-01',
          usageTtlMs: 0,
          costMicros: 30,
          tokens: 0,
          requests: 1,
        },
      ],
      T0,
    );
    expect(await store.read('vk:b', 'm2027-01', T0)).toMatchObject({ costMicros: 30, unseeded: true });
    expect(await store.admit([seeding(100, 10)], 'l1', T0, 60_000)).toEqual([
      { ok: false, kind: 'unseeded' },
    ]);
    await store.raiseUsage('vk:b', 'm2027-01', { ...raised(80), refused: true });
    expect(await store.read('vk:b', 'm2027-01', T0)).toMatchObject({ costMicros: 80, budgetRefused: true });
    // A reset keeps the counters (at 0): the next admission does not seed the old spend again.
    await store.resetUsage('vk:b', 'm2027-01');
    expect(ok((await store.admit([seeding(100, 10)], 'l2', T0, 60_000))[0])).toBe(true);
  });

  it('reconciling a lost settlement raises the counters and gives its hold back, however often it runs', async () => {
    const store = createRedisLimitStore({ client, prefix: `${prefix}reconcile:` });
    await store.raiseUsage('vk:b', 'm2027-01', raised(0));
    expect(ok((await store.admit([seeding(100, 40)], 'lost', T0, 600_000))[0])).toBe(true);
    // Its settlement (25) never arrived; the data store recorded it.
    for (let round = 0; round < 2; round += 1)
      await store.raiseUsage(
        'vk:b',
        'm2027-01',
        raised(25, { onlyIfUnseeded: false, releasedHolds: ['lost'] }),
      );
    expect(await store.read('vk:b', 'm2027-01', T0)).toMatchObject({ costMicros: 25, held: 0 });
    expect(await client.hget(`${prefix}reconcile:{vk:b}:u:m2027-01`, 'held')).toBe('0');
    expect(ok((await store.admit([seeding(100, 75)], 'next', T0, 600_000))[0])).toBe(true);
  });
});
