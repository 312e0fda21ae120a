import { PkError } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { CACHE_STATUSES, type CacheStatus } from './cache-status.js';
import {
  buildResponseHeaders,
  getPortkeyHeaders,
  parseResponseHeaders,
  type ResponseHeaderValues,
} from './response-headers.js';

describe('buildResponseHeaders', () => {
  it('writes the response headers the official SDK reads (wire contract §7), in a stable order', () => {
    const headers = buildResponseHeaders({
      cacheStatus: 'MISS',
      retryAttemptCount: 0,
      lastUsedOptionIndex: 'config.targets[0]',
      provider: 'openai',
      requestId: 'req-0001',
      traceId: 'trace-0001',
    });
    expect(headers).toEqual({
      'x-portkey-trace-id': 'trace-0001',
      'x-portkey-request-id': 'req-0001',
      'x-portkey-provider': 'openai',
      'x-portkey-last-used-option-index': 'config.targets[0]',
      'x-portkey-retry-attempt-count': '0',
      'x-portkey-cache-status': 'MISS',
    });
    expect(Object.keys(headers)[0]).toBe('x-portkey-trace-id');
  });

  it('always sends the trace id, and only the other values it is given', () => {
    expect(buildResponseHeaders({ traceId: 't', retryAttemptCount: -1 })).toEqual({
      'x-portkey-trace-id': 't',
      'x-portkey-retry-attempt-count': '-1',
    });
  });

  it.each(CACHE_STATUSES)('round-trips cache status %s', (cacheStatus) => {
    expect(parseResponseHeaders(buildResponseHeaders({ traceId: 't', cacheStatus })).cacheStatus).toBe(
      cacheStatus,
    );
  });

  it.each<[string, ResponseHeaderValues, string]>([
    ['a trace id with CR/LF', { traceId: 'a\r\nset-cookie: x' }, 'x-portkey-trace-id'],
    ['a non-Latin-1 provider', { traceId: 't', provider: 'открытый' }, 'x-portkey-provider'],
    ['a fractional retry count', { traceId: 't', retryAttemptCount: 1.5 }, 'x-portkey-retry-attempt-count'],
    ['a retry count below -1', { traceId: 't', retryAttemptCount: -2 }, 'x-portkey-retry-attempt-count'],
    [
      'an unknown cache status',
      { traceId: 't', cacheStatus: 'hit' as CacheStatus },
      'x-portkey-cache-status',
    ],
  ])('refuses %s, naming the header', (_case, values, header) => {
    expect(() => buildResponseHeaders(values)).toThrow(PkError);
    expect(() => buildResponseHeaders(values)).toThrow(`${header}: `);
  });
});

describe('parseResponseHeaders', () => {
  it('reads every value back', () => {
    const values = {
      traceId: 'trace-1',
      requestId: 'req-1',
      provider: 'anthropic',
      lastUsedOptionIndex: 'config.targets[1].targets[0]',
      retryAttemptCount: 2,
      cacheStatus: 'SEMANTIC HIT',
    } as const;
    expect(parseResponseHeaders(new Headers(buildResponseHeaders(values)))).toEqual(values);
  });

  it('is lenient: unreadable values are left out, and gateway exceptions are reported', () => {
    expect(
      parseResponseHeaders({
        'X-Portkey-Retry-Attempt-Count': 'many',
        'x-portkey-cache-status': 'WARM',
        'x-portkey-trace-id': '',
        'x-portkey-gateway-exception': 'true',
      }),
    ).toEqual({ gatewayException: true });
  });
});

describe('getPortkeyHeaders', () => {
  it("returns every x-portkey-* header with the prefix stripped, like the official SDK's getHeaders()", () => {
    const headers = new Headers({
      'content-type': 'application/json',
      'x-portkey-cache-status': 'MISS',
      'X-Portkey-Last-Used-Option-Index': 'config.targets[0]',
      'x-portkey-provider': 'openai',
      'x-portkey-request-id': 'req-0001',
      'x-portkey-retry-attempt-count': '0',
      'x-portkey-trace-id': 'trace-0001',
      'x-request-id': 'oai-0001',
    });
    // The object recorded from the official SDK (wire contract §7).
    expect(getPortkeyHeaders(headers)).toEqual({
      'cache-status': 'MISS',
      'last-used-option-index': 'config.targets[0]',
      provider: 'openai',
      'request-id': 'req-0001',
      'retry-attempt-count': '0',
      'trace-id': 'trace-0001',
    });
  });

  it('joins repeated headers with ", " as fetch does', () => {
    expect(
      getPortkeyHeaders([
        ['x-portkey-x', 'a'],
        ['X-Portkey-X', 'b'],
      ]),
    ).toEqual({ x: 'a, b' });
    expect(getPortkeyHeaders({ 'x-portkey-x': ['a', 'b'] })).toEqual({ x: 'a, b' });
  });
});
