import { describe, expect, it } from 'vitest';
import { spendByKey, spendText, utcMonthStart } from './key-spend.js';

describe('a virtual key’s spend without a budget', () => {
  it('begins this month at its first UTC midnight', () => {
    expect(new Date(utcMonthStart(Date.UTC(2026, 11, 7, 22, 30))).toISOString()).toBe(
      '2026-12-01T00:00:00.000Z',
    );
    expect(new Date(utcMonthStart(Date.UTC(2027, 0, 1, 0, 0))).toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
  });

  it('sums each key’s days, with its unpriced requests, and leaves the summed-up other groups out', () => {
    const spend = spendByKey([
      { bucket: 'a', group: 'vk-a', requests: 3, errors: 1, cost: 0.02, unpriced_requests: 0 },
      { bucket: 'b', group: 'vk-a', requests: 2, errors: 0, cost: 0.0123, unpriced_requests: 1 },
      { bucket: 'b', group: 'vk-b', requests: 4, errors: 0, cost: 0, unpriced_requests: 4 },
      { bucket: 'b', group: null, other: true, requests: 9, errors: 0, cost: 1, unpriced_requests: 0 },
      { bucket: 'b', group: null, requests: 5, errors: 0, cost: 2, unpriced_requests: 0 },
    ]);
    expect([...spend.keys()]).toEqual(['vk-a', 'vk-b']);
    expect(spendText(spend.get('vk-a'), true)).toBe('$0.0323 + 1 unpriced');
    expect(spendText(spend.get('vk-b'), true)).toBe('unpriced (4 requests)');
    // No request this month: nothing spent; no figure to read: nothing said.
    expect(spendText(undefined, true)).toBe('$0');
    expect(spendText(undefined, false)).toBeNull();
  });
});
