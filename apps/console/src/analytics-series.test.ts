import { describe, expect, it } from 'vitest';
import {
  GROUPS,
  groupName,
  METRICS,
  metricLabel,
  metricOf,
  OTHER_GROUPS,
  periodOf,
  toSeries,
} from './analytics-series.js';

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

  it('draws the summary’s other rows (the groups beyond its top N) as one series apart from the records without a value', () => {
    const rows = [
      { bucket: '2026-01-01T00:00:00.000Z', group: 'user-1', requests: 9 },
      { bucket: '2026-01-01T00:00:00.000Z', group: null, requests: 4 },
      { bucket: '2026-01-01T00:00:00.000Z', group: null, other: true, requests: 30 },
    ];
    const { groups, data } = toSeries(rows, 'requests');
    expect(groups).toEqual([OTHER_GROUPS, 'user-1', '—'].sort());
    expect(data.slice(1).map((series) => series[0])).toEqual(
      groups.map((name) => (name === OTHER_GROUPS ? 30 : name === 'user-1' ? 9 : 4)),
    );
  });

  it('offers the summary’s latency avg/p90/p99, distinct users and cache hit rate, and its status groups', () => {
    expect(METRICS.map(([id]) => id)).toEqual([
      'requests',
      'errors',
      'latency_avg_ms',
      'latency_p50_ms',
      'latency_p90_ms',
      'latency_p95_ms',
      'latency_p99_ms',
      'total_tokens',
      'cost',
      'users',
      'cache_hit_rate',
    ]);
    expect(GROUPS.map(([id]) => id)).toEqual([
      'model',
      'provider',
      'virtual_key',
      'user',
      'status',
      'cache_status',
      'error_code',
    ]);
    expect(metricLabel('latency_p99_ms')).toBe('Latency p99 (ms)');
    expect(groupName('error_code')).toBe('error code');
    expect(groupName('user')).toBe('_user');
    expect(groupName('metadata.team')).toBe('metadata.team');
    expect(metricLabel('something_else')).toBe('something_else');
  });

  it('reads each metric of a summary row, the cache hit rate in percent', () => {
    const row = {
      bucket: '2026-01-01T00:00:00.000Z',
      group: '200',
      requests: 4,
      latency_avg_ms: 12.5,
      latency_p90_ms: 20,
      latency_p99_ms: 31.75,
      users: 2,
      cache_hit_rate: 0.3333,
    };
    expect(metricOf(row, 'latency_avg_ms')).toBe(12.5);
    expect(metricOf(row, 'latency_p90_ms')).toBe(20);
    expect(metricOf(row, 'latency_p99_ms')).toBe(31.75);
    expect(metricOf(row, 'users')).toBe(2);
    expect(metricOf(row, 'cache_hit_rate')).toBe(33.33);
    expect(metricOf({ ...row, cache_hit_rate: 1 }, 'cache_hit_rate')).toBe(100);
    expect(metricOf(row, 'cost')).toBeNull();
    expect(toSeries([row], 'cache_hit_rate').data).toEqual([[Date.parse(row.bucket) / 1000], [33.33]]);
  });

  it('draws the summary’s period on the x axis (seconds), or leaves the range to uPlot without one', () => {
    expect(periodOf({ from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' })).toEqual([
      Date.parse('2026-01-01T00:00:00.000Z') / 1000,
      Date.parse('2026-01-02T00:00:00.000Z') / 1000,
    ]);
    // An hour bucket that starts before `from` is drawn whole.
    expect(
      periodOf({
        from: '2026-01-01T00:30:00.000Z',
        to: '2026-01-02T00:30:00.000Z',
        data: [{ bucket: '2026-01-01T00:00:00.000Z' }, { bucket: '2026-01-01T05:00:00.000Z' }],
      }),
    ).toEqual([Date.parse('2026-01-01T00:00:00.000Z') / 1000, Date.parse('2026-01-02T00:30:00.000Z') / 1000]);
    expect(periodOf({})).toBeNull();
    expect(periodOf({ from: 'yesterday', to: '2026-01-02T00:00:00.000Z' })).toBeNull();
    expect(periodOf({ from: '2026-01-02T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z' })).toBeNull();
  });
});
