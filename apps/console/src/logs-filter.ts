/** The query API's filters (`GET /v1/logs`) the logs view offers, in the order it shows them. */
export const FILTER_FIELDS = [
  'trace_id',
  'status',
  'failed',
  'error_code',
  'provider',
  'model',
  'virtual_key',
  'config',
  'prompt',
  'cache_status',
  // Portkey's cost filter, in its unit: cents (USD × 100).
  'cost_min',
  'cost_max',
  'from',
  'to',
] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

/** A logs filter: the fields, and metadata key/value pairs (`metadata._user=alice`). */
export interface LogsFilter {
  readonly fields: Partial<Record<FilterField, string>>;
  readonly metadata: readonly (readonly [string, string])[];
  /**
   * Values of the URL left out because the form could not show them (a `from` or `to` that is not a
   * time: its field would be empty while the filter applied), as `name=value` to tell the user.
   */
  readonly ignored?: readonly string[];
}

export const EMPTY_FILTER: LogsFilter = { fields: {}, metadata: [] };

let lastLogsSearch = '';

/** Remembers the logs view's query (its filter), for the links back to it from a request. */
export function rememberLogsSearch(search: string): void {
  lastLogsSearch = search;
}

/** The logs view as last filtered in this page (`/logs?metadata._user=alice`), or `/logs`. */
export function logsListPath(): string {
  return lastLogsSearch === '' ? '/logs' : `/logs?${lastLogsSearch}`;
}

/** Metadata pairs a filter takes at most: the query API's limit (`GET /v1/logs` answers 400 beyond). */
export const MAX_METADATA_PAIRS = 8;

/** The filter a URL's query holds (the view keeps its filter there, so a view can be shared). */
export function filterFromSearch(search: URLSearchParams): LogsFilter {
  const fields: Partial<Record<FilterField, string>> = {};
  const metadata: [string, string][] = [];
  const ignored: string[] = [];
  for (const [name, value] of search) {
    if (name.startsWith('metadata.') && name.length > 'metadata.'.length) {
      metadata.push([name.slice('metadata.'.length), value]);
    } else if ((FILTER_FIELDS as readonly string[]).includes(name) && value !== '') {
      if ((name === 'from' || name === 'to') && isoToLocal(value) === '') ignored.push(`${name}=${value}`);
      else fields[name as FilterField] = value;
    }
  }
  return ignored.length === 0 ? { fields, metadata } : { fields, metadata, ignored };
}

/** What the logs view says instead of records when the address holds a filter it cannot apply. */
export function invalidAddressFilter(ignored: readonly string[]): string {
  return `The address has a filter that is not a time: ${ignored.join(', ')}. Nothing is shown rather than every record: pick a time in the form, or Clear the filters.`;
}

/**
 * What the logs view says instead of records when the filter's From is after its To (the two swapped):
 * no record can match, and "No request matches these filters" would not say why. Null otherwise.
 */
export function periodProblem(filter: LogsFilter): string | null {
  const { from, to } = filter.fields;
  if (from === undefined || to === undefined) return null;
  const start = Date.parse(from);
  const end = Date.parse(to);
  if (Number.isNaN(start) || Number.isNaN(end) || start <= end) return null;
  return `From (${new Date(start).toLocaleString()}) is after To (${new Date(end).toLocaleString()}): no request can be in that period. Swap them, or Clear the filters.`;
}

/**
 * The filter the form applies: each field's value without the spaces at its ends (a trace id or a
 * model pasted from a terminal with a trailing space matched nothing; none of these ids holds one).
 * Metadata values are kept as typed: a user's value may end in a space.
 */
export function formFilter(fields: LogsFilter['fields'], metadata: LogsFilter['metadata']): LogsFilter {
  const trimmed: Partial<Record<FilterField, string>> = {};
  for (const name of FILTER_FIELDS) {
    const value = fields[name]?.trim();
    if (value !== undefined && value !== '') trimmed[name] = value;
  }
  return { fields: trimmed, metadata: metadata.filter(([key]) => key !== '') };
}

/** The filter as query pairs, in the query API's names (also the URL's). */
export function filterPairs(filter: LogsFilter): [string, string][] {
  const pairs: [string, string][] = [];
  for (const name of FILTER_FIELDS) {
    const value = filter.fields[name];
    if (value !== undefined && value !== '') pairs.push([name, value]);
  }
  for (const [key, value] of filter.metadata) if (key !== '') pairs.push([`metadata.${key}`, value]);
  return pairs;
}

/** `datetime-local` input value (local time) to ISO 8601, and back; '' when empty or invalid. */
export function localToIso(local: string): string {
  if (local === '') return '';
  const time = new Date(local);
  return Number.isNaN(time.getTime()) ? '' : time.toISOString();
}
export function isoToLocal(iso: string | undefined): string {
  if (iso === undefined || iso === '') return '';
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())}T${pad(time.getHours())}:${pad(time.getMinutes())}`;
}
