import { render } from 'preact';
import { describe, expect, it, vi } from 'vitest';
import { flushRenders, testRoot } from '../test-dom.js';
import { LogsView } from './logs.js';
import { RequestView } from './request.js';
import { TraceView } from './trace.js';

const root = testRoot();

const flush = () => flushRenders();

/** The console API, each call answered when the test says (`status` 404 answers pk's not-found). */
function heldAnswers(): Map<string, (status: number, body: unknown) => void> {
  const waiting = new Map<string, (status: number, body: unknown) => void>();
  vi.stubGlobal(
    'fetch',
    (url: string) =>
      new Promise<Response>((resolve) => {
        waiting.set(new URL(url, 'http://console.test').pathname, (status, body) =>
          resolve(
            new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }),
          ),
        );
      }),
  );
  return waiting;
}

const record = (id: string, trace: string) => ({
  id,
  trace_id: trace,
  created_at: '2026-01-01T00:00:00.000Z',
  status: 200,
  provider: 'openai',
  model: 'gpt-4o',
  latency_ms: 120,
});

const notFound = { error: { message: 'no such log record', code: 'PK_ERR_NOT_FOUND' } };

describe('a request or trace page reused by back and forward', () => {
  it('shows the request the address names, not the last one’s failure or a late answer', async () => {
    const answers = heldAnswers();
    render(<RequestView id="log_missing" />, root());
    await flush();
    answers.get('/console/api/logs/log_missing')?.(404, notFound);
    await flush();
    expect(root().textContent).toContain('no such log record');

    // Forward to a request that exists: loading, then its record; the earlier failure is gone.
    render(<RequestView id="log_b" />, root());
    await flush();
    expect(root().textContent).toContain('Loading…');
    answers.get('/console/api/logs/log_b')?.(200, record('log_b', 'trace-b'));
    await flush();
    expect(root().textContent).toContain('trace-b');
    expect(root().textContent).not.toContain('no such log record');

    // Back to another, whose answer is slower than the next one's: the late one is dropped.
    render(<RequestView id="log_c" />, root());
    await flush();
    const late = answers.get('/console/api/logs/log_c');
    render(<RequestView id="log_d" />, root());
    await flush();
    answers.get('/console/api/logs/log_d')?.(200, record('log_d', 'trace-d'));
    await flush();
    late?.(200, record('log_c', 'trace-c'));
    await flush();
    expect(root().textContent).toContain('trace-d');
    expect(root().textContent).not.toContain('trace-c');
  });

  it('shows the trace the address names, not the last one’s failure', async () => {
    const answers = heldAnswers();
    render(<TraceView traceId="trace-missing" />, root());
    await flush();
    answers.get('/console/api/traces/trace-missing')?.(404, { error: { message: 'no such trace' } });
    await flush();
    expect(root().textContent).toContain('no such trace');
    render(<TraceView traceId="trace-e" />, root());
    await flush();
    answers.get('/console/api/traces/trace-e')?.(200, { requests: [record('log_e', 'trace-e')] });
    await flush();
    expect(root().textContent).toContain('1 request over');
    expect(root().textContent).not.toContain('no such trace');
  });

  it('names the request or trace a link asked for when it is not found, with a way back to the logs', async () => {
    const answers = heldAnswers();
    render(<RequestView id="log_gone" />, root());
    await flush();
    answers.get('/console/api/logs/log_gone')?.(404, notFound);
    await flush();
    expect(root().querySelector('h1')?.textContent).toBe('Request log_gone');
    expect(root().querySelector('[role="alert"]')?.textContent).toBe('no such log record');
    const links = () =>
      [...root().querySelectorAll('a')].map((link) => [link.textContent, link.getAttribute('href')]);
    expect(links()).toContainEqual(['Back to logs', '/console/logs']);

    render(<TraceView traceId="trace-gone" />, root());
    await flush();
    answers.get('/console/api/traces/trace-gone')?.(404, { error: { message: 'no trace has this id' } });
    await flush();
    expect(root().querySelector('h1')?.textContent).toBe('Trace trace-gone');
    expect(root().querySelector('[role="alert"]')?.textContent).toBe('no trace has this id');
    expect(links()).toContainEqual(['Show in logs', '/console/logs?trace_id=trace-gone']);
  });

  it('links a row’s user to every request of that user (the metadata filter `_user`)', async () => {
    const answers = heldAnswers();
    render(<LogsView search={new URLSearchParams('status=500')} />, root());
    await flush();
    answers.get('/console/api/logs')?.(200, {
      data: [
        { ...record('log_u', 'trace-u'), metadata: { _user: 'alice & bob' } },
        record('log_v', 'trace-v'),
      ],
      next_cursor: null,
    });
    await flush();
    const userLinks = [...root().querySelectorAll('a')].filter((link) => link.textContent === 'alice & bob');
    expect(userLinks.map((link) => link.getAttribute('href'))).toEqual([
      `/console/logs?${new URLSearchParams({ 'metadata._user': 'alice & bob' })}`,
    ]);
  });

  it('links Back to logs to the list as it was filtered when the request was opened from it', async () => {
    const answers = heldAnswers();
    const filtered = 'trace_id=trace-f&metadata._user=alice';
    render(<LogsView search={new URLSearchParams(filtered)} />, root());
    await flush();
    answers.get('/console/api/logs')?.(200, { data: [record('log_f', 'trace-f')], next_cursor: null });
    await flush();
    render(<RequestView id="log_f" />, root());
    await flush();
    answers.get('/console/api/logs/log_f')?.(200, record('log_f', 'trace-f'));
    await flush();
    const back = [...root().querySelectorAll('a')].find((link) => link.textContent === 'Back to logs');
    expect(back?.getAttribute('href')).toBe(`/console/logs?${filtered}`);
  });
});
