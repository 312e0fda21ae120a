import { buildSnapshot, type GatewayKey, type LimitSpend, utcDayOf, type VirtualKey } from '@pk/store';
import { describe, expect, it } from 'vitest';
import type { MetadataLimitRule } from '../settings/load-settings.js';
import {
  keysWithNewPeriods,
  type LimitSpendLedger,
  limitedKeysOf,
  recordCharges,
  restoreAllSpend,
} from './limit-spend.js';
import type { SubjectSettlement } from './limit-store.js';
import { createMemoryLimitStore } from './memory-limit-store.js';

const DAY = 86_400_000;
// Sunday 2026-12-06: the week began Monday 2026-11-30, the month on 2026-12-01.
const NOW = Date.UTC(2026, 11, 6, 12);

/** The ledger's contract over a map of days (the data store's is tested in `@pk/store`). */
function mapLedger(): LimitSpendLedger & { readonly days: Map<string, LimitSpend> } {
  const days = new Map<string, LimitSpend>();
  const add = (a: LimitSpend | undefined, b: LimitSpend): LimitSpend => ({
    costMicros: (a?.costMicros ?? 0) + b.costMicros,
    tokens: (a?.tokens ?? 0) + b.tokens,
    requests: (a?.requests ?? 0) + b.requests,
  });
  const sumWhere = (match: (subject: string) => boolean, fromMs: number) => {
    const sums = new Map<string, LimitSpend>();
    for (const [key, spend] of days) {
      const [day, subject] = key.split('|') as [string, string];
      if (match(subject) && Number(day) >= utcDayOf(fromMs)) sums.set(subject, add(sums.get(subject), spend));
    }
    return sums;
  };
  return {
    days,
    record: (subject, atMs, spend) =>
      days.set(`${utcDayOf(atMs)}|${subject}`, add(days.get(`${utcDayOf(atMs)}|${subject}`), spend)),
    sum: async (subjects, fromMs) => sumWhere((candidate) => subjects.includes(candidate), fromMs),
    sumByPrefix: async (prefix, fromMs) => sumWhere((candidate) => candidate.startsWith(prefix), fromMs),
    clear: async () => undefined,
  };
}

const virtualKey = (slug: string, limits: Partial<VirtualKey>): VirtualKey => ({
  id: `id-${slug}`,
  slug,
  provider: 'openai',
  options: {},
  allowedHosts: [],
  models: [],
  ...limits,
});
const gatewayKey = (id: string, limits: Partial<GatewayKey>): GatewayKey => ({
  id,
  name: id,
  tenant: id,
  role: 'user',
  keyHash: `hash-${id}`,
  scopes: [],
  ...limits,
});
const monthly = { credit_limit: 100, type: 'tokens' as const, periodic_reset: 'monthly' as const };
const weekly = { credit_limit: 100, type: 'tokens' as const, periodic_reset: 'weekly' as const };
const rpm = [{ type: 'requests' as const, unit: 'rpm' as const, value: 10 }];

describe('recovering budgets’ usage from the per-day spend', () => {
  it('records what settlements charged, not releases', () => {
    const ledger = mapLedger();
    const settlement = (subject: string, tokens: number, requests: number): SubjectSettlement => ({
      subject,
      reservationId: 'r',
      windows: [],
      periodId: 'all',
      usageTtlMs: 0,
      costMicros: tokens * 10,
      tokens,
      requests,
    });
    recordCharges(
      ledger,
      [settlement('vk:a', 21, 1), settlement('vk:b', 0, 0), settlement('vk:a', 0, 1)],
      NOW,
    );
    expect(Object.fromEntries(ledger.days)).toEqual({
      [`${utcDayOf(NOW)}|vk:a`]: { costMicros: 210, tokens: 21, requests: 2 },
    });
  });

  it('a period change is a different period now, not a month that simply ended; a newly limited key counts too', () => {
    const before = limitedKeysOf(
      buildSnapshot(1, {
        gatewayKeys: [gatewayKey('kept', { usageLimits: monthly })],
        virtualKeys: [
          virtualKey('toggled', { usageLimits: monthly }),
          virtualKey('rated', { rateLimits: rpm }),
          virtualKey('cap-changed', { usageLimits: monthly }),
        ],
        configs: [],
      }),
    );
    const after = limitedKeysOf(
      buildSnapshot(2, {
        gatewayKeys: [gatewayKey('kept', { usageLimits: { ...monthly } })],
        virtualKeys: [
          virtualKey('toggled', { usageLimits: weekly }),
          virtualKey('rated', { rateLimits: rpm, usageLimits: monthly }),
          virtualKey('cap-changed', { usageLimits: { ...monthly, credit_limit: 500 } }),
          virtualKey('new', { usageLimits: weekly }),
          virtualKey('free', {}),
        ],
        configs: [],
      }),
    );
    expect(keysWithNewPeriods(before, after, NOW)).toEqual(['vk:id-toggled', 'vk:id-rated', 'vk:id-new']);
    // The same keys a month later: nothing changed.
    expect(keysWithNewPeriods(after, after, NOW + 31 * DAY)).toEqual([]);
  });

  it('restores each key’s current period, a metadata rule’s values, and marks a used-up budget', async () => {
    const ledger = mapLedger();
    ledger.record('vk:id-monthly', NOW, { costMicros: 0, tokens: 60, requests: 2 });
    // 2026-11-30: this week, last month.
    ledger.record('vk:id-monthly', NOW - 6 * DAY, { costMicros: 0, tokens: 1000, requests: 1 });
    ledger.record('vk:id-weekly', NOW - 6 * DAY, { costMicros: 0, tokens: 40, requests: 1 });
    ledger.record('vk:id-weekly', NOW, { costMicros: 0, tokens: 60, requests: 1 });
    ledger.record('md:team:red', NOW, { costMicros: 5, tokens: 7, requests: 1 });
    ledger.record('md:other:x', NOW, { costMicros: 5, tokens: 7, requests: 1 });
    const store = createMemoryLimitStore();
    const rule: MetadataLimitRule = { key: 'team', usageLimits: monthly, idleMs: DAY, maxValues: 10 };
    const restored = await restoreAllSpend({
      store,
      ledger,
      snapshot: buildSnapshot(1, {
        gatewayKeys: [],
        virtualKeys: [
          virtualKey('monthly', { usageLimits: monthly }),
          virtualKey('weekly', { usageLimits: weekly }),
          virtualKey('free', {}),
          virtualKey('unused', { usageLimits: monthly }),
        ],
        configs: [],
      }),
      metadataRules: [rule],
      nowMs: NOW,
    });
    expect(restored).toBe(3);
    expect(await store.read('vk:id-monthly', 'm2026-12', NOW)).toMatchObject({
      tokens: 60,
      requests: 2,
      budgetRefused: false,
    });
    expect(await store.read('vk:id-weekly', 'w2026-11-30', NOW)).toMatchObject({
      tokens: 100,
      requests: 2,
      budgetRefused: true,
    });
    expect(await store.read('md:team:red', 'm2026-12', NOW)).toMatchObject({ costMicros: 5, tokens: 7 });
    expect(await store.read('vk:id-unused', 'm2026-12', NOW)).toMatchObject({
      tokens: 0,
      budgetRefused: false,
    });
  });
});
