import type { SummaryRow } from '@pk/store';
import { describe, expect, it } from 'vitest';
import { bucketOf, graphOf, graphQueryOf } from './analytics-graphs.js';

const HOUR = 3_600_000;

describe('analytics graphs', () => {
  it('reads Portkey’s query: the range, buckets by its span, the filters, paging', () => {
    const query = graphQueryOf({
      time_of_generation_min: '2026-12-01T10:00:00Z',
      time_of_generation_max: '2026-12-01T11:00:00Z',
      metadata: '{"team":"a"}',
      ai_org_model: 'openai__gpt-4o-mini',
      status_code: '200',
      current_page: '1',
      page_size: '10',
    });
    expect(query).toMatchObject({
      from: Date.parse('2026-12-01T10:00:00Z'),
      to: Date.parse('2026-12-01T11:00:00Z'),
      bucketMs: 60_000,
      filter: { provider: 'openai', model: 'gpt-4o-mini', status: 200, metadata: [['team', 'a']] },
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
});
