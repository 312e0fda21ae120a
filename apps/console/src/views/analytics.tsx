import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import {
  type AnalyticsOptions,
  analyticsOptionsFromSearch,
  analyticsSearch,
  PERIODS,
} from '../analytics-options.js';
import {
  costWithUnpricedText,
  GROUPS,
  groupName,
  groupOf,
  METRICS,
  metricLabel,
  metricOf,
  OTHER_GROUPS,
  periodOf,
  pointText,
  pricedOf,
  type SummaryRow,
  toSeries,
  unpricedOf,
} from '../analytics-series.js';
import { api, queryString } from '../api.js';
import { ErrorNote } from '../components/error-note.js';
import { navigate } from '../router.js';
import { useAnswer } from '../use-answer.js';
import { OutcomesPanel } from './analytics-outcomes.js';

/** `GET /v1/analytics/summary`'s answer, as the view reads it. */
type Summary = { data: SummaryRow[]; from?: string; to?: string; truncated?: boolean; top?: number | null };

const COLORS = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#bf3989', '#0969da', '#57606a'];

/**
 * Requests, errors, latency (avg, p50, p90, p95, p99), tokens, cost, distinct users and the cache hit
 * rate over time, by model, provider, virtual key, `_user`, status, cache status or a metadata key;
 * below the chart, what happened to the period's requests (cache, rescued, feedback). Charts by uPlot
 * (a canvas time-series library of ~50 KB: fast on thousands of points, no dependencies), loaded with
 * this view only.
 */
export function AnalyticsView(props: { search?: URLSearchParams }) {
  // Kept in the address (replaced, not pushed: each choice is no page of its own), so a reload or a
  // shared link shows the same chart.
  const [options, setOptions] = useState<AnalyticsOptions>(() =>
    analyticsOptionsFromSearch(props.search ?? new URLSearchParams()),
  );
  const { metric, groupBy, metadataKey, hours } = options;
  const choose = (change: Partial<AnalyticsOptions>) => {
    const next = { ...options, ...change };
    setOptions(next);
    navigate(`/analytics${analyticsSearch(next)}`, true);
  };
  const setMetric = (value: string) => choose({ metric: value });
  const setGroupBy = (value: string) => choose({ groupBy: value });
  const setMetadataKey = (value: string) => choose({ metadataKey: value });
  const setHours = (value: string) => choose({ hours: value });
  const chart = useRef<HTMLDivElement>(null);
  const group = groupBy === 'metadata' ? `metadata.${metadataKey}` : groupBy;

  const needsKey = groupBy === 'metadata' && metadataKey === '';
  // Figures (and a failure) are only ever shown under the grouping and period they were computed for.
  const answer = useAnswer(needsKey ? null : `${group}\n${hours}`, () =>
    api<Summary>(
      `/analytics/summary${queryString([
        ['group_by', group],
        ['from', new Date(Date.now() - Number(hours) * 3600_000).toISOString()],
      ])}`,
    ),
  );
  const summary = answer?.state === 'done' ? answer.value : null;
  const rows = summary?.data ?? null;
  /** The top groups the summary kept, when it summed the rest into one (its `truncated`). */
  const topOf = summary?.truncated === true && typeof summary.top === 'number' ? summary.top : null;
  const period = useMemo(() => (summary === null ? null : periodOf(summary)), [summary]);
  const error = answer?.state === 'failed' ? answer.error : null;

  useEffect(() => {
    const target = chart.current;
    if (!target || !rows) return undefined;
    const { groups, data, rows: points } = toSeries(rows, metric);
    const plot = new uPlot(
      {
        width: Math.max(320, target.clientWidth || 800),
        height: 320,
        series: [
          {},
          ...groups.map((name, i) => ({
            label: name,
            stroke: COLORS[i % COLORS.length] ?? '#000',
            width: 2,
            // The legend under the cursor: a cost with its bucket's unpriced requests, never a bare 0.
            value: (_plot: uPlot, value: number | null, _series: number, index: number | null) =>
              pointText(metric, value, index === null ? null : (points[i]?.[index] ?? null)),
          })),
        ],
        ...(period ? { scales: { x: { time: true, range: period } } } : {}),
        axes: [{}, { label: metricLabel(metric) }],
      },
      data as uPlot.AlignedData,
      target,
    );
    return () => plot.destroy();
  }, [rows, metric, period]);

  const totals = new Map<
    string,
    { requests: number; errors: number; cost: number; unpriced: number; priced: number }
  >();
  for (const row of rows ?? []) {
    const entry = totals.get(groupOf(row)) ?? { requests: 0, errors: 0, cost: 0, unpriced: 0, priced: 0 };
    entry.requests += metricOf(row, 'requests') ?? 0;
    entry.errors += metricOf(row, 'errors') ?? 0;
    entry.cost += metricOf(row, 'cost') ?? 0;
    entry.unpriced += unpricedOf(row);
    entry.priced += pricedOf(row);
    totals.set(groupOf(row), entry);
  }

  return (
    <section aria-labelledby="analytics-title">
      <h1 id="analytics-title">Analytics</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()} aria-label="Analytics options">
        <label>
          Metric
          <select
            value={metric}
            onChange={(event) => setMetric((event.currentTarget as HTMLSelectElement).value)}
          >
            {METRICS.map(([id, label]) => (
              <option value={id} key={id}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Group by
          <select
            value={groupBy}
            onChange={(event) => setGroupBy((event.currentTarget as HTMLSelectElement).value)}
          >
            {GROUPS.map(([id, label]) => (
              <option value={id} key={id}>
                {label}
              </option>
            ))}
            <option value="metadata">A metadata key…</option>
          </select>
        </label>
        {groupBy === 'metadata' ? (
          <label>
            Metadata key
            <input
              value={metadataKey}
              onChange={(event) => setMetadataKey((event.currentTarget as HTMLInputElement).value)}
            />
          </label>
        ) : null}
        <label>
          Period
          <select
            value={hours}
            onChange={(event) => setHours((event.currentTarget as HTMLSelectElement).value)}
          >
            {PERIODS.map(([id, label]) => (
              <option value={id} key={id}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ErrorNote error={error} />
      {needsKey ? (
        <p class="notice" role="status">
          Type the metadata key to group by (<code>team</code>, <code>_user</code> …).
        </p>
      ) : null}
      <div
        ref={chart}
        class="chart"
        role="img"
        aria-label={`${metricLabel(metric)} over time by ${groupName(group)}`}
      />
      <table class="data">
        <caption>
          Totals by {groupName(group)}
          {topOf === null ? null : ` (the ${topOf} with the most requests; the rest in “${OTHER_GROUPS}”)`}
        </caption>
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col" class="num">
              Requests
            </th>
            <th scope="col" class="num">
              Errors
            </th>
            <th scope="col" class="num">
              Cost
            </th>
          </tr>
        </thead>
        <tbody>
          {[...totals].map(([name, entry]) => (
            <tr key={name}>
              <td>
                <bdi>{name}</bdi>
              </td>
              <td class="num">{entry.requests}</td>
              <td class="num">{entry.errors}</td>
              <td class="num">{costWithUnpricedText(entry.cost, entry.unpriced, entry.priced)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <OutcomesPanel hours={Number(hours)} />
    </section>
  );
}
