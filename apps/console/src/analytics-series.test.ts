import { describe, expect, it } from 'vitest';
import { toSeries } from './analytics-series.js';

describe('analytics rows to chart series', () => {
  it('gives one x series of buckets and one y series per group, gaps as null', () => {
    const rows = [
      { bucket: '2026-01-01T00:00:00.000Z', group: 'gpt-4o', requests: 3 },
      { bucket: '2026-01-01T01:00:00.000Z', group: 'gpt-4o', requests: 5 },
      { bucket: '2026-01-01T01:00:00.000Z', group: 'claude', requests: 2 },
    ];
    const { groups, data } = toSeries(rows, 'requests');
    expect(groups).toEqual(['claude', 'gpt-4o']);
    expect(data).toEqual([
      [Date.parse('2026-01-01T00:00:00.000Z') / 1000, Date.parse('2026-01-01T01:00:00.000Z') / 1000],
      [null, 2],
      [3, 5],
    ]);
  });
});
