import { describe, expect, it } from 'vitest';
import { normalizeRetry } from '../schema/retry.js';
import { createSeededRandom } from '../testing/seeded-random.js';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('waits 1 s, 2 s, 4 s, 8 s, 16 s by default (Portkey: no jitter, no cap)', () => {
    const { backoff } = normalizeRetry({ attempts: 5 });
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelay(backoff, retry, Math.random))).toEqual([
      1000, 2000, 4000, 8000, 16_000,
    ]);
  });

  it.each([
    { backoff: { initial_ms: 100, factor: 3 }, expected: [100, 300, 900, 2700] },
    { backoff: { initial_ms: 500, max_ms: 1200 }, expected: [500, 1000, 1200, 1200] },
    { backoff: { initial_ms: 0 }, expected: [0, 0, 0, 0] },
  ])('retry.backoff $backoff → $expected', ({ backoff, expected }) => {
    const policy = normalizeRetry({ attempts: 4, backoff });
    expect([1, 2, 3, 4].map((retry) => backoffDelay(policy.backoff, retry, Math.random))).toEqual(expected);
  });

  it('full jitter stays within [0, wait], equal jitter within [wait/2, wait]', () => {
    const random = createSeededRandom(7);
    const full = normalizeRetry({ attempts: 1, backoff: { jitter: 'full' } }).backoff;
    const equal = normalizeRetry({ attempts: 1, backoff: { jitter: 'equal' } }).backoff;
    for (let index = 0; index < 200; index++) {
      const fullWait = backoffDelay(full, 2, random);
      const equalWait = backoffDelay(equal, 2, random);
      expect(fullWait >= 0 && fullWait <= 2000).toBe(true);
      expect(equalWait >= 1000 && equalWait <= 2000).toBe(true);
    }
  });
});
