import { describe, expect, it } from 'vitest';
import {
  cacheLines,
  feedbackLines,
  outcomeQuery,
  readCacheSummary,
  readFeedback,
  readRescued,
  rescuedLines,
} from './analytics-outcomes.js';

describe('the outcomes of a period, read from Portkey’s analytics answers', () => {
  it('asks for the period as time_of_generation_min and _max, ISO times', () => {
    const query = outcomeQuery(new Date('2026-01-01T00:00:00.000Z'), new Date('2026-01-02T00:00:00.000Z'));
    expect(Object.fromEntries(new URLSearchParams(query.slice(1)))).toEqual({
      time_of_generation_min: '2026-01-01T00:00:00.000Z',
      time_of_generation_max: '2026-01-02T00:00:00.000Z',
    });
    expect(query.startsWith('?')).toBe(true);
  });

  it('reads the cache summary: hits, a hit’s latency, the speed-up in percent', () => {
    const cache = readCacheSummary({
      summary: { hits: 3, avg_latency: 1.5, total_requests: 40, cache_speedup: 97.25 },
      object: 'analytics-summary',
    });
    expect(cache).toEqual({ hits: 3, avgLatencyMs: 1.5, totalRequests: 40, speedupPercent: 97.25 });
    expect(cacheLines(cache)).toEqual([
      ['Cache hits', '3'],
      ['Requests in the period', '40'],
      ['Average latency of a hit', '1.5 ms'],
      ['Speed-up of a hit', '97.25% faster than the other requests'],
    ]);
    // A hit slower than the rest says so in words, not with a minus sign alone.
    expect(cacheLines({ ...cache, speedupPercent: -12.5 })[3]).toEqual([
      'Speed-up of a hit',
      '12.5% slower than the other requests',
    ]);
  });

  it('says there was no hit instead of a latency or speed-up of 0', () => {
    const lines = cacheLines(
      readCacheSummary({ summary: { hits: 0, avg_latency: 0, total_requests: 5, cache_speedup: 0 } }),
    );
    expect(lines).toEqual([
      ['Cache hits', '0'],
      ['Requests in the period', '5'],
      ['Average latency of a hit', 'no hit'],
      ['Speed-up of a hit', 'no hit'],
    ]);
  });

  it('reads the rescued requests by retries and by a fallback', () => {
    const rescued = readRescued({ summary: { retry: 2, fallback: 1234 }, data_points: [] });
    expect(rescued).toEqual({ retry: 2, fallback: 1234 });
    expect(rescuedLines(rescued)).toEqual([
      ['Rescued by retries', '2'],
      ['Rescued by a fallback', '1,234'],
    ]);
  });

  it('reads the feedback: how many pieces and the average weighted value', () => {
    const feedback = readFeedback({ summary: { total: 4 } }, { summary: { avg: 3.456 } });
    expect(feedback).toEqual({ total: 4, avgWeighted: 3.456 });
    expect(feedbackLines(feedback)).toEqual([
      ['Feedback given', '4'],
      ['Average weighted value', '3.46'],
    ]);
    expect(feedbackLines(readFeedback({ summary: { total: 0 } }, { summary: { avg: 0 } }))[1]).toEqual([
      'Average weighted value',
      'no feedback',
    ]);
  });

  it('shows a figure an answer lacks (or gives as something else than a number) as unknown', () => {
    expect(readCacheSummary(null)).toEqual({
      hits: null,
      avgLatencyMs: null,
      totalRequests: null,
      speedupPercent: null,
    });
    expect(readRescued({ summary: { retry: '2', fallback: Number.NaN } })).toEqual({
      retry: null,
      fallback: null,
    });
    expect(rescuedLines(readRescued({}))).toEqual([
      ['Rescued by retries', '—'],
      ['Rescued by a fallback', '—'],
    ]);
    expect(feedbackLines(readFeedback({ summary: {} }, 'not json'))).toEqual([
      ['Feedback given', '—'],
      ['Average weighted value', '—'],
    ]);
  });
});
