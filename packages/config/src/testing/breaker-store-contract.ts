import type { BreakerRule, BreakerStore, InspectableBreakerStore } from '../engine/breaker-store.js';

/**
 * The few test-runner functions the contract suites use, passed in so that `@pk/config/testing`
 * does not depend on a runner: `import { describe, it, expect } from 'vitest'` fits as is.
 */
export interface ContractTestApi {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>): void;
  expect(actual: unknown): { toBe(expected: unknown): void; toEqual(expected: unknown): void };
}

/** Makes a fresh, empty store for one test (async, so a Redis store can connect and flush first). */
export type MakeBreakerStore = () => BreakerStore | Promise<BreakerStore>;

/** Makes a fresh, empty inspectable store for one test. */
export type MakeInspectableBreakerStore = () => InspectableBreakerStore | Promise<InspectableBreakerStore>;

// Far from Date.now(), so a store that reads its own clock fails.
const T0 = 1_000;
const COOLDOWN = 30_000;
const BY_COUNT: BreakerRule = { failureThreshold: 3, minimumRequests: 5, cooldownMs: COOLDOWN };
const BY_SHARE: BreakerRule = { failureThresholdPercentage: 50, minimumRequests: 4, cooldownMs: COOLDOWN };

/**
 * The behaviour every {@link BreakerStore} must have (the in-memory store and the shared Redis store
 * alike): counts from the first failure of a window, opening by count or by share, cooldown, the
 * half-open probe (one at a time, released or expiring), reset, atomic concurrent records and reads,
 * and timestamps taken only from the caller.
 *
 * @example
 * import { describe, expect, it } from 'vitest';
 * describeBreakerStoreContract('redis breaker store', () => createRedisBreakerStore(redis), { describe, it, expect });
 */
export function describeBreakerStoreContract(
  name: string,
  makeStore: MakeBreakerStore,
  { describe, it, expect }: ContractTestApi,
): void {
  const fail = (store: BreakerStore, key: string, nowMs: number, rule = BY_COUNT) =>
    store.record(key, { failed: true, nowMs, rule });
  const succeed = (store: BreakerStore, key: string, nowMs: number, rule = BY_COUNT) =>
    store.record(key, { failed: false, nowMs, rule });

  describe(`${name} (breaker store contract)`, () => {
    it('reads an unknown breaker as closed', async () => {
      const store = await makeStore();
      const readings = await store.read(['a', 'b'], T0);
      expect(readings.map((reading) => [reading.open, reading.probe])).toEqual([
        [false, false],
        [false, false],
      ]);
    });

    it('opens when failures reach failure_threshold, reporting the opening once', async () => {
      const store = await makeStore();
      expect((await fail(store, 'a', T0)).open).toBe(false);
      expect((await fail(store, 'a', T0 + 100)).open).toBe(false);
      const third = await fail(store, 'a', T0 + 200);
      expect([third.open, third.openedNow, third.openUntilMs]).toEqual([true, true, T0 + 200 + COOLDOWN]);
      const [reading] = await store.read(['a'], T0 + 300);
      expect([reading?.open, reading?.openUntilMs]).toEqual([true, T0 + 200 + COOLDOWN]);
    });

    it('never opens on successes alone', async () => {
      const store = await makeStore();
      for (let index = 0; index < 20; index++) await succeed(store, 'a', T0 + index);
      expect((await store.read(['a'], T0 + 20))[0]?.open).toBe(false);
    });

    it('opens on the failure share only once minimum_requests outcomes were counted', async () => {
      const store = await makeStore();
      await succeed(store, 'a', T0, BY_SHARE);
      await fail(store, 'a', T0 + 1, BY_SHARE);
      expect((await fail(store, 'a', T0 + 2, BY_SHARE)).open).toBe(false);
      const fourth = await succeed(store, 'a', T0 + 3, BY_SHARE);
      expect([fourth.open, fourth.openedNow]).toEqual([true, true]);
    });

    it('stays open for the cooldown, then gives one read the probe and the others find it open', async () => {
      const store = await makeStore();
      for (let index = 0; index < 3; index++) await fail(store, 'a', T0);
      expect((await store.read(['a'], T0 + COOLDOWN - 1))[0]?.open).toBe(true);
      const [probing] = await store.read(['a'], T0 + COOLDOWN);
      expect([probing?.open, probing?.probe, probing?.probeUntilMs]).toEqual([
        false,
        true,
        T0 + 2 * COOLDOWN,
      ]);
      const [other] = await store.read(['a'], T0 + COOLDOWN + 1);
      expect([other?.open, other?.probe, other?.openUntilMs]).toEqual([true, false, T0 + 2 * COOLDOWN]);
    });

    it('gives the probe to exactly one of concurrent reads', async () => {
      const store = await makeStore();
      for (let index = 0; index < 3; index++) await fail(store, 'a', T0);
      const readings = await Promise.all([0, 1, 2, 3, 4].map(() => store.read(['a'], T0 + COOLDOWN)));
      expect(readings.filter(([reading]) => reading?.probe === true).length).toBe(1);
      expect(readings.filter(([reading]) => reading?.open === true).length).toBe(4);
    });

    it('closes on the probe’s success, with its counts reset', async () => {
      const store = await makeStore();
      for (let index = 0; index < 3; index++) await fail(store, 'a', T0);
      await store.read(['a'], T0 + COOLDOWN);
      const closing = await store.record('a', {
        failed: false,
        nowMs: T0 + COOLDOWN + 5,
        rule: BY_COUNT,
        probe: true,
      });
      expect([closing.open, closing.openedNow, closing.closedNow]).toEqual([false, false, true]);
      const [reading] = await store.read(['a'], T0 + COOLDOWN + 6);
      expect([reading?.open, reading?.probe]).toEqual([false, false]);
      expect((await fail(store, 'a', T0 + COOLDOWN + 7)).open).toBe(false);
      expect((await fail(store, 'a', T0 + COOLDOWN + 8)).open).toBe(false);
      expect((await fail(store, 'a', T0 + COOLDOWN + 9)).open).toBe(true);
    });

    it('reopens at once for another cooldown on the probe’s failure', async () => {
      const store = await makeStore();
      for (let index = 0; index < 3; index++) await fail(store, 'a', T0);
      await store.read(['a'], T0 + COOLDOWN);
      const reopened = await store.record('a', {
        failed: true,
        nowMs: T0 + COOLDOWN + 5,
        rule: BY_COUNT,
        probe: true,
      });
      expect([reopened.open, reopened.openedNow, reopened.closedNow, reopened.openUntilMs]).toEqual([
        true,
        true,
        false,
        T0 + 2 * COOLDOWN + 5,
      ]);
      const [reading] = await store.read(['a'], T0 + 2 * COOLDOWN + 4);
      expect([reading?.open, reading?.openUntilMs]).toEqual([true, T0 + 2 * COOLDOWN + 5]);
      expect((await store.read(['a'], T0 + 2 * COOLDOWN + 5))[0]?.probe).toBe(true);
    });

    it('does not count outcomes that are not the probe’s while half-open', async () => {
      const store = await makeStore();
      for (let index = 0; index < 3; index++) await fail(store, 'a', T0);
      const unprobed = await succeed(store, 'a', T0 + COOLDOWN);
      expect([unprobed.open, unprobed.openedNow, unprobed.closedNow]).toEqual([false, false, false]);
      await store.read(['a'], T0 + COOLDOWN + 1);
      expect([(await fail(store, 'a', T0 + COOLDOWN + 2)).openedNow]).toEqual([false]);
      expect((await succeed(store, 'a', T0 + COOLDOWN + 3)).closedNow).toBe(false);
      expect((await store.read(['a'], T0 + COOLDOWN + 4))[0]?.open).toBe(true);
    });

    it('gives a released probe to the next read, and ignores the release of a probe no longer its own', async () => {
      const store = await makeStore();
      for (let index = 0; index < 3; index++) await fail(store, 'a', T0);
      const [first] = await store.read(['a'], T0 + COOLDOWN);
      await store.releaseProbe('a', first?.probeUntilMs ?? 0);
      const [second] = await store.read(['a'], T0 + COOLDOWN + 1);
      expect([second?.probe, second?.probeUntilMs]).toEqual([true, T0 + 2 * COOLDOWN + 1]);
      await store.releaseProbe('a', first?.probeUntilMs ?? 0);
      expect((await store.read(['a'], T0 + COOLDOWN + 2))[0]?.open).toBe(true);
    });

    it('lets another read probe once a probe that never reports expires', async () => {
      const store = await makeStore();
      for (let index = 0; index < 3; index++) await fail(store, 'a', T0);
      await store.read(['a'], T0 + COOLDOWN);
      expect((await store.read(['a'], T0 + 2 * COOLDOWN - 1))[0]?.open).toBe(true);
      const [next] = await store.read(['a'], T0 + 2 * COOLDOWN);
      expect([next?.open, next?.probe, next?.probeUntilMs]).toEqual([false, true, T0 + 3 * COOLDOWN]);
    });

    it('does not count outcomes while open, nor extend the cooldown', async () => {
      const store = await makeStore();
      for (let index = 0; index < 3; index++) await fail(store, 'a', T0);
      const during = await fail(store, 'a', T0 + 1_000);
      expect([during.open, during.openedNow, during.openUntilMs]).toEqual([true, false, T0 + COOLDOWN]);
    });

    it('resets the counts when a window ends without opening (window = cooldown from its first failure)', async () => {
      const store = await makeStore();
      await fail(store, 'a', T0);
      await fail(store, 'a', T0 + 10_000);
      expect((await fail(store, 'a', T0 + COOLDOWN + 1)).open).toBe(false);
      expect((await fail(store, 'a', T0 + COOLDOWN + 2)).open).toBe(false);
      expect((await fail(store, 'a', T0 + COOLDOWN + 3)).open).toBe(true);
    });

    it('keeps keys independent and reads them in the order asked', async () => {
      const store = await makeStore();
      for (let index = 0; index < 3; index++) await fail(store, 'b', T0);
      const readings = await store.read(['a', 'b', 'c'], T0 + 1);
      expect(readings.map((reading) => reading.open)).toEqual([false, true, false]);
    });

    it('uses only the timestamps it is given', async () => {
      const store = await makeStore();
      for (let index = 0; index < 3; index++) await fail(store, 'a', 5);
      expect((await store.read(['a'], 6))[0]?.open).toBe(true);
      expect((await store.read(['a'], 5 + COOLDOWN))[0]?.probe).toBe(true);
    });

    it('counts concurrent records each once, and reports the opening exactly once', async () => {
      const store = await makeStore();
      const results = await Promise.all([0, 1, 2, 3, 4].map(() => fail(store, 'a', T0)));
      expect(results.filter((result) => result.openedNow).length).toBe(1);
      expect(results.filter((result) => result.closedNow).length).toBe(0);
      expect(results.filter((result) => result.open).length).toBe(3);
    });
  });
}

/**
 * The behaviour of an {@link InspectableBreakerStore}: everything {@link describeBreakerStoreContract}
 * checks, plus `list` (open and counting breakers with their counts and target, nothing closed,
 * open ones first, a limit) and `close` (open or counting, the next failure starts afresh).
 */
export function describeInspectableBreakerStoreContract(
  name: string,
  makeStore: MakeInspectableBreakerStore,
  api: ContractTestApi,
): void {
  describeBreakerStoreContract(name, makeStore, api);
  const { describe, it, expect } = api;
  const TARGET = '{"provider":"openai","model":"gpt-4o"}';
  const fail = (store: BreakerStore, key: string, nowMs: number, rule = BY_COUNT) =>
    store.record(key, { failed: true, nowMs, rule, target: TARGET });
  const succeed = (store: BreakerStore, key: string, nowMs: number, rule = BY_COUNT) =>
    store.record(key, { failed: false, nowMs, rule, target: TARGET });

  describe(`${name} (inspectable breaker store contract)`, () => {
    it('lists nothing while every breaker is closed without failures', async () => {
      const store = await makeStore();
      expect(await store.list(T0)).toEqual([]);
      for (let index = 0; index < 4; index++) await succeed(store, 'a', T0 + index);
      expect(await store.list(T0 + 10)).toEqual([]);
    });

    it('lists a breaker counting failures, and an open one first, with counts, times and target', async () => {
      const store = await makeStore();
      await fail(store, 'b', T0);
      await succeed(store, 'b', T0 + 5);
      for (let index = 0; index < 3; index++) await fail(store, 'z', T0 + 10);
      expect(await store.list(T0 + 20)).toEqual([
        {
          key: 'z',
          open: true,
          halfOpen: false,
          openUntilMs: T0 + 10 + COOLDOWN,
          failures: 3,
          successes: 0,
          windowStartMs: T0 + 10,
          cooldownMs: COOLDOWN,
          target: TARGET,
        },
        {
          key: 'b',
          open: false,
          halfOpen: false,
          failures: 1,
          successes: 1,
          windowStartMs: T0,
          cooldownMs: COOLDOWN,
          target: TARGET,
        },
      ]);
    });

    it('lists a breaker whose cooldown is over as half-open, and leaves out one whose counting window is over', async () => {
      const store = await makeStore();
      for (let index = 0; index < 3; index++) await fail(store, 'open', T0);
      await fail(store, 'counting', T0);
      expect((await store.list(T0 + COOLDOWN - 1)).map((status) => status.key)).toEqual(['open', 'counting']);
      expect(
        (await store.list(T0 + COOLDOWN)).map((status) => [status.key, status.open, status.halfOpen]),
      ).toEqual([
        ['open', false, true],
        ['counting', false, false],
      ]);
      expect((await store.list(T0 + COOLDOWN + 1)).map((status) => status.key)).toEqual(['open']);
      await store.read(['open'], T0 + COOLDOWN + 2);
      expect(await store.list(T0 + COOLDOWN + 3)).toEqual([
        {
          key: 'open',
          open: false,
          halfOpen: true,
          probeUntilMs: T0 + 2 * COOLDOWN + 2,
          failures: 3,
          successes: 0,
          windowStartMs: T0,
          cooldownMs: COOLDOWN,
          target: TARGET,
        },
      ]);
    });

    it('returns at most the limit asked for', async () => {
      const store = await makeStore();
      for (const key of ['c', 'a', 'b']) await fail(store, key, T0);
      expect((await store.list(T0, { limit: 2 })).map((status) => status.key)).toEqual(['a', 'b']);
    });

    it('closes an open breaker at once: the next read is closed and a failure starts a new window', async () => {
      const store = await makeStore();
      for (let index = 0; index < 3; index++) await fail(store, 'a', T0);
      expect(await store.close('a', T0 + 100)).toBe(true);
      const [reading] = await store.read(['a'], T0 + 101);
      expect([reading?.open, reading?.probe]).toEqual([false, false]);
      expect(await store.list(T0 + 101)).toEqual([]);
      expect((await fail(store, 'a', T0 + 102)).open).toBe(false);
      expect((await store.list(T0 + 103)).map((status) => [status.key, status.failures])).toEqual([['a', 1]]);
    });

    it('closes a counting breaker (false: it was not open) and an unknown one (false)', async () => {
      const store = await makeStore();
      await fail(store, 'a', T0);
      expect(await store.close('a', T0 + 1)).toBe(false);
      expect(await store.list(T0 + 2)).toEqual([]);
      expect(await store.close('never', T0 + 3)).toBe(false);
    });

    it('closes a half-open breaker (true: it was not closed), and the next read takes no probe', async () => {
      const store = await makeStore();
      for (let index = 0; index < 3; index++) await fail(store, 'a', T0);
      await store.read(['a'], T0 + COOLDOWN);
      expect(await store.close('a', T0 + COOLDOWN + 1)).toBe(true);
      const [reading] = await store.read(['a'], T0 + COOLDOWN + 2);
      expect([reading?.open, reading?.probe]).toEqual([false, false]);
    });
  });
}
