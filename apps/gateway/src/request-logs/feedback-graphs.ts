import type { FeedbackGroup, FeedbackSummaryRow } from '@pk/store';
import { bucketsOf, type GraphQuery, round } from './analytics-graphs.js';

/**
 * Portkey's feedback graphs (`GET /v1/analytics/graphs/feedbacks…`) from the log store's feedback
 * summary: feedback given in the range by its own time, narrowed by the records of its trace. Pure.
 */

/** The feedback graphs, with what each reads the feedback grouped by (per bucket or the whole range). */
export const FEEDBACK_GRAPHS: Readonly<
  Record<string, { readonly groupBy: FeedbackGroup | undefined; readonly perBucket: boolean }>
> = {
  feedbacks: { groupBy: undefined, perBucket: true },
  'feedbacks/weighted': { groupBy: undefined, perBucket: true },
  'feedbacks/scores': { groupBy: 'value', perBucket: false },
  'feedbacks/ai-models': { groupBy: 'model', perBucket: false },
};

const totalOf = (rows: readonly FeedbackSummaryRow[]) => rows.reduce((sum, row) => sum + row.feedback, 0);

/**
 * One feedback graph in Portkey's `analytics-graph` shape: `whole` is the range's rows (one bucket),
 * `buckets` the rows per bucket of the graphs drawn over time. Weighted feedback is value × weight.
 */
export function feedbackGraphOf(
  name: string,
  query: GraphQuery,
  whole: readonly FeedbackSummaryRow[],
  buckets: readonly FeedbackSummaryRow[],
): Record<string, unknown> {
  if (name === 'feedbacks/scores')
    return {
      summary: { total: totalOf(whole) },
      data_points: whole
        .map((row) => ({ score: Number(row.group), total: row.feedback }))
        .sort((a, b) => a.score - b.score),
      object: 'analytics-graph',
    };
  if (name === 'feedbacks/ai-models')
    return {
      summary: {},
      // Records without a model (custom logs) are no model's.
      data_points: whole
        .filter((row) => row.group !== null)
        .sort((a, b) => b.feedback - a.feedback || String(a.group).localeCompare(String(b.group)))
        .map((row) => ({
          ai_model: row.group,
          total: row.feedback,
          avg_weighted_feedback: round(row.weighted_avg),
        })),
      object: 'analytics-graph',
    };
  const byBucket = new Map(buckets.map((row) => [Date.parse(row.bucket), row]));
  const range = whole[0];
  if (name === 'feedbacks/weighted')
    return {
      summary: { avg: round(range?.weighted_avg ?? 0) },
      data_points: bucketsOf(query).map((bucket) => ({
        timestamp: new Date(bucket).toISOString(),
        avg: round(byBucket.get(bucket)?.weighted_avg ?? 0),
      })),
      object: 'analytics-graph',
    };
  return {
    summary: { total: range?.feedback ?? 0 },
    data_points: bucketsOf(query).map((bucket) => ({
      timestamp: new Date(bucket).toISOString(),
      total: byBucket.get(bucket)?.feedback ?? 0,
    })),
    object: 'analytics-graph',
  };
}
