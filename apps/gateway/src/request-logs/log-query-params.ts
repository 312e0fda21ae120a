import { PkError } from '@pk/config';
import type { LogFilter } from '@pk/store';
import { MAX_LOG_METADATA_FILTERS } from '@pk/store';
import type { FastifyReply } from 'fastify';
import { metadataObjectOf, metadataPairsOf, orgModelOf, PORTKEY_SPELLINGS } from './filter-spellings.js';

/**
 * The query strings of the request log's read routes: `GET /v1/logs` and `GET /v1/analytics/summary`
 * take the same filters (pk's snake_case names, and Portkey's spellings of the same filters as
 * aliases); the analytics graphs and groups take Portkey's names, and pk's as aliases. A parameter a
 * route does not know is a 400 naming it: ignoring it would answer everyone's records.
 */

type Query = Readonly<Record<string, string | string[] | undefined>>;

/** The filters of `GET /v1/logs` and `GET /v1/analytics/summary` (besides `metadata.<key>`). */
const LOG_FILTERS = [
  'trace_id',
  'status',
  'provider',
  'model',
  'virtual_key',
  'config',
  'prompt',
  'cache_status',
  'error_code',
  'failed',
  // Portkey's ranges (its log exports' and analytics' names and units): cost in cents, tokens.
  'cost_min',
  'cost_max',
  'total_units_min',
  'total_units_max',
  'from',
  'to',
] as const;

/** pk's name of each of Portkey's spellings, accepted as aliases. */
const spellings: Readonly<Record<string, (typeof LOG_FILTERS)[number]>> = PORTKEY_SPELLINGS;

/** The other parameters of `GET /v1/logs`: its paging. */
export const LIST_PARAMETERS: readonly string[] = ['limit', 'cursor'];
/** The other parameters of `GET /v1/analytics/summary`: its buckets and groups. */
export const SUMMARY_PARAMETERS: readonly string[] = ['bucket', 'group_by', 'top', 'top_by'];

export function invalid(message: string, param: string): PkError {
  return new PkError('PK_ERR_INVALID_REQUEST', message, { param });
}

export function single(query: Query, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw invalid(`${name} may be given once`, name);
  return value;
}

export function time(query: Query, name: string): number | undefined {
  const value = single(query, name);
  if (value === undefined) return undefined;
  const parsed = Date.parse(value);
  if (!Number.isFinite(parsed)) throw invalid(`${name} must be an ISO 8601 time`, name);
  return parsed;
}

/** `true` or `false`, or undefined when absent. */
function truth(query: Query, name: string): boolean | undefined {
  const value = single(query, name);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw invalid(`${name} must be true or false`, name);
  return value === 'true';
}

export function whole(query: Query, name: string, min: number, max: number): number | undefined {
  const value = single(query, name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max)
    throw invalid(`${name} must be a whole number from ${min} to ${max}`, name);
  return parsed;
}

/**
 * A cost bound in cents (Portkey's unit for a cost filter, as its exports and analytics take it) as
 * USD, the log's unit; undefined when absent.
 */
function cents(query: Query, name: string): number | undefined {
  const value = single(query, name);
  if (value === undefined) return undefined;
  const parsed = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(parsed) || parsed < 0)
    throw invalid(`${name} must be a number of cents (USD × 100) from 0`, name);
  return parsed / 100;
}

/** Portkey's `metadata` parameter: a JSON object of text values, as its SDK sends it. */
function metadataObjectPairs(value: string | string[]): [string, string][] {
  if (Array.isArray(value)) throw invalid('metadata may be given once', 'metadata');
  return metadataPairsOf(metadataObjectOf(value, 'metadata', invalid), 'metadata', invalid);
}

/**
 * The query in pk's names: Portkey's spellings renamed (a filter given in both spellings must agree),
 * `metadata` (a JSON object) and `metadata.<key>=<value>` as pairs. A name that is neither a filter
 * nor one of `others` is a 400 naming it.
 */
function normalized(query: Query, others: readonly string[]): { named: Query; metadata: [string, string][] } {
  const named: Record<string, string | string[] | undefined> = {};
  /** The spelling each filter was first given in, for a message naming both when they disagree. */
  const spelledAs: Record<string, string> = {};
  const metadata: [string, string][] = [];
  const known = new Set<string>([...LOG_FILTERS, ...others]);
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (name.startsWith('metadata.')) {
      const key = name.slice('metadata.'.length);
      if (key === '') throw invalid('metadata filters are metadata.<key>=<value>', name);
      for (const one of Array.isArray(value) ? value : [value]) metadata.push([key, one]);
      continue;
    }
    if (name === 'metadata') {
      metadata.push(...metadataObjectPairs(value));
      continue;
    }
    if (name === 'ai_org_model') {
      // Portkey's provider__model (openai__gpt-4o): the provider and model filters at once.
      const both = orgModelOf(single(query, name) as string, name, invalid);
      for (const [canonical, part] of [
        ['provider', both.provider],
        ['model', both.model],
      ] as const) {
        const earlier = named[canonical];
        if (earlier !== undefined && earlier !== part)
          throw invalid(`ai_org_model and ${canonical} name different values`, name);
        named[canonical] = part;
      }
      continue;
    }
    const canonical = known.has(name) ? name : spellings[name];
    if (canonical === undefined)
      throw invalid(
        `${name} is not a parameter of this route: it filters by ${LOG_FILTERS.join(', ')} or metadata.<key> (Portkey's ${Object.keys(PORTKEY_SPELLINGS).join(', ')}, ai_org_model and metadata={…} too)${others.length > 0 ? `, and takes ${others.join(', ')}` : ''}`,
        name,
      );
    const earlier = named[canonical];
    if (earlier !== undefined && JSON.stringify(earlier) !== JSON.stringify(value))
      throw invalid(`${spelledAs[canonical]} and ${name} are the same filter and must agree`, name);
    named[canonical] = value;
    spelledAs[canonical] ??= name;
  }
  if (metadata.length > MAX_LOG_METADATA_FILTERS)
    throw invalid(`at most ${MAX_LOG_METADATA_FILTERS} metadata.<key>=<value> filters`, 'metadata');
  return { named, metadata };
}

/**
 * The filter of `GET /v1/logs` (and of `GET /v1/analytics/summary`, whose own parameters are
 * `others`) from its query string. Throws a 400 `PkError` naming a parameter it does not know.
 */
export function logFilterOf(
  query: Query,
  tenant: string | undefined,
  others: readonly string[] = LIST_PARAMETERS,
): LogFilter {
  const { named, metadata } = normalized(query, others);
  const paged = others === LIST_PARAMETERS;
  return {
    tenant,
    traceId: single(named, 'trace_id'),
    status: whole(named, 'status', 100, 599),
    provider: single(named, 'provider'),
    model: single(named, 'model'),
    virtualKey: single(named, 'virtual_key'),
    configId: single(named, 'config'),
    prompt: single(named, 'prompt'),
    cacheStatus: single(named, 'cache_status'),
    errorCode: single(named, 'error_code'),
    failed: truth(named, 'failed'),
    costMin: cents(named, 'cost_min'),
    costMax: cents(named, 'cost_max'),
    tokensMin: whole(named, 'total_units_min', 0, 1e12),
    tokensMax: whole(named, 'total_units_max', 0, 1e12),
    from: time(named, 'from'),
    to: time(named, 'to'),
    metadata,
    ...(paged ? { limit: whole(named, 'limit', 1, 500), cursor: single(named, 'cursor') } : {}),
  };
}

/** pk's names of the filters in Portkey's (the analytics graphs' and groups' own). */
const PK_SPELLINGS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(PORTKEY_SPELLINGS).map(([portkey, pk]) => [pk, portkey]),
);

/**
 * An analytics graph's or group's query in Portkey's names: pk's names of the same filters
 * (`model`, `status`, `from`, `metadata.<key>` …) renamed to Portkey's, so every analytics route
 * takes `GET /v1/logs`'s filters. A filter given in both spellings must agree. `metadata` (its JSON
 * text, with any `metadata.<key>` pairs) is answered as the object, read once here.
 */
export function portkeyQueryOf(query: Query): Record<string, unknown> {
  const renamed: Record<string, unknown> = {};
  /** The spelling each filter was first given in, for a message naming both when they disagree. */
  const spelledAs: Record<string, string> = {};
  const pairs: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (name.startsWith('metadata.') && name.length > 'metadata.'.length) {
      if (Array.isArray(value)) throw invalid(`${name} may be given once here`, name);
      pairs[name.slice('metadata.'.length)] = value;
      continue;
    }
    const target = PK_SPELLINGS[name] ?? name;
    if (renamed[target] !== undefined && JSON.stringify(renamed[target]) !== JSON.stringify(value))
      throw invalid(`${spelledAs[target]} and ${name} are the same filter and must agree`, name);
    renamed[target] = value;
    spelledAs[target] ??= name;
  }
  const text = renamed.metadata;
  if (Array.isArray(text)) throw invalid('metadata may be given once', 'metadata');
  const given = typeof text === 'string' ? metadataObjectOf(text, 'metadata', invalid) : {};
  for (const [key, value] of Object.entries(pairs)) {
    if (given[key] !== undefined && String(given[key]) !== value)
      throw invalid(`metadata.${key} and metadata's ${key} must agree`, `metadata.${key}`);
  }
  if (text !== undefined || Object.keys(pairs).length > 0) renamed.metadata = { ...given, ...pairs };
  return renamed;
}

/**
 * A signal that aborts when the client goes away before its answer is sent, so the store never
 * starts (or stops) a read nobody waits for.
 */
export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}
