import { render } from 'preact';
import { act } from 'preact/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from './api.js';
import { ErrorNote } from './components/error-note.js';
import { rowAfterKey, VirtualTable, visibleRange } from './components/virtual-table.js';
import type { LogRecord } from './log-record.js';
import { flushRenders, testRoot } from './test-dom.js';
import { LogsView } from './views/logs.js';
import { AttemptTimeline, attemptOffsets, RequestView } from './views/request.js';
import { spanTree } from './views/trace.js';
import { VirtualKeysView } from './views/virtual-keys.js';

const XSS = '<img src=x onerror=alert(1)>';
const root = testRoot();

const flush = () => flushRenders();

/**
 * The console's API answered by a function of the path (component tests; the browser tests use the
 * gateway); the logs view's exports list is empty unless `byPath` answers it.
 */
function answer(byPath: (path: string) => unknown): string[] {
  const calls: string[] = [];
  vi.stubGlobal('fetch', async (url: string) => {
    calls.push(url);
    const body = byPath(url) ?? (url.endsWith('/logs/exports') ? { object: 'list', data: [] } : null);
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  });
  return calls;
}

const record = (id: string, extra: Record<string, unknown> = {}): LogRecord => ({
  id,
  created_at: '2026-01-01T00:00:00.000Z',
  trace_id: `trace-${id}`,
  status: 200,
  provider: 'openai',
  model: 'gpt-4o-mini',
  latency_ms: 120,
  usage: { total_tokens: 30 },
  cost: 0.00012,
  cache_status: 'MISS',
  metadata: { _user: 'alice' },
  attempts: [],
  ...extra,
});

describe('the virtualised table', () => {
  it('computes the visible slice with overscan', () => {
    expect(visibleRange(10_000, 33, 330, 0, 5)).toEqual({ start: 0, end: 15 });
    expect(visibleRange(10_000, 33, 330, 3300, 5)).toEqual({ start: 95, end: 115 });
    expect(visibleRange(12, 33, 330, 3300, 5)).toEqual({ start: 95, end: 12 });
  });

  it('renders a screenful of 10,000 rows, not all of them', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => String(i));
    render(
      <VirtualTable
        caption="rows"
        columns={[{ title: 'n' }]}
        rows={rows}
        rowKey={(row) => row}
        renderRow={(row) => <td>{row}</td>}
        height={330}
      />,
      root(),
    );
    const rendered = root().querySelectorAll('tbody tr:not(.spacer)');
    expect(rendered.length).toBeLessThan(40);
    expect(rendered[0]?.textContent).toBe('0');
    expect(root().querySelector('section')?.getAttribute('tabindex')).toBe('0');
  });

  it('moves between rows by key, within the rows loaded', () => {
    expect(rowAfterKey('ArrowDown', 3, 10, 5)).toBe(4);
    expect(rowAfterKey('ArrowDown', 9, 10, 5)).toBe(9);
    expect(rowAfterKey('ArrowUp', 0, 10, 5)).toBe(0);
    expect(rowAfterKey('PageDown', 7, 10, 5)).toBe(9);
    expect(rowAfterKey('PageUp', 7, 10, 5)).toBe(2);
    expect(rowAfterKey('Home', 7, 10, 5)).toBe(0);
    expect(rowAfterKey('End', 2, 10, 5)).toBe(9);
    expect(rowAfterKey('Enter', 2, 10, 5)).toBeUndefined();
  });

  it('is one tab stop however many rows hold links: arrows move the stop and the focus between rows and links', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => String(i));
    render(
      <VirtualTable
        caption="rows"
        columns={[{ title: 'open' }, { title: 'trace' }]}
        rows={rows}
        rowKey={(row) => row}
        renderRow={(row) => (
          <>
            <td>
              <a href={`/open/${row}`}>open {row}</a>
            </td>
            <td>
              <a href={`/trace/${row}`}>trace {row}</a>
            </td>
          </>
        )}
        height={330}
      />,
      root(),
    );
    await flush();
    const inTabOrder = () =>
      [...root().querySelectorAll<HTMLElement>('a, section')]
        .filter((element) => element.getAttribute('tabindex') !== '-1')
        .filter((element) => element.tagName === 'A' || element.hasAttribute('tabindex'))
        .map((element) => element.textContent);
    // Rows of links: the first row's first link is the only stop (the region is not one as well).
    expect(root().querySelectorAll('a').length).toBeGreaterThan(20);
    expect(inTabOrder()).toEqual(['open 0']);
    const press = async (key: string) => {
      await act(async () => {
        (document.activeElement as HTMLElement).dispatchEvent(
          new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }),
        );
      });
      await flush();
    };
    (root().querySelector('a[href="/open/0"]') as HTMLElement).focus();
    await flush();
    await press('ArrowDown');
    expect(document.activeElement?.textContent).toBe('open 1');
    await press('ArrowRight');
    expect(document.activeElement?.textContent).toBe('trace 1');
    expect(inTabOrder()).toEqual(['trace 1']);
    await press('ArrowDown');
    expect(document.activeElement?.textContent).toBe('trace 2');
    await press('ArrowLeft');
    await press('ArrowUp');
    expect(document.activeElement?.textContent).toBe('open 1');
    expect(inTabOrder()).toEqual(['open 1']);
  });
});

describe('the logs view', () => {
  it('queries with the URL’s filter, metadata pairs included, and shows the rows', async () => {
    const calls = answer((path) =>
      path.startsWith('/console/api/logs?')
        ? { object: 'list', data: [record('a'), record('b')], next_cursor: null }
        : undefined,
    );
    render(<LogsView search={new URLSearchParams('metadata._user=alice&provider=openai')} />, root());
    await flush();
    expect(calls).toContain('/console/api/logs?provider=openai&metadata._user=alice&limit=50');
    expect(root().querySelectorAll('.table-scroll tbody tr:not(.spacer)')).toHaveLength(2);
    expect(root().textContent).toContain('gpt-4o-mini');
    expect(root().textContent).toContain('alice');
    expect((root().querySelector('input[name="metadata-key-0"]') as HTMLInputElement).value).toBe('_user');
  });

  it('offers at most 8 metadata pairs, the query API’s limit', async () => {
    answer(() => ({ object: 'list', data: [], next_cursor: null }));
    render(<LogsView search={new URLSearchParams()} />, root());
    await flush();
    const add = [...root().querySelectorAll('button')].find(
      (button) => button.textContent === 'Add metadata pair',
    ) as HTMLButtonElement;
    for (let pair = 1; pair < 8; pair += 1) {
      expect(add.disabled).toBe(false);
      await act(() => add.click());
    }
    expect(root().querySelectorAll('input[name^="metadata-key-"]')).toHaveLength(8);
    // Each field's name is its own: a screen reader tells the pairs apart.
    const names = [...root().querySelectorAll('fieldset.metadata input')].map((input) =>
      input.closest('label')?.firstChild?.textContent?.trim(),
    );
    expect(names.slice(0, 4)).toEqual(['Key', 'Value', 'Key 2', 'Value 2']);
    expect(new Set(names).size).toBe(16);
    expect(add.disabled).toBe(true);
    expect(root().textContent).toContain('At most 8 metadata pairs.');
  });

  it('renders a hostile metadata value and model name as text, never as markup', async () => {
    answer((path) =>
      path.startsWith('/console/api/logs?')
        ? { data: [record('x', { model: XSS, metadata: { _user: XSS } })], next_cursor: null }
        : undefined,
    );
    render(<LogsView search={new URLSearchParams()} />, root());
    await flush();
    expect(root().querySelector('img')).toBeNull();
    expect(root().textContent).toContain(XSS);
  });

  it('marks a stream answered 200 that then failed: its status cell says so with the error code', async () => {
    answer((path) =>
      path.startsWith('/console/api/logs?')
        ? {
            data: [
              record('ok', { stream: true }),
              record('cut', { stream: true, error_code: 'PK_ERR_STREAM_INTERRUPTED' }),
              record('refused', { status: 429, error_code: 'rate_limit_exceeded' }),
            ],
            next_cursor: null,
          }
        : undefined,
    );
    render(<LogsView search={new URLSearchParams()} />, root());
    await flush();
    const statuses = [...root().querySelectorAll('.table-scroll tbody tr:not(.spacer)')].map((row) => {
      const cell = row.querySelectorAll('td')[1] as HTMLTableCellElement;
      return [cell.textContent, cell.className];
    });
    expect(statuses).toEqual([
      ['200', 'good'],
      ['200 · PK_ERR_STREAM_INTERRUPTED', 'bad'],
      ['429', 'bad'],
    ]);
  });

  it('exports the view’s filter: creates the export with Portkey’s filter names and starts it', async () => {
    const writes: { url: string; method: string; body: unknown }[] = [];
    let status = 'draft';
    vi.stubGlobal('fetch', async (url: string, init: { method: string; body?: string }) => {
      if (init.method !== 'GET') {
        writes.push({ url, method: init.method, body: init.body ? JSON.parse(init.body) : null });
        if (url.endsWith('/start')) status = 'success';
      }
      const body = url.startsWith('/console/api/logs?')
        ? { data: [], next_cursor: null }
        : url === '/console/api/logs/exports' && init.method === 'POST'
          ? { id: 'e1', total: 0, object: 'export' }
          : url === '/console/api/logs/exports'
            ? {
                object: 'list',
                data:
                  writes.length === 0
                    ? []
                    : [{ id: 'e1', status, description: 'mine', total: 2, exported: 2 }],
              }
            : {};
      return new Response(JSON.stringify(body), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    });
    render(<LogsView search={new URLSearchParams('model=gpt-4o&metadata._user=alice')} />, root());
    await flush();
    const button = [...root().querySelectorAll('button')].find(
      (element) => element.textContent === 'Export these logs',
    ) as HTMLButtonElement;
    expect(button.disabled).toBe(false);
    await act(() => button.click());
    await flush();
    expect(writes).toEqual([
      {
        url: '/console/api/logs/exports',
        method: 'POST',
        body: expect.objectContaining({
          filters: { ai_model: 'gpt-4o', metadata: { _user: 'alice' } },
          requested_data: expect.arrayContaining(['id', 'ai_model', 'metadata']),
        }),
      },
      { url: '/console/api/logs/exports/e1/start', method: 'POST', body: null },
    ]);
    expect(root().querySelector('button[aria-label="Download e1"]')).not.toBeNull();
    expect(root().textContent).toContain('2 records');
  });

  it('explains a filter an export cannot apply, the button disabled', async () => {
    answer((path) => (path.startsWith('/console/api/logs?') ? { data: [], next_cursor: null } : undefined));
    render(<LogsView search={new URLSearchParams('model=a,b')} />, root());
    await flush();
    const button = [...root().querySelectorAll('button')].find(
      (element) => element.textContent === 'Export these logs',
    ) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(root().querySelector(`#${button.getAttribute('aria-describedby')}`)?.textContent).toContain(
      'the model filter "a,b" has a comma',
    );
  });
});

describe('errors the views show', () => {
  it('takes an earlier failure down when the next action succeeds (a revoke after a refused create)', async () => {
    const key = { slug: 'vk-a', name: 'a', provider: 'openai', status: 'active', masked_api_key: 'sk-…1234' };
    const calls: string[] = [];
    vi.stubGlobal('fetch', async (url: string, init: { method?: string } = {}) => {
      calls.push(`${init.method ?? 'GET'} ${url}`);
      const refused = init.method === 'POST';
      const body = refused
        ? { error: { message: 'provider: unknown provider "nope"', code: 'PK_ERR_INVALID_REQUEST' } }
        : init.method === 'DELETE'
          ? { success: true }
          : { data: [key] };
      return new Response(JSON.stringify(body), {
        status: refused ? 400 : 200,
        headers: { 'content-type': 'application/json' },
      });
    });
    vi.stubGlobal('confirm', () => true);
    render(<VirtualKeysView />, root());
    await flush();
    const name = root().querySelector('#vk-name') as HTMLInputElement;
    name.value = 'x';
    await act(() => {
      name.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await act(() =>
      (root().querySelector('form[aria-label="Create a virtual key"]') as HTMLFormElement).requestSubmit(),
    );
    await flush();
    expect(root().querySelector('[role="alert"]')?.textContent).toContain('unknown provider');
    await act(() => (root().querySelector('button[aria-label="Revoke vk-a"]') as HTMLButtonElement).click());
    await flush();
    expect(calls).toContain('DELETE /console/api/virtual-keys/vk-a');
    expect(root().querySelector('[role="alert"]')).toBeNull();
  });

  it('says the gateway cannot be reached instead of “Failed to fetch”, with a Retry, and no endless Loading…', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    render(<VirtualKeysView />, root());
    await flush();
    const alert = root().querySelector('[role="alert"]');
    expect(alert?.textContent).toContain('The gateway cannot be reached');
    expect(root().textContent).not.toContain('Failed to fetch');
    expect(root().textContent).not.toContain('Loading…');
    expect([...(alert?.querySelectorAll('button') ?? [])].map((button) => button.textContent)).toEqual([
      'Retry',
    ]);
  });

  it('offers no Retry (a page load, losing what was typed) when a save got no answer, and keeps the form as typed', async () => {
    let down = false;
    vi.stubGlobal('fetch', async () => {
      if (down) throw new TypeError('Failed to fetch');
      return new Response(JSON.stringify({ data: [] }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    });
    render(<VirtualKeysView />, root());
    await flush();
    const name = root().querySelector('#vk-name') as HTMLInputElement;
    name.value = 'typed by hand';
    await act(() => {
      name.dispatchEvent(new Event('input', { bubbles: true }));
    });
    down = true;
    await act(() =>
      (root().querySelector('form[aria-label="Create a virtual key"]') as HTMLFormElement).requestSubmit(),
    );
    await flush();
    const alert = root().querySelector('[role="alert"]');
    expect(alert?.textContent).toContain('The gateway cannot be reached');
    expect(alert?.textContent).toContain('what you entered is kept here');
    expect(alert?.querySelector('button')).toBeNull();
    expect((root().querySelector('#vk-name') as HTMLInputElement).value).toBe('typed by hand');
  });

  it('shows no Retry for an answer the gateway gave', () => {
    render(
      <ErrorNote
        error={new ApiError(400, 'status: expected a number', 'PK_ERR_INVALID_REQUEST', 'status')}
      />,
      root(),
    );
    expect(root().textContent).toBe('status: expected a number');
    expect(root().querySelector('button')).toBeNull();
  });

  it('clears the rows of the previous filter when the next one is refused', async () => {
    let refuse = false;
    vi.stubGlobal('fetch', async (url: string) => {
      if (url.includes('/logs/exports')) return Response.json({ object: 'list', data: [] });
      if (refuse)
        return Response.json(
          { error: { message: 'status: expected an HTTP status', code: 'PK_ERR_INVALID_REQUEST' } },
          { status: 400 },
        );
      return Response.json({ data: [{ id: 'log-1', status: 200, provider: 'openai' }], next_cursor: null });
    });
    render(<LogsView search={new URLSearchParams()} />, root());
    await flush();
    expect(root().querySelectorAll('.table-scroll tbody tr:not(.spacer)')).toHaveLength(1);
    refuse = true;
    render(<LogsView search={new URLSearchParams('status=abc')} />, root());
    await flush();
    expect(root().querySelector('[role="alert"]')?.textContent).toContain('status: expected an HTTP status');
    expect(root().querySelectorAll('.table-scroll tbody tr:not(.spacer)')).toHaveLength(0);
  });

  it('shows a time in the address that is not one as an error naming it, and asks for no records', async () => {
    const calls = answer(() => ({ data: [{ id: 'log-1', status: 200 }], next_cursor: null }));
    render(<LogsView search={new URLSearchParams('from=garbage&provider=openai')} />, root());
    await flush();
    expect(root().querySelector('[role="alert"]')?.textContent).toContain(
      'The address has a filter that is not a time: from=garbage.',
    );
    expect(calls.filter((url) => /\/logs\?|\/logs$/.test(url))).toEqual([]);
    expect(root().querySelectorAll('.table-scroll tbody tr:not(.spacer)')).toHaveLength(0);
  });

  it('says a period whose From is after its To is backwards, rather than that no request matches, and asks for no records', async () => {
    const calls = answer(() => ({ data: [], next_cursor: null }));
    const from = '2026-12-08T10:00:00.000Z';
    const to = '2026-12-01T10:00:00.000Z';
    render(<LogsView search={new URLSearchParams(`from=${from}&to=${to}`)} />, root());
    await flush();
    expect(root().querySelector('[role="alert"]')?.textContent).toBe(
      `From (${new Date(from).toLocaleString()}) is after To (${new Date(to).toLocaleString()}): no request can be in that period. Swap them, or Clear the filters.`,
    );
    expect(calls.filter((url) => /\/logs\?|\/logs$/.test(url))).toEqual([]);
    expect(root().textContent).not.toContain('No request matches these filters.');
    // Nor can it be exported (an export of nothing).
    expect(root().textContent).toContain('From is after To');
  });
});

describe('the request view', () => {
  it('shows every attempt in order with its status, latency and error, and a cache hit marked', async () => {
    const attempts = [
      {
        target_path: '0',
        provider: 'openai',
        status: 500,
        latency_ms: 40,
        error_code: 'PK_ERR_UPSTREAM',
        started_at: '2026-01-01T00:00:00.000Z',
      },
      {
        target_path: '1',
        provider: 'anthropic',
        status: 200,
        latency_ms: 80,
        started_at: '2026-01-01T00:00:00.050Z',
      },
    ];
    answer(() => record('r1', { attempts, metadata: { note: XSS } }));
    render(<RequestView id="r1" />, root());
    await flush();
    const items = root().querySelectorAll('[data-testid="attempt"]');
    expect(items).toHaveLength(2);
    expect(items[0]?.textContent).toContain('status 500');
    expect(items[0]?.textContent).toContain('PK_ERR_UPSTREAM');
    expect(items[1]?.textContent).toContain('anthropic');
    expect(root().querySelector('img')).toBeNull();
    expect(root().textContent).toContain(XSS);
  });

  it('shows the path a pass-through request called, and no path row for a chat request', async () => {
    answer(() => record('r2', { endpoint: 'passthrough', path: '/v1/vector_stores/vs_1/files' }));
    render(<RequestView id="r2" />, root());
    await flush();
    const rows = [...root().querySelectorAll('dt')].map((term) => [
      term.textContent,
      term.nextElementSibling?.textContent,
    ]);
    expect(rows).toContainEqual(['Path', '/v1/vector_stores/vs_1/files']);

    answer(() => record('r3', { endpoint: 'chat.completions', path: null }));
    render(<RequestView id="r3" />, root());
    await flush();
    expect([...root().querySelectorAll('dt')].map((term) => term.textContent)).not.toContain('Path');
  });

  it('marks an async hook as such: it ran after the answer and denied nothing', async () => {
    const hook = (id: string, extra: Record<string, unknown>) => ({
      id,
      event: 'before_request',
      type: 'guardrail',
      verdict: false,
      execution_time: 12,
      checks: [],
      ...extra,
    });
    const guardrails = [
      hook('sync-policy', { deny: true }),
      hook('async-policy', { deny: false, async: true }),
    ];
    answer(() => record('r4', { guardrails }));
    render(<RequestView id="r4" />, root());
    await flush();
    const items = [...root().querySelectorAll('[data-testid="guardrail"]')].map((item) => item.textContent);
    expect(items).toHaveLength(2);
    expect(items[0]).toContain('denied the request');
    expect(items[0]).not.toContain('async');
    expect(items[1]).toContain('async: after the answer');
    expect(items[1]).not.toContain('denied the request');
  });

  it('places attempts on one time axis', () => {
    expect(
      attemptOffsets(
        [
          { latency_ms: 40, started_at: '2026-01-01T00:00:00.010Z' },
          { latency_ms: 80, started_at: '2026-01-01T00:00:00.060Z' },
          { latency_ms: 5 },
        ],
        Date.parse('2026-01-01T00:00:00.000Z'),
      ),
    ).toEqual([10, 60, 140]);
  });

  it('marks a cache hit', () => {
    render(
      <AttemptTimeline
        attempts={[{ provider: 'openai', status: 200, latency_ms: 1, cache_status: 'HIT' }]}
        requestStart={null}
      />,
      root(),
    );
    expect(root().textContent).toContain('cache hit');
  });

  it('marks an attempt the gateway never sent, with the code that says why', () => {
    render(
      <AttemptTimeline
        attempts={[
          {
            target_path: 'config.targets[0]',
            provider: 'openai',
            status: 503,
            latency_ms: 0,
            error_code: 'PK_ERR_CIRCUIT_OPEN',
            not_sent: true,
          },
          {
            target_path: 'config.targets[1]',
            provider: 'openai',
            status: 200,
            latency_ms: 5,
            not_sent: false,
          },
        ]}
        requestStart={null}
      />,
      root(),
    );
    const [skipped, answered] = [...root().querySelectorAll('[data-testid="attempt"]')];
    expect(skipped?.textContent).toContain('not sent');
    expect(skipped?.textContent).toContain('PK_ERR_CIRCUIT_OPEN');
    expect(answered?.textContent).not.toContain('not sent');
  });
});

describe('the trace view’s span tree', () => {
  it('nests requests under their parent span, in time order', () => {
    const spans = spanTree([
      record('child', { span_id: 's2', parent_span_id: 's1', created_at: '2026-01-01T00:00:01.000Z' }),
      record('root', { span_id: 's1', created_at: '2026-01-01T00:00:00.000Z' }),
      record('orphan', { span_id: 's3', parent_span_id: 'gone', created_at: '2026-01-01T00:00:02.000Z' }),
    ]);
    expect(spans.map((span) => [span.record.id, span.depth])).toEqual([
      ['root', 0],
      ['child', 1],
      ['orphan', 0],
    ]);
  });
});
