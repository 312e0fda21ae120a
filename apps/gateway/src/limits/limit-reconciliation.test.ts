import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LimitSubject } from './limit-model.js';
import { createSettlementReconciler } from './limit-reconciliation.js';

const subject = (key: string): LimitSubject => ({
  key,
  kind: 'virtual_key',
  label: key.slice(3),
  limits: { windows: [] },
});

describe('createSettlementReconciler', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reconciles each subject once with all its lost holds, after 1 s, and forgets it', async () => {
    const reconcile = vi.fn(async (_lost: LimitSubject, _holds: readonly string[]) => {});
    const reconciler = createSettlementReconciler({ reconcile, onDropped: () => {} });
    reconciler.add([subject('vk:a'), subject('gk:k')], 'r1');
    reconciler.add([subject('vk:a')], 'r2');
    await vi.advanceTimersByTimeAsync(999);
    expect(reconcile).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(reconcile.mock.calls.map(([lost, holds]) => [lost.key, holds])).toEqual([
      ['vk:a', ['r1', 'r2']],
      ['gk:k', ['r1']],
    ]);
    expect(reconciler.size).toBe(0);
    await reconciler.close();
  });

  it('keeps subjects while the store fails, retrying after 1, 2, 4 s …', async () => {
    let failing = true;
    const reconcile = vi.fn(async () => {
      if (failing) throw new Error('Command timed out');
    });
    const reconciler = createSettlementReconciler({ reconcile, onDropped: () => {} });
    reconciler.add([subject('vk:a')], 'r1');
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(2000);
    expect(reconcile).toHaveBeenCalledTimes(2);
    failing = false;
    await vi.advanceTimersByTimeAsync(3999);
    expect(reconcile).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(reconcile).toHaveBeenCalledTimes(3);
    expect(reconciler.size).toBe(0);
    await reconciler.close();
  });

  it('is bounded: past its limit the oldest subject is given up and said so', async () => {
    const onDropped = vi.fn();
    const reconciler = createSettlementReconciler({ reconcile: async () => {}, onDropped, maxSubjects: 2 });
    reconciler.add([subject('vk:a')], 'r1');
    reconciler.add([subject('vk:b')], 'r2');
    reconciler.add([subject('vk:c')], 'r3');
    expect(reconciler.size).toBe(2);
    expect(onDropped).toHaveBeenCalledWith(subject('vk:a'));
    await reconciler.close();
  });
});
