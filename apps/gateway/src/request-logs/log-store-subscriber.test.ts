import { describe, expect, it } from 'vitest';
import type { RequestEnd } from '../plugins/request-log.js';
import { loggedPathOf, MAX_LOGGED_PATH_CHARS, recordOfRequestEnd } from './log-store-subscriber.js';

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
