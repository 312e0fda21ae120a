import { render } from 'preact';
import { describe, expect, it, vi } from 'vitest';
import type { LogRecord } from '../log-record.js';
import { flushRenders, testRoot } from '../test-dom.js';
import { indentOf, MAX_INDENT_DEPTH, TraceView } from './trace.js';

const root = testRoot();

const flush = () => flushRenders();

/** An agent loop: 150 calls, each made by the one before (its parent span), 5 ms each. */
const chain: LogRecord[] = Array.from({ length: 150 }, (_, n) => ({
  id: `log_${String(n).padStart(4, '0')}`,
  created_at: new Date(Date.parse('2026-01-01T00:00:00.000Z') + n * 5).toISOString(),
  trace_id: 'deep-chain',
  span_id: `span-${n}`,
  ...(n > 0 ? { parent_span_id: `span-${n - 1}` } : {}),
  span_name: `step ${n}`,
  status: 200,
  latency_ms: 5,
}));

describe('a deep trace’s waterfall', () => {
  it('indents at most 12 levels and shows the depth past them', () => {
    expect(indentOf(0)).toEqual({ rem: 0, depthShown: null });
    expect(indentOf(MAX_INDENT_DEPTH)).toEqual({ rem: MAX_INDENT_DEPTH * 1.25, depthShown: null });
    expect(indentOf(149)).toEqual({ rem: MAX_INDENT_DEPTH * 1.25, depthShown: 149 });
  });

  it('keeps 150 nested spans within the page: names indented up to the cap, every bar on the full-width axis', async () => {
    vi.stubGlobal(
      'fetch',
      async () =>
        new Response(JSON.stringify({ requests: chain }), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        }),
    );
    render(<TraceView traceId="deep-chain" />, root());
    await flush();
    const spans = [...root().querySelectorAll<HTMLElement>('[data-testid="span"]')];
    expect(spans).toHaveLength(150);
    for (const span of spans) {
      const depth = Number(span.dataset.depth);
      // The row itself is not indented, so its bar track is as wide as the list's.
      expect(span.style.paddingLeft).toBe('');
      const head = span.querySelector<HTMLElement>('.span-head');
      expect(Number.parseFloat(head?.style.paddingLeft ?? '')).toBeLessThanOrEqual(MAX_INDENT_DEPTH * 1.25);
      expect(head?.textContent?.startsWith(`depth ${depth}`)).toBe(depth > MAX_INDENT_DEPTH);
      const bar = span.querySelector<HTMLElement>('.bar');
      const left = Number.parseFloat(bar?.style.marginLeft ?? '');
      const width = Number.parseFloat(bar?.style.width ?? '');
      expect(width).toBeGreaterThan(0);
      expect(left + width).toBeLessThanOrEqual(100 + 1e-9);
    }
    expect(spans[149]?.textContent).toContain('depth 149');
    expect(spans[149]?.textContent).toContain('step 149');
  });
});
