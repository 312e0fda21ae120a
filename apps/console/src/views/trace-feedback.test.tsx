import { render } from 'preact';
import { describe, expect, it, vi } from 'vitest';
import { flushRenders, testRoot } from '../test-dom.js';
import { TraceView } from './trace.js';

const root = testRoot();

const traceAnswer = (feedback: unknown[]) =>
  vi.stubGlobal(
    'fetch',
    async () =>
      new Response(
        JSON.stringify({
          trace_id: 'guarded',
          requests: [
            {
              id: 'log_1',
              created_at: '2026-01-01T00:00:00.000Z',
              trace_id: 'guarded',
              status: 246,
              latency_ms: 12,
            },
          ],
          feedback,
        }),
        { status: 200, headers: { 'content-type': 'application/json' } },
      ),
  );

describe('a trace’s feedback in its view', () => {
  it('lists every piece under the waterfall: a hook’s with the checks that decided it', async () => {
    traceAnswer([
      {
        id: 'fb-1',
        value: -5,
        weight: 0.5,
        metadata: { team: 'safety', failedChecks: 'default.contains' },
        created_at: '2026-01-01T00:00:01.000Z',
      },
      { id: 'fb-2', value: 3, weight: 1, metadata: null, created_at: '2026-01-01T00:00:01.000Z' },
    ]);
    render(<TraceView traceId="guarded" />, root());
    await flushRenders();
    const items = [...root().querySelectorAll('ul.feedback li')].map((item) => item.textContent ?? '');
    expect(items).toHaveLength(2);
    expect(items[0]).toContain('value -5, weight 0.5');
    expect(items[0]).toContain('default.contains');
    expect(items[1]).toContain('value 3, weight 1');
  });

  it('says there is none when no feedback was given', async () => {
    traceAnswer([]);
    render(<TraceView traceId="guarded" />, root());
    await flushRenders();
    const heading = [...root().querySelectorAll('h2')].find((h2) => h2.textContent === 'Feedback');
    expect(heading?.nextElementSibling?.textContent).toBe('None.');
  });
});
