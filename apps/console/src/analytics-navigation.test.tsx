import { render } from 'preact';
import { describe, expect, it, vi } from 'vitest';
import { flushRenders, testRoot } from './test-dom.js';

// uPlot draws on a canvas the test DOM lacks; the chart is not what this test reads.
vi.mock('uplot', () => ({
  default: class {
    destroy() {}
  },
}));
vi.mock('uplot/dist/uPlot.min.css', () => ({}));

const { App } = await import('./app.js');

const root = testRoot();

/** The console API: signed in (an admin key), no analytics yet. */
function answerApi(): void {
  vi.stubGlobal('fetch', async (url: string) => {
    const path = new URL(url, 'http://console.test').pathname;
    const body =
      path === '/console/api/session'
        ? {
            signed_in: true,
            keyless: false,
            key: { id: 'admin', name: 'admin', role: 'admin', tenant: 'admin' },
            csrf_token: 'csrf',
          }
        : { data: [] };
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  });
}

const select = (label: string) =>
  [...root().querySelectorAll('label')]
    .find((each) => each.firstChild?.textContent?.trim() === label)
    ?.querySelector('select') as HTMLSelectElement | undefined;

/** Waits (up to 5 s) for the analytics view, loaded on demand with its chart library. */
async function analyticsShown(): Promise<void> {
  const until = Date.now() + 5000;
  while (select('Metric') === undefined && Date.now() < until) await flushRenders(1);
  await flushRenders();
}

const choose = (label: string, value: string) => {
  const element = select(label) as HTMLSelectElement;
  element.value = value;
  element.dispatchEvent(new Event('change'));
};

const navLink = (name: string) =>
  [...root().querySelectorAll('nav a')].find((link) => link.textContent === name) as HTMLAnchorElement;

describe('the Analytics link', () => {
  it('resets the analytics view to its defaults when followed from the analytics view itself', async () => {
    answerApi();
    window.history.replaceState(null, '', '/console/analytics');
    render(<App />, root());
    await analyticsShown();
    choose('Metric', 'cost');
    await flushRenders();
    choose('Period', '168');
    await flushRenders();
    expect(window.location.search).toBe('?metric=cost&hours=168');

    navLink('Analytics').dispatchEvent(
      new MouseEvent('click', { bubbles: true, cancelable: true, button: 0 }),
    );
    await analyticsShown();
    expect(window.location.pathname + window.location.search).toBe('/console/analytics');
    expect([select('Metric')?.value, select('Period')?.value]).toEqual(['requests', '24']);
    expect(root().querySelector('[role="img"]')?.getAttribute('aria-label')).toBe(
      'Requests over time by model',
    );
  });
});
