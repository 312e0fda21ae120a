import { useEffect, useState } from 'preact/hooks';
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

/**
 * A group of the panel: its lines or the error of its call, for the period (hours) it was asked for;
 * `null` before the first answer. One for another period shows as loading, from the render that changes
 * the period.
 */
type Loaded =
  | { readonly hours: number; readonly lines: readonly OutcomeLine[] }
  | { readonly hours: number; readonly error: unknown }
  | null;

/** The group's answer if it is for the period shown, else `null` (loading). */
const ofPeriod = (loaded: Loaded, hours: number): Loaded => (loaded?.hours === hours ? loaded : null);

/** Runs `load` into `set` (its lines, or its error), unless the period changed meanwhile. */
function follow(
  hours: number,
  load: () => Promise<readonly OutcomeLine[]>,
  set: (value: Loaded) => void,
  current: () => boolean,
): void {
  load().then(
    (lines) => current() && set({ hours, lines }),
    (error: unknown) => current() && set({ hours, error }),
  );
}

/**
 * What happened to the period's requests: cache hits and how much faster they were, requests a retry
 * or a fallback rescued, and the feedback given. Each group is its own call (Portkey's analytics
 * routes, which take the period as `time_of_generation_min`/`_max`); one failing shows its error and
 * leaves the others.
 */
export function OutcomesPanel(props: { hours: number }) {
  const { hours } = props;
  const [cache, setCache] = useState<Loaded>(null);
  const [rescued, setRescued] = useState<Loaded>(null);
  const [feedback, setFeedback] = useState<Loaded>(null);

  useEffect(() => {
    let current = true;
    const isCurrent = () => current;
    const to = new Date();
    const query = outcomeQuery(new Date(to.getTime() - hours * 3600_000), to);
    follow(
      hours,
      async () => cacheLines(readCacheSummary(await api(`/analytics/summary/cache${query}`))),
      setCache,
      isCurrent,
    );
    follow(
      hours,
      async () => rescuedLines(readRescued(await api(`/analytics/graphs/requests/rescued${query}`))),
      setRescued,
      isCurrent,
    );
    follow(
      hours,
      async () => {
        const [totals, weighted] = await Promise.all([
          api(`/analytics/graphs/feedbacks${query}`),
          api(`/analytics/graphs/feedbacks/weighted${query}`),
        ]);
        return feedbackLines(readFeedback(totals, weighted));
      },
      setFeedback,
      isCurrent,
    );
    return () => {
      current = false;
    };
  }, [hours]);

  return (
    <section class="outcomes" aria-labelledby="outcomes-title">
      <h2 id="outcomes-title">Outcomes over the period</h2>
      <div class="outcome-groups">
        <OutcomeGroup id="outcomes-cache" title="Cache" loaded={ofPeriod(cache, hours)} />
        <OutcomeGroup id="outcomes-rescued" title="Rescued requests" loaded={ofPeriod(rescued, hours)} />
        <OutcomeGroup id="outcomes-feedback" title="Feedback" loaded={ofPeriod(feedback, hours)} />
      </div>
    </section>
  );
}

function OutcomeGroup(props: { id: string; title: string; loaded: Loaded }) {
  const { id, title, loaded } = props;
  return (
    <div class="outcome-group">
      <h3 id={id}>{title}</h3>
      {loaded === null ? (
        <p>Loading…</p>
      ) : 'error' in loaded ? (
        <ErrorNote error={loaded.error} />
      ) : (
        <dl class="summary">
          {loaded.lines.map(([term, value]) => (
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
