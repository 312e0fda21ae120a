import { render } from 'preact';
import { act } from 'preact/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { flushRenders, testRoot } from '../test-dom.js';
import { OutcomesPanel } from './analytics-outcomes.js';

const root = testRoot();

const flush = () => flushRenders();

/** The console API answered by route (the path without its query); `undefined` answers a 503. */
function answer(byRoute: Record<string, unknown>): URL[] {
  const calls: URL[] = [];
  vi.stubGlobal('fetch', async (url: string) => {
    const parsed = new URL(url, 'http://console.test');
    calls.push(parsed);
    const body = byRoute[parsed.pathname];
    if (body === undefined)
      return new Response(
        JSON.stringify({ error: { message: 'the store is unavailable', code: 'PK_ERR_STORE_UNAVAILABLE' } }),
        { status: 503, headers: { 'content-type': 'application/json' } },
      );
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  });
  return calls;
}

const termsAndValues = (group: Element | null | undefined) =>
  [...(group?.querySelectorAll('dl > div') ?? [])].map((item) => [
    item.querySelector('dt')?.textContent,
    item.querySelector('dd')?.textContent,
  ]);
const groupTitled = (title: string) =>
  [...root().querySelectorAll('.outcome-group')].find(
    (group) => group.querySelector('h3')?.textContent === title,
  );

describe('the outcomes panel', () => {
  it('asks Portkey’s routes for the period and shows each group as a definition list', async () => {
    const calls = answer({
      '/console/api/analytics/summary/cache': {
        summary: { hits: 2, avg_latency: 3, total_requests: 10, cache_speedup: 90 },
      },
      '/console/api/analytics/graphs/requests/rescued': { summary: { retry: 1, fallback: 4 } },
      '/console/api/analytics/graphs/feedbacks': { summary: { total: 3 } },
      '/console/api/analytics/graphs/feedbacks/weighted': { summary: { avg: 2.5 } },
    });
    const before = Date.now();
    await act(async () => render(<OutcomesPanel hours={24} />, root()));
    await flush();
    expect(root().querySelector('h2')?.textContent).toBe('Outcomes over the period');
    expect(termsAndValues(groupTitled('Cache'))).toEqual([
      ['Cache hits', '2'],
      ['Requests in the period', '10'],
      ['Average latency of a hit', '3 ms'],
      ['Speed-up of a hit', '90% faster than the other requests'],
    ]);
    expect(termsAndValues(groupTitled('Rescued requests'))).toEqual([
      ['Rescued by retries', '1'],
      ['Rescued by a fallback', '4'],
    ]);
    expect(termsAndValues(groupTitled('Feedback'))).toEqual([
      ['Feedback given', '3'],
      ['Average weighted value', '2.5'],
    ]);
    expect(calls).toHaveLength(4);
    for (const call of calls) {
      const min = Date.parse(call.searchParams.get('time_of_generation_min') ?? '');
      const max = Date.parse(call.searchParams.get('time_of_generation_max') ?? '');
      expect(max - min).toBe(24 * 3600_000);
      expect(max).toBeGreaterThanOrEqual(before);
    }
  });

  it('shows a failing call’s error in its group and the others’ figures', async () => {
    answer({
      '/console/api/analytics/summary/cache': {
        summary: { hits: 0, avg_latency: 0, total_requests: 0, cache_speedup: 0 },
      },
      '/console/api/analytics/graphs/requests/rescued': { summary: { retry: 0, fallback: 0 } },
      // The weighted feedback fails: the feedback group shows the error, not a blank.
      '/console/api/analytics/graphs/feedbacks': { summary: { total: 1 } },
    });
    await act(async () => render(<OutcomesPanel hours={1} />, root()));
    await flush();
    const feedback = groupTitled('Feedback');
    expect(feedback?.querySelector('[role="alert"]')?.textContent).toContain('the store is unavailable');
    expect(feedback?.querySelector('dl')).toBeNull();
    expect(termsAndValues(groupTitled('Rescued requests'))).toEqual([
      ['Rescued by retries', '0'],
      ['Rescued by a fallback', '0'],
    ]);
    expect(groupTitled('Cache')?.querySelector('[role="alert"]')).toBeNull();
  });
});
