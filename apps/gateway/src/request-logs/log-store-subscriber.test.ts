import type { RequestLogWriter } from '@pk/store';
import { describe, expect, it } from 'vitest';
import { asyncHookRunsFor } from '../guardrails/async-hook-runs.js';
import type { RequestEnd } from '../plugins/request-log.js';
import {
  loggedPathOf,
  logStoreListener,
  MAX_LOGGED_PATH_CHARS,
  recordOfRequestEnd,
} from './log-store-subscriber.js';

/** A request end as the request-log plugin hands it to subscribers (only what the record reads). */
function requestEnd(url: string, endpoint: string): RequestEnd {
  return {
    request: { url, method: 'POST', tenant: 'acme', traceId: 'trace-1' },
    status: 200,
    latencyMs: 12,
    fields: { endpoint, provider: 'openai' },
  } as unknown as RequestEnd;
}

describe('the path of a pass-through record', () => {
  it('keeps the path and drops the query string, which may carry a key', () => {
    expect(loggedPathOf('/v1/files/file-abc/content')).toBe('/v1/files/file-abc/content');
    expect(loggedPathOf('/v1/files?purpose=batch&key=sk-secret')).toBe('/v1/files');
    expect(loggedPathOf('/v1/batches?')).toBe('/v1/batches');
    const long = `/v1/${'a'.repeat(2000)}`;
    expect(loggedPathOf(`${long}?key=x`)).toBe(long.slice(0, MAX_LOGGED_PATH_CHARS));
  });

  it('is on pass-through records only: a chat request’s endpoint names its path', () => {
    expect(recordOfRequestEnd(requestEnd('/v1/vector_stores?key=sk-1', 'passthrough'), false)?.path).toBe(
      '/v1/vector_stores',
    );
    expect(recordOfRequestEnd(requestEnd('/v1/chat/completions', 'chat.completions'), false)?.path).toBe(
      undefined,
    );
  });
});

describe('records waiting for async hooks', () => {
  it('are bounded: past maxWaiting a record is queued at once, with the hooks finished so far', async () => {
    const queued: unknown[] = [];
    const writer = { enqueue: (record: unknown) => queued.push(record) } as unknown as RequestLogWriter;
    const records = logStoreListener(writer, { bodies: false, maxWaiting: 2 });
    const hold: Array<() => void> = [];
    for (let index = 0; index < 3; index += 1) {
      const end = requestEnd('/v1/chat/completions', 'chatComplete');
      // A hook still running: its promise settles only when the test lets it.
      asyncHookRunsFor(end.request).add(
        new Promise((resolve) => hold.push(() => resolve(undefined))),
        'after_request',
      );
      records.listener(end);
    }
    expect(records.waiting).toBe(2);
    expect(queued).toHaveLength(1);
    for (const release of hold) release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(records.waiting).toBe(0);
    expect(queued).toHaveLength(3);
  });
});
