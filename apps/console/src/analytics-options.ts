import { GROUPS, METRICS } from './analytics-series.js';

/** What the analytics view shows: a metric, a grouping (a metadata key's, or one of `GROUPS`), a period. */
export interface AnalyticsOptions {
  readonly metric: string;
  /** One of `GROUPS`' ids, or `metadata` (then `metadataKey` names the key). */
  readonly groupBy: string;
  readonly metadataKey: string;
  /** The period: the last 1, 24, 168 or 720 hours. */
  readonly hours: string;
}

export const DEFAULT_ANALYTICS: AnalyticsOptions = {
  metric: 'requests',
  groupBy: 'model',
  metadataKey: '',
  hours: '24',
};

/** The periods the view offers, in hours, and their labels. */
export const PERIODS = [
  ['1', 'Last hour'],
  ['24', 'Last 24 hours'],
  ['168', 'Last 7 days'],
  ['720', 'Last 30 days'],
] as const;

const known = (list: readonly (readonly [string, string])[], value: string | null): value is string =>
  value !== null && list.some(([id]) => id === value);

/**
 * The options an address holds (`?metric=cost&group_by=metadata.team&hours=168`, the summary's own
 * `group_by` names), each unknown or missing one the default: a reload or a shared link shows the same.
 */
export function analyticsOptionsFromSearch(search: URLSearchParams): AnalyticsOptions {
  const metric = search.get('metric');
  const group = search.get('group_by');
  const hours = search.get('hours');
  const metadataKey = group?.startsWith('metadata.') ? group.slice('metadata.'.length) : '';
  return {
    metric: known(METRICS, metric) ? metric : DEFAULT_ANALYTICS.metric,
    groupBy: metadataKey !== '' ? 'metadata' : known(GROUPS, group) ? group : DEFAULT_ANALYTICS.groupBy,
    metadataKey,
    hours: known(PERIODS, hours) ? hours : DEFAULT_ANALYTICS.hours,
  };
}

/** The address's query of `options` (the defaults left out), '' when all are the defaults. */
export function analyticsSearch(options: AnalyticsOptions): string {
  const search = new URLSearchParams();
  if (options.metric !== DEFAULT_ANALYTICS.metric) search.set('metric', options.metric);
  const group = options.groupBy === 'metadata' ? `metadata.${options.metadataKey}` : options.groupBy;
  if (group !== DEFAULT_ANALYTICS.groupBy && group !== 'metadata.') search.set('group_by', group);
  if (options.hours !== DEFAULT_ANALYTICS.hours) search.set('hours', options.hours);
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
