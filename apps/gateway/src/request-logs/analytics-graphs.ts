import { PkError } from '@pk/config';
import type { RescuedRow, SummaryFilter, SummaryRow } from '@pk/store';
import { exportPlanOf } from './export-filters.js';
import { centsOf } from './export-lines.js';
import { metadataObjectOf } from './filter-spellings.js';

/**
 * Portkey's analytics graphs (`portkey.analytics.graphs.*`, `GET /v1/analytics/graphs/…`) over the
 * log store's summary: the query as Portkey's SDK sends it (its filter names, as text) to the
 * summary's options, and the summary's rows to Portkey's `analytics-graph` objects. Pure.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** What a graph reads from the log: the time range, its buckets and the records' conditions. */
export interface GraphQuery {
  readonly from: number;
  readonly to: number;
  readonly bucketMs: number;
  readonly filter: SummaryFilter;
  /** `current_page` and `page_size` of a group's list. */
  readonly page: number;
  readonly pageSize: number | undefined;
}

const refusal = (message: string, param: string) => new PkError('PK_ERR_INVALID_REQUEST', message, { param });

const NAMING = { prefix: '', unknown: "charts by (see the gateway README's analytics section)" };

/** The buckets of a range: minutes up to 2 hours, hours up to 2 days, days beyond. */
export function bucketOf(from: number, to: number): number {
  const span = to - from;
  return span <= 2 * HOUR_MS ? MINUTE_MS : span <= 2 * DAY_MS ? HOUR_MS : DAY_MS;
}

/**
 * A graph's query from Portkey's parameters: `time_of_generation_min` and `_max` are required (as
 * Portkey's); the filters are an export's (`trace_id`, `status_code`, `ai_org_model`, `virtual_keys`,
 * `configs`, `prompt_slug`, `metadata` …) except the numeric ranges, which the log's aggregation
 * does not apply. Anything pk cannot apply exactly is a 400 naming it.
 */
export function graphQueryOf(query: Readonly<Record<string, unknown>>): GraphQuery {
  const filters: Record<string, unknown> = { ...query };
  if (typeof filters.metadata === 'string')
    filters.metadata = metadataObjectOf(filters.metadata, 'metadata', refusal);
  for (const required of ['time_of_generation_min', 'time_of_generation_max'])
    if (filters[required] === undefined)
      throw new PkError('PK_ERR_INVALID_REQUEST', `${required} is required (ISO 8601)`, { param: required });
  const plan = exportPlanOf(filters, undefined, NAMING);
  if (plan.hasRanges)
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      'analytics are not narrowed by token or cost ranges (a log export is: see the gateway README)',
      {
        param:
          Object.keys(filters).find((name) => /_(min|max)$/.test(name) && !name.startsWith('time_')) ?? null,
      },
    );
  const from = plan.filter.from as number;
  const to = plan.filter.to as number;
  const { filter } = plan;
  return {
    from,
    to,
    bucketMs: bucketOf(from, to),
    filter: {
      traceId: filter.traceId,
      status: filter.status,
      provider: filter.provider,
      model: filter.model,
      virtualKey: filter.virtualKey,
      configId: filter.configId,
      prompt: filter.prompt,
      cacheStatus: filter.cacheStatus,
      errorCode: filter.errorCode,
      failed: filter.failed,
      metadata: filter.metadata,
    },
    // A group's paging, read with the export's `page_size` and `current_page` (up to 50,000 a page).
    page: plan.skip / plan.limit,
    pageSize: query.page_size === undefined ? undefined : plan.limit,
  };
}

/** Every bucket of the range, in order: the summary answers only those with records. */
export function bucketsOf(query: GraphQuery): number[] {
  const first = Math.floor(query.from / query.bucketMs) * query.bucketMs;
  const all: number[] = [];
  for (let bucket = first; bucket < query.to; bucket += query.bucketMs) all.push(bucket);
  return all;
}

const EMPTY_ROW: Omit<SummaryRow, 'bucket' | 'group'> = {
  requests: 0,
  errors: 0,
  prompt_tokens: 0,
  completion_tokens: 0,
  total_tokens: 0,
  cost: 0,
  unpriced_requests: 0,
  latency_p50_ms: 0,
  latency_p95_ms: 0,
  latency_avg_ms: 0,
  latency_p90_ms: 0,
  latency_p99_ms: 0,
  users: 0,
  cache_hits: 0,
  semantic_cache_hits: 0,
  cache_hit_rate: 0,
};

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
const percent = (part: number, whole: number): number => (whole === 0 ? 0 : round((part / whole) * 100));

/** What one graph answers from the whole range's row and a row per bucket. */
type Graph = (
  whole: Omit<SummaryRow, 'bucket' | 'group'>,
  bucket: Omit<SummaryRow, 'group'>,
) => { readonly summary: Record<string, number>; readonly point: Record<string, number> };

/**
 * The graphs pk answers, by Portkey's path (and the SDK's spelling where it differs). Costs are in
 * cents as Portkey's; rates are percentages; latencies in ms.
 */
export const GRAPHS: Readonly<Record<string, Graph>> = {
  requests: (whole, row) => ({ summary: { total: whole.requests }, point: { total: row.requests } }),
  cost: (whole, row) => ({
    summary: {
      total: centsOf(whole.cost) ?? 0,
      avg: whole.requests === 0 ? 0 : (centsOf(whole.cost / whole.requests) ?? 0),
    },
    point: {
      total: centsOf(row.cost) ?? 0,
      avg: row.requests === 0 ? 0 : (centsOf(row.cost / row.requests) ?? 0),
    },
  }),
  tokens: (whole, row) => ({
    summary: {
      total: whole.total_tokens,
      avg: whole.requests === 0 ? 0 : round(whole.total_tokens / whole.requests),
    },
    point: { total: row.total_tokens, avg: row.requests === 0 ? 0 : round(row.total_tokens / row.requests) },
  }),
  latency: (whole, row) => ({
    summary: {
      avg: whole.latency_avg_ms,
      p50: whole.latency_p50_ms,
      p90: whole.latency_p90_ms,
      p99: whole.latency_p99_ms,
    },
    point: {
      avg: row.latency_avg_ms,
      p50: row.latency_p50_ms,
      p90: row.latency_p90_ms,
      p99: row.latency_p99_ms,
    },
  }),
  users: (whole, row) => ({ summary: { total: whole.users }, point: { total: row.users } }),
  errors: (whole, row) => ({ summary: { total: whole.errors }, point: { total: row.errors } }),
  'errors/rate': (whole, row) => ({
    summary: { rate: percent(whole.errors, whole.requests) },
    point: { rate: percent(row.errors, row.requests) },
  }),
  'users/requests': (whole, row) => ({
    summary: {
      total: whole.requests,
      unique: whole.users,
      avg: whole.users === 0 ? 0 : round(whole.requests / whole.users),
    },
    point: { avg: row.users === 0 ? 0 : round(row.requests / row.users) },
  }),
  // Drawn over the simple cache's hits only (see GRAPH_FILTERS).
  'cache/latency': (_whole, row) => ({ summary: {}, point: { avg: row.latency_avg_ms } }),
  'cache/hit-rate': (whole, row) => ({
    summary: { total: whole.cache_hits + whole.semantic_cache_hits, rate: round(whole.cache_hit_rate * 100) },
    point: {
      simple_hits: row.cache_hits,
      semantic_hits: row.semantic_cache_hits,
      rate: round(row.cache_hit_rate * 100),
    },
  }),
};

/**
 * The graphs that show latency percentiles: the one figure that needs the records sorted in each
 * bucket (most of a summary's time over a big range), read only for these.
 */
export const PERCENTILE_GRAPHS: ReadonlySet<string> = new Set(['latency']);

/** The SDK's spellings of paths Portkey's docs write with a slash (the SDK calls these). */
export const GRAPH_ALIASES: Readonly<Record<string, string>> = {
  'errors-rate': 'errors/rate',
  'cache-hit-rate': 'cache/hit-rate',
  'users-requests': 'users/requests',
  'cache-latency': 'cache/latency',
  'errors-stack': 'errors/stacks',
  'errors-status-code': 'errors/status-codes',
  'requests-rescued': 'requests/rescued',
  'feedbacks/score': 'feedbacks/scores',
};

/** The records a graph is drawn over, besides the query's filters. */
export const GRAPH_FILTERS: Readonly<Record<string, Partial<SummaryFilter>>> = {
  'cache/latency': { cacheStatus: 'HIT' },
};

/** The graph of the requests a retry or a fallback rescued. */
export const RESCUED_GRAPH = 'requests/rescued';

/** The graphs drawn from the records grouped by status code (errors only). */
export const STATUS_GRAPHS: ReadonlySet<string> = new Set(['errors/status-codes', 'errors/stacks']);

/**
 * `errors/status-codes` (the range's errors by status) or `errors/stacks` (each bucket's errors by
 * status), from the summary grouped by status: the whole range's rows, or every bucket's. A row's
 * errors are its failed requests: all of an error status's, and a 200's streams that ended with an
 * error after it (status 200 in the graph, so the total is the `errors` graph's).
 */
export function statusGraphOf(
  name: string,
  query: GraphQuery,
  rows: readonly SummaryRow[],
): Record<string, unknown> {
  const errors = rows.filter((row) => row.errors > 0);
  const total = errors.reduce((sum, row) => sum + row.errors, 0);
  if (name === 'errors/status-codes') {
    const byCode = new Map<number, number>();
    for (const row of errors)
      byCode.set(Number(row.group), (byCode.get(Number(row.group)) ?? 0) + row.errors);
    return {
      summary: { total_errors: total, unique_error_codes: byCode.size },
      data_points: [...byCode]
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .map(([code, count]) => ({ status_code: code, count })),
      object: 'analytics-graph',
    };
  }
  const byBucket = new Map<number, { response_status_code: number; count: number }[]>();
  for (const row of errors) {
    const bucket = Date.parse(row.bucket);
    byBucket.set(bucket, [
      ...(byBucket.get(bucket) ?? []),
      { response_status_code: Number(row.group), count: row.errors },
    ]);
  }
  return {
    summary: { total },
    data_points: bucketsOf(query).map((bucket) => ({
      timestamp: new Date(bucket).toISOString(),
      stats: (byBucket.get(bucket) ?? []).sort((a, b) => a.response_status_code - b.response_status_code),
    })),
    object: 'analytics-graph',
  };
}

/** Portkey's `analytics-graph` object of one graph, from the range's row and its buckets' rows. */
export function graphOf(
  name: string,
  query: GraphQuery,
  whole: SummaryRow | undefined,
  rows: readonly SummaryRow[],
): Record<string, unknown> {
  const graph = GRAPHS[name] as Graph;
  const byBucket = new Map(rows.map((row) => [Date.parse(row.bucket), row]));
  const points = bucketsOf(query).map((bucket) => {
    const timestamp = new Date(bucket).toISOString();
    const row = byBucket.get(bucket) ?? { ...EMPTY_ROW, bucket: timestamp };
    return { timestamp, ...graph(whole ?? EMPTY_ROW, row).point };
  });
  return {
    summary: graph(whole ?? EMPTY_ROW, { ...EMPTY_ROW, bucket: '' }).summary,
    data_points: points,
    object: 'analytics-graph',
  };
}

/** A group's list item (`groups/ai-models`, `groups/users`, `groups/metadata/:key`). */
export function groupItemOf(
  kind: 'ai-models' | 'users' | 'metadata',
  row: SummaryRow,
): Record<string, unknown> {
  const cost = centsOf(row.cost) ?? 0;
  if (kind === 'ai-models')
    return { ai_model: row.group, requests: row.requests, cost, object: 'analytics-group' };
  if (kind === 'users') return { user: row.group, requests: row.requests, cost, object: 'analytics-group' };
  return {
    metadata_value: row.group,
    requests: row.requests,
    cost,
    avg_tokens: row.requests === 0 ? 0 : round(row.total_tokens / row.requests),
    object: 'analytics-group',
  };
}

/**
 * `requests/rescued`: per bucket, the successful requests rescued by retries (by how many retries the
 * target that answered took) and by a fallback; the summary totals each. A request a fallback target
 * answered after retrying counts in both.
 */
export function rescuedGraphOf(query: GraphQuery, rows: readonly RescuedRow[]): Record<string, unknown> {
  const byBucket = new Map<number, { retry: Map<number, number>; fallback: number }>();
  let retried = 0;
  let fellBack = 0;
  for (const row of rows) {
    const bucket = Date.parse(row.bucket);
    const point = byBucket.get(bucket) ?? { retry: new Map<number, number>(), fallback: 0 };
    byBucket.set(bucket, point);
    if (row.retries > 0) {
      point.retry.set(row.retries, (point.retry.get(row.retries) ?? 0) + row.requests);
      retried += row.requests;
    }
    if (row.fallback) {
      point.fallback += row.requests;
      fellBack += row.requests;
    }
  }
  return {
    summary: { retry: retried, fallback: fellBack },
    data_points: bucketsOf(query).map((bucket) => {
      const point = byBucket.get(bucket);
      return {
        timestamp: new Date(bucket).toISOString(),
        retry: [...(point?.retry ?? [])]
          .sort((a, b) => a[0] - b[0])
          .map(([retries, count]) => ({ retry_success_count: retries, count })),
        fallback: point?.fallback ?? 0,
      };
    }),
    object: 'analytics-graph',
  };
}

/**
 * Portkey's cache summary (`GET /v1/analytics/summary/cache`) from the range's records grouped by
 * cache status: hits (simple and semantic), their average latency, every request, and how much
 * faster a hit was than the requests not answered from a cache, in percent (0 without either).
 */
export function cacheSummaryOf(rows: readonly SummaryRow[]): Record<string, unknown> {
  const isHit = (row: SummaryRow) => row.group === 'HIT' || row.group === 'SEMANTIC HIT';
  const averageOf = (of: readonly SummaryRow[]) => {
    const requests = of.reduce((sum, row) => sum + row.requests, 0);
    return requests === 0
      ? 0
      : of.reduce((sum, row) => sum + row.latency_avg_ms * row.requests, 0) / requests;
  };
  const hits = rows.filter(isHit);
  const others = rows.filter((row) => !isHit(row));
  const hitLatency = averageOf(hits);
  const otherLatency = averageOf(others);
  const hitCount = hits.reduce((sum, row) => sum + row.requests, 0);
  return {
    summary: {
      hits: hitCount,
      avg_latency: round(hitLatency),
      total_requests: rows.reduce((sum, row) => sum + row.requests, 0),
      cache_speedup:
        hitCount === 0 || otherLatency === 0 ? 0 : round(((otherLatency - hitLatency) / otherLatency) * 100),
    },
    object: 'analytics-summary',
  };
}
