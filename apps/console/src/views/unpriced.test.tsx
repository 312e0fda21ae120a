import { render } from 'preact';
import { act } from 'preact/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { LogRecord } from '../log-record.js';
import { flushRenders, testRoot } from '../test-dom.js';

// uPlot draws on a canvas the test DOM lacks: a stand-in keeps the options the view gives it, so
// the test reads what the chart's legend (its tooltip) would say for each point.
const charts: { series: { label?: string; value?: unknown }[]; data: (number | null)[][] }[] = [];
vi.mock('uplot', () => ({
  default: class {
    constructor(options: { series: { label?: string; value?: unknown }[] }, data: (number | null)[][]) {
      charts.push({ ...options, data });
    }
    destroy() {}
  },
}));
vi.mock('uplot/dist/uPlot.min.css', () => ({}));

const { AnalyticsView } = await import('./analytics.js');
const { LogsView } = await import('./logs.js');
const { RequestView } = await import('./request.js');

const root = testRoot();
beforeEach(() => {
  charts.length = 0;
});

const flush = () => flushRenders(8);

/** The console API answered by route (the path without its query). */
function answer(byRoute: Record<string, unknown>): void {
  vi.stubGlobal('fetch', async (url: string) => {
    const path = new URL(url, 'http://console.test').pathname;
    const body = byRoute[path] ?? (path.startsWith('/console/api/analytics/') ? { summary: {} } : {});
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  });
}

/** A record of a model the price table does not know, as `GET /v1/logs` answers it. */
const unpriced: LogRecord = {
  id: 'log_unpriced',
  created_at: '2026-01-01T00:00:00.000Z',
  status: 200,
  provider: 'openai',
  model: 'house-unknown-model',
  usage: { total_tokens: 2000 },
  cost: null,
  cost_status: 'unknown_price',
  metadata: {},
};

describe('a cost the gateway could not price', () => {
  it('is “unpriced” in the logs table and the request’s detail, never $0 or a bare dash', async () => {
    const noUsage = { ...unpriced, id: 'log_no_usage', cost_status: 'no_usage' };
    const failed = { ...unpriced, id: 'log_failed', status: 502, cost_status: null };
    answer({ '/console/api/logs': { data: [unpriced, noUsage, failed], next_cursor: null } });
    render(<LogsView search={new URLSearchParams()} />, root());
    await flush();
    const costs = [...root().querySelectorAll('.table-scroll tbody tr:not(.spacer)')].map(
      (row) => row.querySelectorAll('td')[5]?.textContent,
    );
    expect(costs).toEqual(['unpriced', 'unpriced (no usage)', '—']);

    answer({ '/console/api/logs/log_unpriced': unpriced });
    render(<RequestView id="log_unpriced" />, root());
    await flush();
    const cost = [...root().querySelectorAll('dt')].find((term) => term.textContent === 'Cost');
    expect(cost?.nextElementSibling?.textContent).toBe('unpriced');
  });

  it('is “unpriced” with its count in the analytics totals and the chart’s legend, the priced part beside it', async () => {
    const hour = (h: number) => `2026-01-01T0${h}:00:00.000Z`;
    answer({
      '/console/api/analytics/summary': {
        from: hour(0),
        to: hour(3),
        data: [
          // Every request of the unknown model unpriced: the summary's cost is 0 for it.
          {
            bucket: hour(0),
            group: 'house-unknown-model',
            requests: 40_000,
            errors: 0,
            cost: 0,
            unpriced_requests: 40_000,
          },
          {
            bucket: hour(1),
            group: 'house-unknown-model',
            requests: 374,
            errors: 0,
            cost: 0,
            unpriced_requests: 374,
          },
          // Some priced, some not (a price added during the period), one failed.
          { bucket: hour(0), group: 'gpt-4o', requests: 6, errors: 1, cost: 0.25, unpriced_requests: 2 },
          { bucket: hour(1), group: 'gpt-4o', requests: 2, errors: 0, cost: 0.5, unpriced_requests: 0 },
        ],
      },
    });
    render(<AnalyticsView />, root());
    await flush();
    const totals = [...root().querySelectorAll('table.data tbody tr')].map((row) =>
      [...row.querySelectorAll('td')].map((cell) => cell.textContent),
    );
    expect(totals).toContainEqual(['house-unknown-model', '40374', '0', 'unpriced (40374 requests)']);
    expect(totals).toContainEqual(['gpt-4o', '8', '1', '$0.7500 + 2 unpriced']);

    const select = root().querySelector('select') as HTMLSelectElement;
    select.value = 'cost';
    await act(() => {
      select.dispatchEvent(new Event('change'));
    });
    await flush();
    const chart = charts.at(-1);
    const legend = (label: string, value: number | null, index: number) => {
      const series = chart?.series.find((each) => each.label === label);
      const format = series?.value as (plot: unknown, value: number | null, s: number, i: number) => string;
      expect(format).toBeTypeOf('function');
      return format(null, value, 1, index);
    };
    // An unpriced bucket is no point on the cost chart (not a 0), and its legend says why.
    const unknownSeries = chart?.series.findIndex((each) => each.label === 'house-unknown-model') ?? -1;
    expect(unknownSeries).toBeGreaterThan(0);
    expect(chart?.data[unknownSeries]).toEqual([null, null]);
    expect(legend('house-unknown-model', null, 0)).toBe('unpriced (40000 requests)');
    expect(legend('gpt-4o', 0.25, 0)).toBe('$0.2500 + 2 unpriced');
    expect(legend('gpt-4o', 0.5, 1)).toBe('$0.5000');
  });
});
