import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LogRecord } from '../log-record.js';
import { TAIL_MAX_PAGES, TAIL_PAGE } from '../logs-tail.js';
import { flushRenders, testRoot } from '../test-dom.js';
import { LogsView } from './logs.js';

const root = testRoot();
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const flush = () => flushRenders(20);

const START = Date.parse('2026-01-01T00:00:00.000Z');
/** The `n`th record of the log, `n` seconds after the start (ids sort as the store's do). */
const recordAt = (n: number, late = 0): LogRecord => ({
  id: `log_${String(n).padStart(6, '0')}${late ? 'late' : ''}`,
  created_at: new Date(START + n * 1000 - late).toISOString(),
  status: 200,
  provider: 'openai',
  model: 'gpt-4o-mini',
  metadata: { _user: late ? `late-${n}` : `user-${n}` },
});

/**
 * The logs API over an array kept newest first, with its keyset paging (`limit`, `cursor`): what the
 * console gets from `GET /console/api/logs`.
 */
function logsApi(
  records: LogRecord[],
  hold?: { gate: Promise<void> | null; down?: boolean },
): { calls: string[] } {
  const calls: string[] = [];
  vi.stubGlobal('fetch', async (url: string) => {
    calls.push(url);
    if (hold?.gate) await hold.gate;
    // The gateway stopped: the browser gets no answer at all.
    if (hold?.down) throw new TypeError('Failed to fetch');
    let body: unknown = { object: 'list', data: [] };
    if (url.startsWith('/console/api/logs?')) {
      const params = new URL(url, 'http://console').searchParams;
      const limit = Number(params.get('limit'));
      const cursor = params.get('cursor');
      const sorted = [...records].sort((a, b) =>
        a.created_at === b.created_at
          ? a.id < b.id
            ? 1
            : -1
          : String(a.created_at) < String(b.created_at)
            ? 1
            : -1,
      );
      const start = cursor === null ? 0 : sorted.findIndex((record) => record.id === cursor) + 1;
      const data = sorted.slice(start, start + limit);
      const last = data.at(-1);
      body = { data, next_cursor: start + limit < sorted.length && last ? last.id : null };
    }
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  });
  return { calls };
}

const shownText = () => root().querySelector('.toolbar [aria-live]')?.textContent ?? '';
const button = (name: string) =>
  [...root().querySelectorAll('button')].find((element) => element.textContent === name) as
    | HTMLButtonElement
    | undefined;

describe('the logs view’s empty state', () => {
  it('says nothing matches only once the first page came back empty, not while it loads', async () => {
    let open: () => void = () => undefined;
    const hold = { gate: new Promise<void>((resolve) => (open = resolve)) as Promise<void> | null };
    logsApi([], hold);
    render(<LogsView search={new URLSearchParams('trace_id=nothing-has-this')} />, root());
    // The first paint, before the page is asked for: not "No request matches these filters."
    expect(root().querySelector('[data-testid="empty-row"]')).toBeNull();
    await flush();
    expect(root().querySelector('[data-testid="empty-row"]')).toBeNull();
    open();
    await flush();
    expect(root().querySelector('[data-testid="empty-row"]')?.textContent).toBe(
      'No request matches these filters.',
    );
  });
});

describe('the logs view’s live tail', () => {
  it('shows every record a burst brings, more than a poll reads as a gap that Load them fills, none twice', async () => {
    const records = Array.from({ length: 60 }, (_, n) => recordAt(n));
    logsApi(records);
    render(<LogsView search={new URLSearchParams()} />, root());
    await flush();
    expect(shownText()).toContain('50 shown, more below');
    const tail = root().querySelector('.toolbar input[type="checkbox"]') as HTMLInputElement;
    await act(() => tail.click());
    // A burst of 700 between two polls: more than one poll reads (5 pages of 100).
    const burst = 700;
    expect(burst).toBeGreaterThan(TAIL_PAGE * TAIL_MAX_PAGES);
    for (let n = 60; n < 60 + burst; n += 1) records.push(recordAt(n));
    await act(() => {
      vi.advanceTimersByTime(2000);
    });
    await flush();
    expect(shownText()).toContain(`${50 + TAIL_PAGE * TAIL_MAX_PAGES} shown`);
    const gaps = root().querySelectorAll('[data-testid="tail-gap"]');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]?.textContent).toContain('are not shown yet');
    await act(() => button('Load them')?.click());
    await flush();
    expect(shownText()).toContain(`${50 + burst} shown, more below`);
    expect(root().querySelectorAll('[data-testid="tail-gap"]')).toHaveLength(0);
    // A poll with nothing new adds nothing; the rest below comes once each.
    await act(() => {
      vi.advanceTimersByTime(2000);
    });
    await flush();
    await act(() => button('Load more')?.click());
    await flush();
    expect(shownText()).toBe(`${60 + burst} shown · first page in ${shownText().split('first page in ')[1]}`);
    expect(button('Load more')).toBeUndefined();
  });

  it('places a record logged late (an earlier time than the newest shown) where it belongs', async () => {
    const records = Array.from({ length: 10 }, (_, n) => recordAt(n));
    logsApi(records);
    render(<LogsView search={new URLSearchParams()} />, root());
    await flush();
    await act(() => (root().querySelector('.toolbar input[type="checkbox"]') as HTMLInputElement).click());
    records.push(recordAt(10), recordAt(9, 500));
    await act(() => {
      vi.advanceTimersByTime(2000);
    });
    await flush();
    expect(shownText()).toContain('12 shown');
    const users = [...root().querySelectorAll('.table-scroll tbody tr:not(.spacer)')].map(
      (row) => row.querySelectorAll('td')[9]?.textContent,
    );
    expect(users.slice(0, 4)).toEqual(['user-10', 'user-9', 'late-9', 'user-8']);
  });

  it('loads a gap when asked while a poll is still reading, rather than ignoring the click', async () => {
    const records = Array.from({ length: 60 }, (_, n) => recordAt(n));
    const hold: { gate: Promise<void> | null } = { gate: null };
    logsApi(records, hold);
    render(<LogsView search={new URLSearchParams()} />, root());
    await flush();
    await act(() => (root().querySelector('.toolbar input[type="checkbox"]') as HTMLInputElement).click());
    for (let n = 60; n < 760; n += 1) records.push(recordAt(n));
    await act(() => {
      vi.advanceTimersByTime(2000);
    });
    await flush();
    expect(root().querySelectorAll('[data-testid="tail-gap"]')).toHaveLength(1);
    // The next poll's answer is slow; Load them is pressed meanwhile.
    let release = () => {};
    hold.gate = new Promise((resolve) => {
      release = resolve;
    });
    records.push(recordAt(760));
    await act(() => {
      vi.advanceTimersByTime(2000);
    });
    await act(() => button('Load them')?.click());
    expect(button('Loading…')?.disabled).toBe(true);
    hold.gate = null;
    release();
    await flush();
    await act(async () => new Promise((resolve) => setTimeout(resolve, 150)));
    await flush();
    expect(shownText()).toContain('751 shown');
    expect(root().querySelectorAll('[data-testid="tail-gap"]')).toHaveLength(0);
  });

  it('keeps polling through a poll that got no answer (the gateway restarting), says so meanwhile, and shows the records once it is back', async () => {
    const records = Array.from({ length: 3 }, (_, n) => recordAt(n));
    const gateway: { gate: Promise<void> | null; down: boolean } = { gate: null, down: false };
    logsApi(records, gateway);
    render(<LogsView search={new URLSearchParams()} />, root());
    await flush();
    await act(() => (root().querySelector('.toolbar input[type="checkbox"]') as HTMLInputElement).click());
    gateway.down = true;
    for (let poll = 0; poll < 2; poll += 1) {
      await act(() => {
        vi.advanceTimersByTime(2000);
      });
      await flush();
    }
    const note = () => root().querySelector('[data-testid="tail-error"]');
    expect(note()?.textContent).toContain('The gateway cannot be reached');
    expect(note()?.textContent).toContain('tries again every 2 s');
    // The rows already shown stay; the tail is still on.
    expect(shownText()).toContain('3 shown');
    gateway.down = false;
    records.push(recordAt(3));
    await act(() => {
      vi.advanceTimersByTime(2000);
    });
    await flush();
    expect(shownText()).toContain('4 shown');
    expect(note()).toBeNull();
    expect(root().querySelector('[role="alert"]')).toBeNull();
  });
});
