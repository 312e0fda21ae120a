import { describe, expect, it } from 'vitest';
import { normalizeRetry } from '../schema/retry.js';
import { decideRetry } from './retry.js';

describe('decideRetry', () => {
  const base = {
    connectionError: false,
    retryAfterMs: undefined,
    retriesDone: 0,
    retryAfterSpentMs: 0,
    random: Math.random,
  };
  it.each([
    {
      policy: { attempts: 0 },
      status: 500,
      expected: { retry: false, reason: 'not-retryable', retryCount: 0 },
    },
    {
      policy: { attempts: 2 },
      status: 400,
      expected: { retry: false, reason: 'not-retryable', retryCount: 0 },
    },
    {
      policy: { attempts: 2 },
      status: 408,
      expected: { retry: false, reason: 'not-retryable', retryCount: 0 },
    },
    { policy: { attempts: 2 }, status: 429, expected: { retry: true, delayMs: 1000, viaRetryAfter: false } },
    {
      policy: { attempts: 2 },
      status: 504,
      retriesDone: 1,
      expected: { retry: true, delayMs: 2000, viaRetryAfter: false },
    },
    {
      policy: { attempts: 2 },
      status: 500,
      retriesDone: 2,
      expected: { retry: false, reason: 'retries-exhausted', retryCount: -1 },
    },
    {
      policy: { attempts: 1, on_status_codes: [418] },
      status: 418,
      expected: { retry: true, delayMs: 1000, viaRetryAfter: false },
    },
    {
      policy: { attempts: 1, on_status_codes: [418] },
      status: 500,
      expected: { retry: false, reason: 'not-retryable', retryCount: 0 },
    },
    {
      policy: { attempts: 1, on_status_codes: [418] },
      status: 502,
      connectionError: true,
      expected: { retry: true, delayMs: 1000, viaRetryAfter: false },
    },
    {
      policy: { attempts: 0 },
      status: 502,
      connectionError: true,
      expected: { retry: false, reason: 'not-retryable', retryCount: 0 },
    },
    {
      policy: { attempts: 2 },
      status: 500,
      internalError: true,
      expected: { retry: false, reason: 'not-retryable', retryCount: 0 },
    },
    {
      policy: { attempts: 2, on_status_codes: [500] },
      status: 500,
      internalError: true,
      expected: { retry: false, reason: 'not-retryable', retryCount: 0 },
    },
    {
      policy: { attempts: 2 },
      status: 500,
      internalError: false,
      expected: { retry: true, delayMs: 1000, viaRetryAfter: false },
    },
    {
      policy: { attempts: 1 },
      status: 429,
      retryAfterMs: 5000,
      expected: { retry: true, delayMs: 1000, viaRetryAfter: false },
    },
    {
      policy: { attempts: 1, use_retry_after_header: true },
      status: 429,
      retryAfterMs: 5000,
      expected: { retry: true, delayMs: 5000, viaRetryAfter: true },
    },
    {
      policy: { attempts: 1, use_retry_after_header: true },
      status: 503,
      retryAfterMs: 5000,
      expected: { retry: true, delayMs: 5000, viaRetryAfter: true },
    },
    {
      policy: { attempts: 1, use_retry_after_header: true },
      status: 500,
      retryAfterMs: 5000,
      expected: { retry: true, delayMs: 1000, viaRetryAfter: false },
    },
    {
      policy: { attempts: 1, use_retry_after_header: true },
      status: 429,
      retryAfterMs: 60_000,
      expected: { retry: false, reason: 'retry-after-over-budget', retryCount: -1 },
    },
    {
      policy: { attempts: 3, use_retry_after_header: true },
      status: 429,
      retryAfterMs: 30_000,
      retryAfterSpentMs: 40_000,
      expected: { retry: false, reason: 'retry-after-over-budget', retryCount: -1 },
    },
    {
      policy: { attempts: 3, use_retry_after_header: true },
      status: 429,
      retryAfterMs: 20_000,
      retryAfterSpentMs: 40_000,
      expected: { retry: true, delayMs: 20_000, viaRetryAfter: true },
    },
    {
      policy: { attempts: 2, on_status_codes: [446] },
      status: 446,
      retryMode: 'immediately' as const,
      expected: { retry: true, delayMs: 0, viaRetryAfter: false },
    },
    {
      policy: { attempts: 2, on_status_codes: [446] },
      status: 446,
      retryMode: 'immediately' as const,
      retriesDone: 2,
      expected: { retry: false, reason: 'retries-exhausted', retryCount: -1 },
    },
    {
      policy: { attempts: 2 },
      status: 500,
      retryMode: 'immediately' as const,
      expected: { retry: true, delayMs: 0, viaRetryAfter: false },
    },
    {
      policy: { attempts: 2, on_status_codes: [446] },
      status: 446,
      retryMode: 'never' as const,
      expected: { retry: false, reason: 'not-retryable', retryCount: 0 },
    },
    {
      policy: { attempts: 2, on_status_codes: [446] },
      status: 400,
      retryMode: 'immediately' as const,
      expected: { retry: false, reason: 'not-retryable', retryCount: 0 },
    },
    {
      policy: { attempts: 9 },
      status: 503,
      retriesDone: 4,
      expected: { retry: true, delayMs: 16_000, viaRetryAfter: false },
    },
    {
      policy: { attempts: 9 },
      status: 503,
      retriesDone: 5,
      expected: { retry: false, reason: 'retries-exhausted', retryCount: -1 },
    },
  ])('$policy, status $status, retries done $retriesDone → $expected', ({ policy, expected, ...input }) => {
    expect(decideRetry({ ...base, ...input, policy: normalizeRetry(policy) })).toEqual(expected);
  });
});

describe('normalizeRetry', () => {
  it('makes at most 5 retries, however many a config asks for (Portkey’s gateway has no cap; hosted documents 5)', () => {
    expect(normalizeRetry({ attempts: 9 }).attempts).toBe(5);
    expect(normalizeRetry({ attempts: 5 }).attempts).toBe(5);
    expect(normalizeRetry({ attempts: 2 }).attempts).toBe(2);
    expect(normalizeRetry({ attempts: 9 }).on_status_codes).toEqual([429, 500, 502, 503, 504]);
  });
});
