import { PkError } from '@pk/config';
import type { LogFilter, StoredRequestLog } from '@pk/store';
import { centsOf } from './export-lines.js';
import { metadataPairsOf, orgModelOf } from './filter-spellings.js';

/**
 * Portkey's log export filters (its `GenerationsFilterSchema`) as pk's log filter, checked when an
 * export is created or changed, so that a job never starts on a filter it cannot apply. A filter pk
 * cannot apply is refused by name: ignoring it would export records the caller did not ask for.
 */

/** Records an export has at most (Portkey's `page_size` maximum and default). */
export const MAX_EXPORT_RECORDS = 50_000;

/** Numeric ranges applied to each record read (the log's indexes do not cover them). */
const RANGES = {
  total_units: (record: StoredRequestLog) => record.usage.total_tokens,
  prompt_token: (record: StoredRequestLog) => record.usage.prompt_tokens,
  completion_token: (record: StoredRequestLog) => record.usage.completion_tokens,
  // Portkey's costs are in cents; the log's are in USD.
  cost: (record: StoredRequestLog) => centsOf(record.cost),
} as const;

type RangeName = keyof typeof RANGES;

const TEXT_FILTERS = [
  'trace_id',
  'ai_model',
  'ai_org_model',
  // pk's additions: the provider alone, the cache status and the error code (as the logs API filters).
  'ai_org',
  'cache_status',
  'error_code',
  'virtual_keys',
  'configs',
  'prompt_slug',
  'status_code',
] as const;

const KNOWN = new Set<string>([
  // pk's addition: true for the failed requests, false for the others (as the logs API filters).
  'failed',
  'time_of_generation_min',
  'time_of_generation_max',
  ...TEXT_FILTERS,
  'metadata',
  'page_size',
  'current_page',
  ...Object.keys(RANGES).flatMap((name) => [`${name}_min`, `${name}_max`]),
]);

/** What a job does with an export's filters. */
export interface ExportPlan {
  /** The log query (no cursor, limit or time bound of the run yet). */
  readonly filter: LogFilter;
  /** Whether a record read passes the numeric ranges. */
  readonly accepts: (record: StoredRequestLog) => boolean;
  /** Whether the filters have numeric ranges (applied record by record, after the query). */
  readonly hasRanges: boolean;
  /** Matching records skipped first (`current_page × page_size`). */
  readonly skip: number;
  /** Records exported at most. */
  readonly limit: number;
}

/** How refusals name a filter: `filters.x` in an export's body, `x` in an analytics query. */
export interface FilterNaming {
  readonly prefix: string;
  /** How the refusal of an unknown filter ends: `exports by (see …)`. */
  readonly unknown: string;
}

const EXPORT_NAMING: FilterNaming = {
  prefix: 'filters.',
  unknown: "exports by (see the gateway README's log exports section)",
};

function invalid(message: string, name: string, prefix: string): PkError {
  return new PkError('PK_ERR_INVALID_REQUEST', message, { param: `${prefix}${name}` });
}

function oneText(
  filters: Readonly<Record<string, unknown>>,
  name: string,
  prefix: string,
): string | undefined {
  const value = filters[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'number')
    throw invalid(`${prefix}${name} must be text`, name, prefix);
  const text = String(value).trim();
  if (text.includes(','))
    throw invalid(`${prefix}${name}: pk takes one value at a time (no comma-separated lists)`, name, prefix);
  return text;
}

/** A boolean filter: true or false, as JSON or as the text of a query string. */
function truthOf(
  filters: Readonly<Record<string, unknown>>,
  name: string,
  prefix: string,
): boolean | undefined {
  const value = filters[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw invalid(`${prefix}${name} must be true or false`, name, prefix);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

function timeOf(
  filters: Readonly<Record<string, unknown>>,
  name: string,
  endOfDay: boolean,
  prefix: string,
): number | undefined {
  const value = filters[name];
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(parsed))
    throw invalid(`${prefix}${name} must be an ISO 8601 date or time`, name, prefix);
  // A date alone as the upper bound takes in that whole day (UTC).
  return endOfDay && DATE_ONLY.test(value as string) ? parsed + 86_400_000 : parsed;
}

function numberOf(
  filters: Readonly<Record<string, unknown>>,
  name: string,
  prefix: string,
): number | undefined {
  const value = filters[name];
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(parsed)) throw invalid(`${prefix}${name} must be a number`, name, prefix);
  return parsed;
}

function wholeOf(
  filters: Readonly<Record<string, unknown>>,
  name: string,
  min: number,
  max: number,
  prefix: string,
): number | undefined {
  const value = numberOf(filters, name, prefix);
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max))
    throw invalid(
      `${prefix}${name} must be a whole number from ${min} to ${max.toLocaleString('en')}`,
      name,
      prefix,
    );
  return value;
}

/**
 * The export plan of Portkey's filter object for a tenant (undefined: every tenant). Throws a 400
 * `PkError` naming the filter for anything pk cannot apply exactly.
 */
export function exportPlanOf(
  filters: Readonly<Record<string, unknown>>,
  tenant: string | undefined,
  naming: FilterNaming = EXPORT_NAMING,
): ExportPlan {
  const { prefix } = naming;
  for (const name of Object.keys(filters)) {
    if (!KNOWN.has(name))
      throw invalid(`${prefix}${name} is not a filter pk ${naming.unknown}`, name, prefix);
  }
  const status = wholeOf(filters, 'status_code', 100, 599, prefix);
  const orgModel = oneText(filters, 'ai_org_model', prefix);
  let provider = oneText(filters, 'ai_org', prefix);
  let model = oneText(filters, 'ai_model', prefix);
  if (orgModel !== undefined) {
    const named = orgModelOf(orgModel, `${prefix}ai_org_model`, (message) =>
      invalid(message, 'ai_org_model', prefix),
    );
    if (provider !== undefined && provider !== named.provider)
      throw invalid(`${prefix}ai_org and ${prefix}ai_org_model name different providers`, 'ai_org', prefix);
    provider = named.provider;
    if (model !== undefined && model !== named.model)
      throw invalid(`${prefix}ai_model and ${prefix}ai_org_model name different models`, 'ai_model', prefix);
    model = named.model;
  }
  const ranges: {
    readonly read: (record: StoredRequestLog) => number | null;
    readonly min: number | undefined;
    readonly max: number | undefined;
  }[] = [];
  for (const name of Object.keys(RANGES) as RangeName[]) {
    const min = numberOf(filters, `${name}_min`, prefix);
    const max = numberOf(filters, `${name}_max`, prefix);
    if (min !== undefined || max !== undefined) ranges.push({ read: RANGES[name], min, max });
  }
  const from = timeOf(filters, 'time_of_generation_min', false, prefix);
  const to = timeOf(filters, 'time_of_generation_max', true, prefix);
  if (from !== undefined && to !== undefined && from >= to)
    throw invalid(
      `${prefix}time_of_generation_min must be before time_of_generation_max`,
      'time_of_generation_min',
      prefix,
    );
  const limit = wholeOf(filters, 'page_size', 1, MAX_EXPORT_RECORDS, prefix) ?? MAX_EXPORT_RECORDS;
  const page = wholeOf(filters, 'current_page', 0, 1_000_000, prefix) ?? 0;
  return {
    filter: {
      tenant,
      traceId: oneText(filters, 'trace_id', prefix),
      status,
      provider,
      model,
      virtualKey: oneText(filters, 'virtual_keys', prefix),
      configId: oneText(filters, 'configs', prefix),
      prompt: oneText(filters, 'prompt_slug', prefix),
      cacheStatus: oneText(filters, 'cache_status', prefix),
      errorCode: oneText(filters, 'error_code', prefix),
      failed: truthOf(filters, 'failed', prefix),
      from,
      to,
      metadata:
        filters.metadata === undefined || filters.metadata === null
          ? []
          : metadataPairsOf(filters.metadata, `${prefix}metadata`, (message) =>
              invalid(message, 'metadata', prefix),
            ),
    },
    accepts:
      ranges.length === 0
        ? () => true
        : (record) =>
            ranges.every((range) => {
              const value = range.read(record);
              if (value === null) return false;
              return (
                (range.min === undefined || value >= range.min) &&
                (range.max === undefined || value <= range.max)
              );
            }),
    hasRanges: ranges.length > 0,
    skip: page * limit,
    limit,
  };
}
