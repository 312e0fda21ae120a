import { costText, pick, text } from './log-record.js';

/** One row of `GET /v1/analytics/summary`: a time bucket of one group. */
export type SummaryRow = Readonly<Record<string, unknown>>;

/** The summary's figures the chart draws: the field of a row, and its label. */
export const METRICS = [
  ['requests', 'Requests'],
  ['errors', 'Errors'],
  ['latency_avg_ms', 'Latency avg (ms)'],
  ['latency_p50_ms', 'Latency p50 (ms)'],
  ['latency_p90_ms', 'Latency p90 (ms)'],
  ['latency_p95_ms', 'Latency p95 (ms)'],
  ['latency_p99_ms', 'Latency p99 (ms)'],
  ['total_tokens', 'Tokens'],
  ['cost', 'Cost (USD)'],
  ['users', 'Users (distinct _user)'],
  ['cache_hit_rate', 'Cache hit rate (%)'],
] as const;
/** The summary's `group_by` values (besides `metadata.<key>`), and their labels. */
export const GROUPS = [
  ['model', 'Model'],
  ['provider', 'Provider'],
  ['virtual_key', 'Virtual key'],
  ['user', '_user'],
  ['status', 'Status'],
  ['cache_status', 'Cache status'],
  ['error_code', 'Error code'],
] as const;

/** A group as a caption names it (`error code`, `_user`), or its id when it is not one of {@link GROUPS}. */
export const groupName = (group: string): string =>
  GROUPS.find(([id]) => id === group)?.[1].toLowerCase() ?? group;

/** The label of a metric (its field name when it is not one of {@link METRICS}). */
export const metricLabel = (metric: string): string => METRICS.find(([id]) => id === metric)?.[1] ?? metric;

/** Metrics the summary answers as a fraction (0–1) and the chart shows in percent. */
const PERCENT_METRICS: ReadonlySet<string> = new Set(['cache_hit_rate']);

export const bucketOf = (row: SummaryRow) =>
  new Date(String(pick(row, 'bucket', 'time', 'start'))).getTime() / 1000;
/** The name of the summary's `other` rows: the groups beyond its top N, summed (`top` and `top_by`). */
export const OTHER_GROUPS = 'Other groups (summed)';
export const groupOf = (row: SummaryRow) =>
  row.other === true ? OTHER_GROUPS : text(pick(row, 'group', 'key', 'value'));
/** A row's requests with no known price (`unpriced_requests`: the summary's `cost` leaves them out). */
export const unpricedOf = (row: SummaryRow): number => {
  const value = pick(row, 'unpriced_requests');
  return typeof value === 'number' ? value : 0;
};
/** A row's requests that have a cost: neither failed nor unpriced. */
export const pricedOf = (row: SummaryRow): number => {
  const requests = pick(row, 'requests');
  const errors = pick(row, 'errors');
  return (
    (typeof requests === 'number' ? requests : 0) -
    (typeof errors === 'number' ? errors : 0) -
    unpricedOf(row)
  );
};

/**
 * A row's figure as the chart shows it (a rate in percent, rounded to 0.01); the cost of a row whose
 * every request is unpriced is unknown (null), never 0.
 */
export const metricOf = (row: SummaryRow, metric: string): number | null => {
  const value = pick(row, metric, metric.replace('_ms', ''), metric === 'total_tokens' ? 'tokens' : metric);
  if (typeof value !== 'number') return null;
  if (metric === 'cost' && unpricedOf(row) > 0 && pricedOf(row) <= 0) return null;
  return PERCENT_METRICS.has(metric) ? Math.round(value * 10_000) / 100 : value;
};

/**
 * A cost as the console shows it with the requests it leaves out: `$0.0123`, `$0.0123 + 5 unpriced`
 * (the priced requests' cost and how many have no known price), or `unpriced (5 requests)` when
 * none is priced; `—` for no figure at all.
 */
export function costWithUnpricedText(cost: number | null, unpriced: number, priced: number): string {
  const requests = `${unpriced} ${unpriced === 1 ? 'request' : 'requests'}`;
  if (unpriced > 0 && (priced <= 0 || cost === null)) return `unpriced (${requests})`;
  if (cost === null) return '—';
  const dollars = costText(cost);
  return unpriced > 0 ? `${dollars} + ${unpriced} unpriced` : dollars;
}

/**
 * The chart's x range: the summary's period (its `from` and `to`, from the start of its first bucket
 * when that is earlier) in seconds, so a few buckets are drawn where they fall in the period; null
 * when the answer lacks a valid one (uPlot's own range).
 */
export function periodOf(summary: {
  readonly from?: unknown;
  readonly to?: unknown;
  readonly data?: readonly SummaryRow[];
}): [number, number] | null {
  const from = Date.parse(String(summary.from)) / 1000;
  const to = Date.parse(String(summary.to)) / 1000;
  if (Number.isNaN(from) || Number.isNaN(to) || to <= from) return null;
  const first = Math.min(...(summary.data ?? []).map(bucketOf).filter((time) => !Number.isNaN(time)));
  return [Math.min(from, first), to];
}

/** Rows to uPlot's columns: one x series of bucket times, one y series per group. */
export function toSeries(
  rows: readonly SummaryRow[],
  metric: string,
): { groups: string[]; data: (number | null)[][]; rows: (SummaryRow | null)[][] } {
  const times = [...new Set(rows.map(bucketOf).filter((time) => !Number.isNaN(time)))].sort((a, b) => a - b);
  const groups = [...new Set(rows.map(groupOf))].sort();
  const index = new Map(times.map((time, i) => [time, i]));
  const data: (number | null)[][] = [times, ...groups.map(() => times.map(() => null as number | null))];
  // The row behind each point (by group, then time), for what a tooltip says beside its figure.
  const byPoint: (SummaryRow | null)[][] = groups.map(() => times.map(() => null));
  for (const row of rows) {
    const i = index.get(bucketOf(row));
    const g = groups.indexOf(groupOf(row));
    const series = data[g + 1];
    if (i !== undefined && series) {
      series[i] = metricOf(row, metric);
      const points = byPoint[g];
      if (points) points[i] = row;
    }
  }
  return { groups, data, rows: byPoint };
}

/**
 * A point's figure as the chart's legend (its tooltip) shows it: the cost with the unpriced requests
 * of its bucket (`unpriced (3 requests)` rather than nothing or 0), other metrics as numbers.
 */
export function pointText(metric: string, value: number | null, row: SummaryRow | null): string {
  if (metric === 'cost' && row !== null) return costWithUnpricedText(value, unpricedOf(row), pricedOf(row));
  return value === null ? '—' : String(value);
}
