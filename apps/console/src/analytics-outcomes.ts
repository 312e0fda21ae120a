import { queryString } from './api.js';

// What happened to the period's requests, read from Portkey's analytics routes of the gateway
// (`GET /v1/analytics/summary/cache`, `graphs/requests/rescued`, `graphs/feedbacks` and
// `graphs/feedbacks/weighted`, here under `/console/api`). Pure: the view fetches, these read.

/** The cache over the period: hits (simple and semantic), a hit's average latency, the speed-up. */
export interface CacheOutcome {
  readonly hits: number | null;
  readonly avgLatencyMs: number | null;
  readonly totalRequests: number | null;
  /** Percent faster a hit was than the requests not answered from a cache (0 without either). */
  readonly speedupPercent: number | null;
}

/** Successful requests rescued by retries and by a fallback (one can count in both). */
export interface RescuedOutcome {
  readonly retry: number | null;
  readonly fallback: number | null;
}

/** Feedback given in the period: how many pieces, and the average of value × weight. */
export interface FeedbackOutcome {
  readonly total: number | null;
  readonly avgWeighted: number | null;
}

/** One line of the panel: what it is, and its value as text. */
export type OutcomeLine = readonly [term: string, value: string];

/** The query of Portkey's analytics routes for a period: `time_of_generation_min`/`_max`, ISO times. */
export function outcomeQuery(from: Date, to: Date): string {
  return queryString([
    ['time_of_generation_min', from.toISOString()],
    ['time_of_generation_max', to.toISOString()],
  ]);
}

const summaryOf = (body: unknown): Readonly<Record<string, unknown>> => {
  const summary = (body as { summary?: unknown } | null)?.summary;
  return typeof summary === 'object' && summary !== null ? (summary as Record<string, unknown>) : {};
};
const numberIn = (summary: Readonly<Record<string, unknown>>, name: string): number | null => {
  const value = summary[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
};

/** `analytics/summary/cache` → `{summary: {hits, avg_latency, total_requests, cache_speedup}}`. */
export function readCacheSummary(body: unknown): CacheOutcome {
  const summary = summaryOf(body);
  return {
    hits: numberIn(summary, 'hits'),
    avgLatencyMs: numberIn(summary, 'avg_latency'),
    totalRequests: numberIn(summary, 'total_requests'),
    speedupPercent: numberIn(summary, 'cache_speedup'),
  };
}

/** `analytics/graphs/requests/rescued` → `{summary: {retry, fallback}}`. */
export function readRescued(body: unknown): RescuedOutcome {
  const summary = summaryOf(body);
  return { retry: numberIn(summary, 'retry'), fallback: numberIn(summary, 'fallback') };
}

/** `analytics/graphs/feedbacks` → `{summary: {total}}` and `graphs/feedbacks/weighted` → `{summary: {avg}}`. */
export function readFeedback(totals: unknown, weighted: unknown): FeedbackOutcome {
  return { total: numberIn(summaryOf(totals), 'total'), avgWeighted: numberIn(summaryOf(weighted), 'avg') };
}

const UNKNOWN = '—';
const count = (value: number | null) => (value === null ? UNKNOWN : value.toLocaleString('en-US'));
const decimal = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 2 });

export function cacheLines(cache: CacheOutcome): OutcomeLine[] {
  const noHit = cache.hits === 0;
  const speedup = cache.speedupPercent;
  return [
    ['Cache hits', count(cache.hits)],
    ['Requests in the period', count(cache.totalRequests)],
    [
      'Average latency of a hit',
      noHit ? 'no hit' : cache.avgLatencyMs === null ? UNKNOWN : `${decimal(cache.avgLatencyMs)} ms`,
    ],
    [
      'Speed-up of a hit',
      noHit
        ? 'no hit'
        : speedup === null
          ? UNKNOWN
          : speedup < 0
            ? `${decimal(-speedup)}% slower than the other requests`
            : `${decimal(speedup)}% faster than the other requests`,
    ],
  ];
}

export function rescuedLines(rescued: RescuedOutcome): OutcomeLine[] {
  return [
    ['Rescued by retries', count(rescued.retry)],
    ['Rescued by a fallback', count(rescued.fallback)],
  ];
}

export function feedbackLines(feedback: FeedbackOutcome): OutcomeLine[] {
  return [
    ['Feedback given', count(feedback.total)],
    [
      'Average weighted value',
      feedback.total === 0
        ? 'no feedback'
        : feedback.avgWeighted === null
          ? UNKNOWN
          : decimal(feedback.avgWeighted),
    ],
  ];
}
