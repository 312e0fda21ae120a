import { type FilterField, filterPairs, type LogsFilter, periodProblem } from './logs-filter.js';

/**
 * The logs view's filter as a log export's (Portkey's `POST /v1/logs/exports` filter names), and the
 * export fields the view asks for. Pure: the view and the unit test share it.
 */

/** An export as `GET /console/api/logs/exports` lists it (Portkey's fields and pk's progress). */
export interface LogExport {
  readonly id: string;
  readonly status: 'draft' | 'in_progress' | 'success' | 'failed' | 'stopped';
  readonly description: string | null;
  readonly created_at: string;
  readonly last_updated_at?: string | null;
  /** Records in the finished export; null until it finished. */
  readonly total: number | null;
  /** Records written so far. */
  readonly exported: number;
  readonly error: string | null;
}

/** The fields each line of the view's exports has (the gateway's `requested_data` names). */
export const DEFAULT_EXPORT_FIELDS = [
  'id',
  'trace_id',
  'created_at',
  'ai_org',
  'ai_model',
  'req_units',
  'res_units',
  'total_units',
  'cost',
  'cost_currency',
  'response_time',
  'response_status_code',
  'metadata',
] as const;

/** Records an export holds at most (the gateway's `page_size` maximum, its default). */
export const MAX_EXPORT_RECORDS = 50_000;

/**
 * The export filter of each logs filter field, or null for one an export cannot filter by (its
 * button then says so). A `Record` over every field: a field added to the logs filter must be
 * mapped here before the console compiles.
 */
const EXPORT_FILTER_OF: Readonly<Record<FilterField, string | null>> = {
  trace_id: 'trace_id',
  status: 'status_code',
  failed: 'failed',
  error_code: 'error_code',
  provider: 'ai_org',
  model: 'ai_model',
  virtual_key: 'virtual_keys',
  config: 'configs',
  prompt: 'prompt_slug',
  cache_status: 'cache_status',
  // The same names and unit (cents) as the logs API's.
  cost_min: 'cost_min',
  cost_max: 'cost_max',
  from: 'time_of_generation_min',
  to: 'time_of_generation_max',
};

/** What the logs view calls each field, in the explanations. */
const FIELD_NAMES: Readonly<Record<FilterField, string>> = {
  trace_id: 'trace id',
  status: 'status',
  failed: 'outcome',
  error_code: 'error code',
  provider: 'provider',
  model: 'model',
  virtual_key: 'virtual key',
  config: 'config',
  prompt: 'prompt',
  cache_status: 'cache status',
  cost_min: 'minimum cost',
  cost_max: 'maximum cost',
  from: 'from',
  to: 'to',
};

const TIME_FIELDS: ReadonlySet<FilterField> = new Set(['from', 'to']);

/** Either the export's filters, or why the view's filter has no exact export equivalent. */
export type ExportFilters =
  | { readonly ok: true; readonly filters: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Why an export would read `value` differently from the logs API, or null when it reads it alike. */
function textProblem(what: string, value: string): string | null {
  if (value.includes(','))
    return `the ${what} filter "${value}" has a comma, which an export reads as a list of values`;
  if (value !== value.trim())
    return `the ${what} filter "${value}" has spaces at its ends, which an export leaves out`;
  return null;
}

/**
 * A time as the logs API reads it, in full ISO 8601: a date alone is that day's midnight (UTC) for
 * the logs API, where an export's upper bound takes in the whole day. Unreadable: as it is (the
 * gateway then names the field).
 */
function fullTime(value: string): string {
  const parsed = Date.parse(value);
  return Number.isFinite(parsed) ? new Date(parsed).toISOString() : value;
}

/**
 * The export filters matching exactly the records the logs view's filter shows, or the reasons there
 * are none (a field with no export filter, a value an export would read otherwise, a metadata key
 * given twice with different values: an export's metadata filter is an object, one value a key).
 */
export function exportFiltersOf(filter: LogsFilter): ExportFilters {
  const filters: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [field, value] of Object.entries(filter.fields) as [FilterField, string | undefined][]) {
    if (value === undefined || value === '') continue;
    const name = EXPORT_FILTER_OF[field];
    if (name === null) {
      problems.push(`an export cannot filter by ${FIELD_NAMES[field]}`);
      continue;
    }
    if (TIME_FIELDS.has(field)) {
      filters[name] = fullTime(value);
      continue;
    }
    const problem = textProblem(FIELD_NAMES[field], value);
    if (problem === null) filters[name] = value;
    else problems.push(problem);
  }
  // The view shows no records for a time in its address that is not one; an export would take them all.
  for (const ignored of filter.ignored ?? []) problems.push(`${ignored} in the address is not a time`);
  if (periodProblem(filter) !== null) problems.push('From is after To: no record can be in that period');
  const metadata = new Map<string, string>();
  for (const [key, value] of filter.metadata) {
    if (key === '') continue;
    const earlier = metadata.get(key);
    if (earlier !== undefined && earlier !== value) {
      problems.push(`the metadata key "${key}" is given twice, and an export takes one value a key`);
      continue;
    }
    metadata.set(key, value);
  }
  // Own properties even for a key such as `__proto__` (no prototype to set).
  if (metadata.size > 0) filters.metadata = Object.fromEntries(metadata);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, filters };
}

/** An export's description: the view's filter, in the logs API's names. */
export function exportDescriptionOf(filter: LogsFilter): string {
  const pairs = filterPairs(filter).map(([name, value]) => `${name}=${value}`);
  const text = `Logs view: ${pairs.length > 0 ? pairs.join(', ') : 'every record'}`;
  return text.length > 1000 ? `${text.slice(0, 999)}…` : text;
}

/** The records column of an export: what it wrote so far, or holds once finished. */
export function exportProgressText(item: LogExport): string {
  const count = (value: number) => `${value.toLocaleString('en')} record${value === 1 ? '' : 's'}`;
  switch (item.status) {
    case 'draft':
      return 'not started';
    case 'in_progress':
      return `${count(item.exported)} so far`;
    case 'success':
      return count(item.total ?? item.exported);
    default:
      return `${count(item.exported)} written`;
  }
}

/** Whether the list holds an export still running (the view then asks again every second). */
export function anyRunning(items: readonly LogExport[]): boolean {
  return items.some((item) => item.status === 'in_progress');
}

/** Whether an export may be started (again): the statuses the gateway starts. */
export function startable(item: LogExport): boolean {
  return item.status === 'draft' || item.status === 'failed' || item.status === 'stopped';
}

/**
 * The download link the gateway answered, if it is a web address (`http:` or `https:`): the page
 * goes there, so anything else (a `javascript:` URL) is refused.
 */
export function downloadUrlOf(signedUrl: unknown, base: string): string | null {
  if (typeof signedUrl !== 'string') return null;
  try {
    const url = new URL(signedUrl, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
