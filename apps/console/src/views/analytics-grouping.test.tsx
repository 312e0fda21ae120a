import { render } from 'preact';
import { describe, expect, it, vi } from 'vitest';
import { flushRenders, testRoot } from '../test-dom.js';

// uPlot draws on a canvas the test DOM lacks; the chart is not what these tests read.
vi.mock('uplot', () => ({
  default: class {
    destroy() {}
  },
}));
vi.mock('uplot/dist/uPlot.min.css', () => ({}));

const { AnalyticsView } = await import('./analytics.js');
const { OutcomesPanel } = await import('./analytics-outcomes.js');

const root = testRoot();

const flush = () => flushRenders(8);

/**
 * Preact renders a state change in a microtask and runs effects after the next frame: awaiting a few
 * microtasks (no `act`, which would run the effects too) leaves the DOM as the first render after the
 * change drew it, the one a user sees first.
 */
const firstRender = async () => {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
};

/** Answers each summary call when the test says, by its `group_by` (or route, for the outcomes). */
function heldAnswers(): Map<string, (body: unknown) => void> {
  const waiting = new Map<string, (body: unknown) => void>();
  vi.stubGlobal(
    'fetch',
    (url: string) =>
      new Promise<Response>((resolve) => {
        const parsed = new URL(url, 'http://console.test');
        const key =
          parsed.pathname === '/console/api/analytics/summary'
            ? `group_by=${parsed.searchParams.get('group_by')}`
            : `${parsed.pathname}?${parsed.searchParams.get('time_of_generation_min') ?? ''}`;
        waiting.set(key, (body) =>
          resolve(
            new Response(JSON.stringify(body), {
              status: 200,
              headers: { 'content-type': 'application/json' },
            }),
          ),
        );
      }),
  );
  return waiting;
}

const byModel = {
  data: [
    { bucket: '2026-01-01T00:00:00.000Z', group: 'gpt-4o', requests: 5, errors: 1, cost: 0.5 },
    { bucket: '2026-01-01T00:00:00.000Z', group: 'gpt-4o-mini', requests: 3, errors: 0, cost: 0.1 },
  ],
};

const totalsShown = () => ({
  caption: root().querySelector('table.data caption')?.textContent ?? '',
  rows: [...root().querySelectorAll('table.data tbody tr')].map(
    (row) => row.querySelector('td')?.textContent,
  ),
});

const choose = (label: string, value: string) => {
  const select = [...root().querySelectorAll('label')]
    .find((each) => each.firstChild?.textContent?.trim() === label)
    ?.querySelector('select') as HTMLSelectElement;
  select.value = value;
  select.dispatchEvent(new Event('change'));
};

describe('the analytics view', () => {
  it('never shows one grouping’s figures under another’s caption, not even for one render', async () => {
    const answers = heldAnswers();
    render(<AnalyticsView />, root());
    await flush();
    answers.get('group_by=model')?.({ ...byModel });
    await flush();
    expect(totalsShown()).toEqual({ caption: 'Totals by model', rows: ['gpt-4o', 'gpt-4o-mini'] });

    // A metadata key not yet typed: the prompt, and no figures, from the first render.
    choose('Group by', 'metadata');
    await firstRender();
    expect(root().querySelector('[role="status"]')?.textContent).toContain('Type the metadata key');
    expect(totalsShown().rows).toEqual([]);

    // Another grouping: its caption, and no rows until its own answer arrives.
    choose('Group by', 'provider');
    await firstRender();
    expect(totalsShown()).toEqual({ caption: 'Totals by provider', rows: [] });
    await flush();
    expect(totalsShown().rows).toEqual([]);
    answers.get('group_by=provider')?.({
      data: [{ bucket: '2026-01-01T00:00:00.000Z', group: 'openai', requests: 8, errors: 1, cost: 0.6 }],
    });
    await flush();
    expect(totalsShown()).toEqual({ caption: 'Totals by provider', rows: ['openai'] });

    // Back to the model: the earlier answer is asked for again, never shown from before.
    choose('Group by', 'model');
    await firstRender();
    expect(totalsShown()).toEqual({ caption: 'Totals by model', rows: [] });
  });

  it('drops an answer that arrives after the user left its grouping', async () => {
    const answers = heldAnswers();
    render(<AnalyticsView />, root());
    await flush();
    const late = answers.get('group_by=model');
    choose('Group by', 'provider');
    await flush();
    late?.({ ...byModel });
    await flush();
    expect(totalsShown()).toEqual({ caption: 'Totals by provider', rows: [] });
  });

  it('opens on the choices the address holds and keeps each new one there, so a reload shows the same', async () => {
    const answers = heldAnswers();
    render(<AnalyticsView search={new URLSearchParams('group_by=metadata.team&hours=168')} />, root());
    await flush();
    expect(answers.has('group_by=metadata.team')).toBe(true);
    const selected = (label: string) =>
      [...root().querySelectorAll('label')]
        .find((each) => each.firstChild?.textContent?.trim() === label)
        ?.querySelector<HTMLInputElement | HTMLSelectElement>('select, input')?.value;
    expect([selected('Group by'), selected('Metadata key'), selected('Period')]).toEqual([
      'metadata',
      'team',
      '168',
    ]);
    choose('Metric', 'cost');
    await flush();
    expect(window.location.pathname).toBe('/console/analytics');
    expect(new URLSearchParams(window.location.search).toString()).toBe(
      'metric=cost&group_by=metadata.team&hours=168',
    );
  });
});

describe('the outcomes panel', () => {
  it('shows the last period’s outcomes as loading from the render that changes the period', async () => {
    const answers = heldAnswers();
    render(<OutcomesPanel hours={24} />, root());
    await flush();
    for (const [key, reply] of answers)
      if (key.startsWith('/console/api/analytics/summary/cache'))
        reply({
          summary: { total: 10, hits: 4, misses: 6, avg_latency_hit_ms: 3, avg_latency_miss_ms: 300 },
        });
    await flush();
    const cacheGroup = () => root().querySelector('#outcomes-cache')?.parentElement?.textContent ?? '';
    expect(cacheGroup()).not.toContain('Loading');

    render(<OutcomesPanel hours={1} />, root());
    await firstRender();
    expect(cacheGroup()).toContain('Loading…');
  });
});
