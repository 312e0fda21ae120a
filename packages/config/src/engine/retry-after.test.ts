import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    { headers: {}, expected: undefined },
    { headers: { 'retry-after': '3' }, expected: 3000 },
    { headers: { 'retry-after': '1.5' }, expected: 1500 },
    { headers: { 'Retry-After': '2' }, expected: 2000 },
    { headers: { 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }, expected: 30_000 },
    { headers: { 'retry-after': 'Wed, 31 Dec 2025 23:59:00 GMT' }, expected: 0 },
    { headers: { 'retry-after': 'soon' }, expected: undefined },
    { headers: { 'retry-after': '-5' }, expected: undefined },
    { headers: { 'retry-after-ms': '250' }, expected: 250 },
    { headers: { 'retry-after-ms': '250', 'retry-after': '9' }, expected: 250 },
    { headers: { 'x-ms-retry-after-ms': '700', 'retry-after': '9' }, expected: 700 },
    { headers: { 'retry-after-ms': 'x', 'retry-after': '9' }, expected: 9000 },
    { headers: { 'retry-after': ['4', '8'] }, expected: 4000 },
  ])('$headers → $expected', ({ headers, expected }) => {
    expect(parseRetryAfter(headers, NOW)).toBe(expected);
  });

  it('reads a Headers object', () => {
    expect(parseRetryAfter(new Headers({ 'Retry-After': '7' }), NOW)).toBe(7000);
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '12' }), NOW)).toBe(12);
    expect(parseRetryAfter(new Headers(), NOW)).toBeUndefined();
  });
});
