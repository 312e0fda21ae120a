import type { SummaryRow } from '@pk/store';
import { describe, expect, it } from 'vitest';
import {
  bucketOf,
  cacheSummaryOf,
  graphOf,
  graphQueryOf,
  rescuedGraphOf,
  statusGraphOf,
} from './analytics-graphs.js';

const HOUR = 3_600_000;

describe('analytics graphs', () => {
  it('reads Portkey’s query: the range, buckets by its span, the filters, paging', () => {
    const query = graphQueryOf({
      time_of_generation_min: '2026-12-01T10:00:00Z',
      time_of_generation_max: '2026-12-01T11:00:00Z',
      metadata: '{"team":"a"}',
      ai_org_model: 'openai__gpt-4o-mini',
      status_code: '200',
      error_code: 'server_error',
      failed: 'true',
      current_page: '1',
      page_size: '10',
    });
    expect(query).toMatchObject({
      from: Date.parse('2026-12-01T10:00:00Z'),
      to: Date.parse('2026-12-01T11:00:00Z'),
      bucketMs: 60_000,
      filter: {
        provider: 'openai',
        model: 'gpt-4o-mini',
        status: 200,
        errorCode: 'server_error',
        failed: true,
        metadata: [['team', 'a']],
      },
      page: 1,
      pageSize: 10,
    });
    expect(bucketOf(0, 2 * HOUR)).toBe(60_000);
    expect(bucketOf(0, 2 * HOUR + 1)).toBe(HOUR);
    expect(bucketOf(0, 48 * HOUR)).toBe(HOUR);
    expect(bucketOf(0, 48 * HOUR + 1)).toBe(24 * HOUR);
  });

  it('refuses a missing range, ranges of tokens or cost, unknown filters and bad metadata, naming them', () => {
    const refusal = (query: Record<string, unknown>) => {
      try {
        graphQueryOf({
          time_of_generation_min: '2026-12-01',
          time_of_generation_max: '2026-12-02',
          ...query,
        });
      } catch (error) {
        return (error as Error).message;
      }
      return undefined;
    };
    expect(refusal({ time_of_generation_max: undefined })).toContain('time_of_generation_max is required');
    expect(refusal({ total_units_min: '5' })).toContain('token or cost ranges');
    expect(refusal({ workspace_slug: 'ws' })).toContain('workspace_slug is not a filter pk charts by');
    expect(refusal({ metadata: '[object Object]' })).toContain('metadata must be a JSON object');
    expect(refusal({ page_size: '0' })).toContain('page_size');
    expect(refusal({ failed: '1' })).toContain('failed must be true or false');
  });

  it('draws every bucket of the range, zeros where the summary has no row, costs in cents', () => {
    const query = graphQueryOf({
      time_of_generation_min: '2026-12-01T10:00:30Z',
      time_of_generation_max: '2026-12-01T10:03:00Z',
    });
    const row = (bucket: string, requests: number, cost: number): SummaryRow =>
      ({ bucket, group: null, requests, cost, errors: 0 }) as unknown as SummaryRow;
    const whole = row('', 3, 0.00003);
    const graph = graphOf('cost', query, whole, [row('2026-12-01T10:01:00.000Z', 3, 0.00003)]);
    expect(graph).toEqual({
      summary: { total: 0.003, avg: 0.001 },
      data_points: [
        { timestamp: '2026-12-01T10:00:00.000Z', total: 0, avg: 0 },
        { timestamp: '2026-12-01T10:01:00.000Z', total: 0.003, avg: 0.001 },
        { timestamp: '2026-12-01T10:02:00.000Z', total: 0, avg: 0 },
      ],
      object: 'analytics-graph',
    });
  });

  const threeHours = graphQueryOf({
    time_of_generation_min: '2026-12-01T10:00:00Z',
    time_of_generation_max: '2026-12-01T13:00:00Z',
  });
  const at = (hour: number) => new Date(Date.UTC(2026, 11, 1, hour)).toISOString();

  it('draws errors by status: an error status’s requests, and a 200’s streams that failed after it', () => {
    const query = graphQueryOf({
      time_of_generation_min: '2026-12-01T10:00:00Z',
      time_of_generation_max: '2026-12-01T10:02:00Z',
    });
    const row = (bucket: string, status: number, requests: number, errors: number): SummaryRow =>
      ({ bucket, group: String(status), requests, errors }) as unknown as SummaryRow;
    const first = '2026-12-01T10:00:00.000Z';
    const second = '2026-12-01T10:01:00.000Z';
    // 40 answered 200 of which 2 streams failed after their start; 3 were 502s; 10 were 201s.
    const rows = [
      row(first, 200, 30, 2),
      row(first, 502, 3, 3),
      row(second, 200, 10, 0),
      row(second, 201, 10, 0),
    ];
    expect(statusGraphOf('errors/status-codes', query, rows)).toEqual({
      summary: { total_errors: 5, unique_error_codes: 2 },
      data_points: [
        { status_code: 502, count: 3 },
        { status_code: 200, count: 2 },
      ],
      object: 'analytics-graph',
    });
    expect(statusGraphOf('errors/stacks', query, rows)).toEqual({
      summary: { total: 5 },
      data_points: [
        {
          timestamp: first,
          stats: [
            { response_status_code: 200, count: 2 },
            { response_status_code: 502, count: 3 },
          ],
        },
        { timestamp: second, stats: [] },
      ],
      object: 'analytics-graph',
    });
  });

  it('draws rescued requests: retries by count and fallbacks per bucket, a request of both in both', () => {
    const graph = rescuedGraphOf(threeHours, [
      { bucket: at(10), retries: 1, fallback: false, requests: 3 },
      { bucket: at(10), retries: 2, fallback: false, requests: 1 },
      { bucket: at(10), retries: 0, fallback: true, requests: 2 },
      { bucket: at(12), retries: 1, fallback: true, requests: 1 },
    ]);
    expect(graph).toEqual({
      summary: { retry: 5, fallback: 3 },
      data_points: [
        {
          timestamp: at(10),
          retry: [
            { retry_success_count: 1, count: 3 },
            { retry_success_count: 2, count: 1 },
          ],
          fallback: 2,
        },
        { timestamp: at(11), retry: [], fallback: 0 },
        { timestamp: at(12), retry: [{ retry_success_count: 1, count: 1 }], fallback: 1 },
      ],
      object: 'analytics-graph',
    });
  });

  it('summarises the cache against the requests not answered from it', () => {
    const row = (group: string | null, requests: number, latency: number) =>
      ({ bucket: at(10), group, requests, latency_avg_ms: latency }) as SummaryRow;
    expect(
      cacheSummaryOf([row('HIT', 3, 2), row('SEMANTIC HIT', 1, 6), row('MISS', 2, 100), row(null, 2, 60)]),
    ).toEqual({
      // Hits average (3 × 2 + 6) / 4 = 3 ms; the rest (200 + 120) / 4 = 80 ms.
      summary: { hits: 4, avg_latency: 3, total_requests: 8, cache_speedup: 96.25 },
      object: 'analytics-summary',
    });
    expect(cacheSummaryOf([row('MISS', 2, 100)]).summary).toEqual({
      hits: 0,
      avg_latency: 0,
      total_requests: 2,
      cache_speedup: 0,
    });
    expect(cacheSummaryOf([]).summary).toEqual({
      hits: 0,
      avg_latency: 0,
      total_requests: 0,
      cache_speedup: 0,
    });
  });
});
