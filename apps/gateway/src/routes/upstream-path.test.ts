import { describe, expect, it } from 'vitest';
import { unsafePathProblemOf, upstreamPathOf } from './upstream-path.js';

describe('upstreamPathOf', () => {
  it('drops the /v1 prefix, collapses doubled slashes and keeps the query', () => {
    expect(upstreamPathOf('//v1//files?limit=2')).toBe('/files?limit=2');
    expect(upstreamPathOf('/v1')).toBe('/');
    expect(upstreamPathOf('/images/generations')).toBe('/images/generations');
  });
});

describe('unsafePathProblemOf', () => {
  it.each([
    '/v1/files',
    '/v1/files/file-abc.jsonl/content',
    '/v1/files?purpose=../../x',
    '/v1/vector_stores/vs_1/files?after=%2e%2e%2f',
    '/v1/files/a..b',
    '/v1/files/...',
    '/v1/files/name%20with%20spaces',
    '/v1/files/%25done',
  ])('lets %s through', (url) => {
    expect(unsafePathProblemOf(url)).toBeUndefined();
  });

  it.each([
    ['/v1/files/../chat/completions', /dot segment/],
    ['/v1/./files', /dot segment/],
    ['/v1/files/..', /dot segment/],
    ['/v1/files/%2e%2e/x', /dot segment/],
    ['/v1/files/%2E%2e/x', /dot segment/],
    ['/v1/files/.%2e/x', /dot segment/],
    ['/v1/files/%2e/x', /dot segment/],
    ['/v1/files/%252e%252e/x', /dot segment/],
    ['/v1/files/%25252e%25252e/x', /dot segment/],
    ['/v1/files/..%2fx', /encoded slash/],
    ['/v1/files/a%2Fb', /encoded slash/],
    ['/v1/files/a%5cb', /encoded slash/],
    ['/v1/files/a%252fb', /encoded slash/],
    ['/v1/files\\..\\x', /backslash/],
    ['/v1/files/%e0%a4%a', /malformed/],
  ])('refuses %s', (url, problem) => {
    expect(unsafePathProblemOf(url)).toMatch(problem);
  });
});
