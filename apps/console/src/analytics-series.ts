import { pick, text } from './log-record.js';

/** One row of `GET /v1/analytics/summary`: a time bucket of one group. */
export type SummaryRow = Readonly<Record<string, unknown>>;

export const METRICS = [
  ['requests', 'Requests'],
  ['errors', 'Errors'],
  ['latency_p50_ms', 'Latency p50 (ms)'],
  ['latency_p95_ms', 'Latency p95 (ms)'],
  ['total_tokens', 'Tokens'],
  ['cost', 'Cost (USD)'],
] as const;
export const GROUPS = [
  ['model', 'Model'],
  ['provider', 'Provider'],
  ['virtual_key', 'Virtual key'],
  ['user', '_user'],
] as const;

export const bucketOf = (row: SummaryRow) =>
  new Date(String(pick(row, 'bucket', 'time', 'start'))).getTime() / 1000;
export const groupOf = (row: SummaryRow) => text(pick(row, 'group', 'key', 'value'));
export const metricOf = (row: SummaryRow, metric: string): number | null => {
  const value = pick(row, metric, metric.replace('_ms', ''), metric === 'total_tokens' ? 'tokens' : metric);
  return typeof value === 'number' ? value : null;
};

/** Rows to uPlot's columns: one x series of bucket times, one y series per group. */
export function toSeries(
  rows: readonly SummaryRow[],
  metric: string,
): { groups: string[]; data: (number | null)[][] } {
  const times = [...new Set(rows.map(bucketOf).filter((time) => !Number.isNaN(time)))].sort((a, b) => a - b);
  const groups = [...new Set(rows.map(groupOf))].sort();
  const index = new Map(times.map((time, i) => [time, i]));
  const data: (number | null)[][] = [times, ...groups.map(() => times.map(() => null as number | null))];
  for (const row of rows) {
    const i = index.get(bucketOf(row));
    const series = data[groups.indexOf(groupOf(row)) + 1];
    if (i !== undefined && series) series[i] = metricOf(row, metric);
  }
  return { groups, data };
}
