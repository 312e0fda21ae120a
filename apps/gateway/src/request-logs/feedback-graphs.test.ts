import type { FeedbackSummaryRow } from '@pk/store';
import { describe, expect, it } from 'vitest';
import { graphQueryOf } from './analytics-graphs.js';
import { feedbackGraphOf } from './feedback-graphs.js';

describe('feedback graphs', () => {
  const threeHours = graphQueryOf({
    time_of_generation_min: '2026-12-01T10:00:00Z',
    time_of_generation_max: '2026-12-01T13:00:00Z',
  });
  const at = (hour: number) => new Date(Date.UTC(2026, 11, 1, hour)).toISOString();

  it('draws feedback: totals and weighted averages per bucket, scores, models with the most first', () => {
    const feedback = (bucket: string, group: string | null, count: number, weighted: number) =>
      ({ bucket, group, feedback: count, weighted_avg: weighted }) as FeedbackSummaryRow;
    const whole = [feedback(at(0), null, 6, 1.23456)];
    const buckets = [feedback(at(10), null, 4, 2), feedback(at(12), null, 2, -0.5)];
    expect(feedbackGraphOf('feedbacks', threeHours, whole, buckets)).toEqual({
      summary: { total: 6 },
      data_points: [
        { timestamp: at(10), total: 4 },
        { timestamp: at(11), total: 0 },
        { timestamp: at(12), total: 2 },
      ],
      object: 'analytics-graph',
    });
    expect(feedbackGraphOf('feedbacks/weighted', threeHours, whole, buckets)).toMatchObject({
      summary: { avg: 1.23 },
      data_points: [
        { timestamp: at(10), avg: 2 },
        { timestamp: at(11), avg: 0 },
        { timestamp: at(12), avg: -0.5 },
      ],
    });
    expect(
      feedbackGraphOf(
        'feedbacks/scores',
        threeHours,
        [feedback(at(0), '7', 2, 7), feedback(at(0), '-3', 1, -3), feedback(at(0), '10', 1, 5)],
        [],
      ),
    ).toMatchObject({
      summary: { total: 4 },
      data_points: [
        { score: -3, total: 1 },
        { score: 7, total: 2 },
        { score: 10, total: 1 },
      ],
    });
    expect(
      feedbackGraphOf(
        'feedbacks/ai-models',
        threeHours,
        [
          feedback(at(0), 'b-model', 1, 4),
          feedback(at(0), null, 5, 1),
          feedback(at(0), 'a-model', 3, 1.666666),
        ],
        [],
      ),
    ).toEqual({
      summary: {},
      data_points: [
        { ai_model: 'a-model', total: 3, avg_weighted_feedback: 1.67 },
        { ai_model: 'b-model', total: 1, avg_weighted_feedback: 4 },
      ],
      object: 'analytics-graph',
    });
  });
});
