import {
  cacheLines,
  feedbackLines,
  type OutcomeLine,
  outcomeQuery,
  readCacheSummary,
  readFeedback,
  readRescued,
  rescuedLines,
} from '../analytics-outcomes.js';
import { api } from '../api.js';
import { ErrorNote } from '../components/error-note.js';
import { type Answer, useAnswer } from '../use-answer.js';

/**
 * What happened to the period's requests: cache hits and how much faster they were, requests a retry
 * or a fallback rescued, and the feedback given. Each group is its own call (Portkey's analytics
 * routes, which take the period as `time_of_generation_min`/`_max`); one failing shows its error and
 * leaves the others.
 */
export function OutcomesPanel(props: { hours: number }) {
  const { hours } = props;
  const to = new Date();
  const query = outcomeQuery(new Date(to.getTime() - hours * 3600_000), to);
  // Each group's lines for the period shown: another period's show as loading.
  const period = String(hours);
  const cache = useAnswer(period, async () =>
    cacheLines(readCacheSummary(await api(`/analytics/summary/cache${query}`))),
  );
  const rescued = useAnswer(period, async () =>
    rescuedLines(readRescued(await api(`/analytics/graphs/requests/rescued${query}`))),
  );
  const feedback = useAnswer(period, async () => {
    const [totals, weighted] = await Promise.all([
      api(`/analytics/graphs/feedbacks${query}`),
      api(`/analytics/graphs/feedbacks/weighted${query}`),
    ]);
    return feedbackLines(readFeedback(totals, weighted));
  });

  return (
    <section class="outcomes" aria-labelledby="outcomes-title">
      <h2 id="outcomes-title">Outcomes over the period</h2>
      <div class="outcome-groups">
        <OutcomeGroup id="outcomes-cache" title="Cache" answer={cache} />
        <OutcomeGroup id="outcomes-rescued" title="Rescued requests" answer={rescued} />
        <OutcomeGroup id="outcomes-feedback" title="Feedback" answer={feedback} />
      </div>
    </section>
  );
}

function OutcomeGroup(props: { id: string; title: string; answer: Answer<readonly OutcomeLine[]> | null }) {
  const { id, title, answer } = props;
  return (
    <div class="outcome-group">
      <h3 id={id}>{title}</h3>
      {answer === null || answer.state === 'loading' ? (
        <p>Loading…</p>
      ) : answer.state === 'failed' ? (
        <ErrorNote error={answer.error} />
      ) : (
        <dl class="summary">
          {answer.value.map(([term, value]) => (
            <div key={term}>
              <dt>{term}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}
