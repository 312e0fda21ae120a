import { render } from 'preact';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { showBidiControls } from '../log-record.js';
import { flushRenders, testRoot } from '../test-dom.js';

// uPlot draws on a canvas the test DOM lacks: a stand-in keeps the series labels the view gives it.
const charts: { series: { label?: string }[] }[] = [];
vi.mock('uplot', () => ({
  default: class {
    constructor(options: { series: { label?: string }[] }) {
      charts.push(options);
    }
    destroy() {}
  },
}));
vi.mock('uplot/dist/uPlot.min.css', () => ({}));

const { AnalyticsView } = await import('./analytics.js');
const { LogsView } = await import('./logs.js');
const { RequestView } = await import('./request.js');
const { TraceView } = await import('./trace.js');

/** The probe's user id: Arabic, then a right-to-left override that turns `evil.exe` into `exe.live`. */
const USER = 'مستخدم \u202eevil.exe';
const SHOWN = 'مستخدم \\u202Eevil.exe';
const CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

const root = testRoot();
beforeEach(() => {
  charts.length = 0;
});

const flush = () => flushRenders(8);

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

const record = {
  id: 'log_rtl',
  created_at: '2026-01-01T00:00:00.000Z',
  trace_id: `trace-\u202etxt.exe`,
  span_name: `span \u2067name\u2069`,
  status: 200,
  provider: 'openai',
  model: 'gpt-4o-mini',
  cost: 0.001,
  cost_status: 'priced',
  metadata: { _user: USER, 'key\u202e': 'value\u200f' },
  attempts: [],
};

/** The text of the `<bdi>` elements under `element`. */
const isolated = (element: Element | null | undefined) =>
  [...(element?.querySelectorAll('bdi') ?? [])].map((bdi) => bdi.textContent);

describe('right-to-left and other direction controls in what users send', () => {
  it('are shown as escapes, never applied', () => {
    expect(showBidiControls(USER)).toBe(SHOWN);
    expect(showBidiControls('a\u061Cb\u200Ec\u200Fd\u202Ae\u2066f\u2069')).toBe(
      'a\\u061Cb\\u200Ec\\u200Fd\\u202Ae\\u2066f\\u2069',
    );
    expect(showBidiControls('plain العربية')).toBe('plain العربية');
  });

  it('in the logs table: each user value isolated, its controls shown', async () => {
    answer({ '/console/api/logs': { data: [record], next_cursor: null } });
    render(<LogsView search={new URLSearchParams()} />, root());
    await flush();
    const row = root().querySelector('.table-scroll tbody tr:not(.spacer)');
    expect(row?.querySelectorAll('td')[9]?.textContent).toBe(SHOWN);
    expect(isolated(row)).toContain(SHOWN);
    expect(isolated(row)).toContain('trace-\\u202Etxt.exe');
    expect(row?.textContent).not.toMatch(CONTROLS);
    // The escape is a mark of its own (left to right, boxed), not the six characters typed.
    const user = row?.querySelectorAll('td')[9];
    expect([...(user?.querySelectorAll('.bidi-mark') ?? [])].map((mark) => mark.textContent)).toEqual([
      '\\u202E',
    ]);
    expect(user?.querySelector('.bidi-mark')?.getAttribute('dir')).toBe('ltr');
  });

  it('in the filter form: a value with direction controls is named with its escapes', async () => {
    answer({ '/console/api/logs': { data: [], next_cursor: null } });
    render(<LogsView search={new URLSearchParams({ 'metadata._user': USER, model: 'gpt\u202e' })} />, root());
    await flush();
    const note = root().querySelector('[data-testid="bidi-filter"]');
    expect(note?.textContent).toContain(`Metadata value of _user ${SHOWN}`);
    expect(note?.textContent).toContain('Model gpt\\u202E');
    expect(note?.textContent).not.toMatch(CONTROLS);
  });

  it('in a request’s detail and its trace’s waterfall', async () => {
    answer({ '/console/api/logs/log_rtl': record });
    render(<RequestView id="log_rtl" />, root());
    await flush();
    const metadata = root().querySelector('table[aria-label="Metadata"]');
    expect(isolated(metadata)).toEqual(expect.arrayContaining(['key\\u202E', 'value\\u200F', SHOWN]));
    const links = [...root().querySelectorAll('p')].find((p) => p.textContent?.includes('Back to logs'));
    expect(isolated(links)).toEqual(['trace-\\u202Etxt.exe']);
    expect(root().textContent).not.toMatch(CONTROLS);

    answer({ [`/console/api/traces/${encodeURIComponent('trace-\u202etxt.exe')}`]: { requests: [record] } });
    render(<TraceView traceId={'trace-\u202etxt.exe'} />, root());
    await flush();
    expect(isolated(root().querySelector('h1'))).toEqual(['trace-\\u202Etxt.exe']);
    expect(isolated(root().querySelector('[data-testid="span"]'))).toContain('span \\u2067name\\u2069');
    expect(root().textContent).not.toMatch(CONTROLS);
  });

  it('in the analytics groups: the totals and the chart’s legend', async () => {
    answer({
      '/console/api/analytics/summary': {
        data: [{ bucket: '2026-01-01T00:00:00.000Z', group: USER, requests: 3, errors: 0, cost: 0.1 }],
      },
    });
    render(<AnalyticsView />, root());
    await flush();
    const cell = root().querySelector('table.data tbody td');
    expect(isolated(cell)).toEqual([SHOWN]);
    expect(charts.at(-1)?.series.map((series) => series.label)).toContain(SHOWN);
    expect(root().textContent).not.toMatch(CONTROLS);
  });
});
