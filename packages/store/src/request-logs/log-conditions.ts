import { type Expression, sql } from 'kysely';
import type { Engine } from '../database/schema.js';
import type { LogFilter } from './log-queries.js';
import { metadataText, USER_METADATA_KEY } from './log-record.js';

/** The record conditions of a log filter (what every read of the log narrows records with). */
export type RecordConditions = Pick<
  LogFilter,
  | 'traceId'
  | 'status'
  | 'provider'
  | 'model'
  | 'virtualKey'
  | 'configId'
  | 'prompt'
  | 'cacheStatus'
  | 'errorCode'
  | 'failed'
  | 'costMin'
  | 'costMax'
  | 'tokensMin'
  | 'tokensMax'
>;

/**
 * How far a cost may be below a cost range's bound and still match it: a bound given in cents
 * (Portkey's unit) and divided by 100 is not always the same double as the cost stored in USD
 * (`4.21 / 100` and `0.0421` are, `7.2 / 100` and `0.072` are not); costs are kept to 1e-12 USD.
 */
const COST_SLACK = 1e-13;

/**
 * Whether a record (of `table`, or unqualified columns) is a failed request: an error status, or a
 * stream that answered 200 and then ended with an error (its `error_code`; no other record under 400
 * has one). One meaning for the log's `failed` filter, the summary's errors and what a rescue is.
 */
export function failedRecord(table?: string) {
  const column = (name: string) => sql.ref(table === undefined ? name : `${table}.${name}`);
  return sql<boolean>`(${column('status')} >= 400 or ${column('error_code')} is not null)`;
}

/**
 * `query` (over the log as `l`) narrowed to the records that meet every condition of `filter` and
 * every `metadata` pair: one meaning of each filter for the log's list, its summary and the analytics
 * drawn over it.
 */
// biome-ignore lint/suspicious/noExplicitAny: one helper for every query shape that has `l`.
export function withRecordConditions<Q extends { where: (...args: any[]) => Q }>(
  query: Q,
  filter: RecordConditions,
  metadata: readonly (readonly [string, string])[],
): Q {
  // biome-ignore lint/suspicious/noExplicitAny: see above.
  let q = query as any;
  if (filter.traceId !== undefined) q = q.where('l.trace_id', '=', filter.traceId);
  if (filter.status !== undefined) q = q.where('l.status', '=', filter.status);
  if (filter.provider !== undefined) q = q.where('l.provider', '=', filter.provider);
  if (filter.model !== undefined) q = q.where('l.model', '=', filter.model);
  if (filter.virtualKey !== undefined) q = q.where('l.virtual_key', '=', filter.virtualKey);
  if (filter.configId !== undefined) q = q.where('l.config_id', '=', filter.configId);
  if (filter.prompt !== undefined) {
    // `slug@2` is one version; a bare slug is every version of it (`slug@…`), compared exactly (a
    // LIKE pattern would read `_` in a slug as a wildcard).
    const prompt = filter.prompt;
    q = prompt.includes('@')
      ? q.where('l.prompt', '=', prompt)
      : q.where(sql<string>`substr(l.prompt, 1, ${prompt.length + 1})`, '=', `${prompt}@`);
  }
  if (filter.cacheStatus !== undefined) q = q.where('l.cache_status', '=', filter.cacheStatus);
  if (filter.errorCode !== undefined) q = q.where('l.error_code', '=', filter.errorCode);
  if (filter.failed !== undefined)
    q = q.where(filter.failed ? failedRecord('l') : sql<boolean>`not ${failedRecord('l')}`);
  // A null cost or token count fails both comparisons: an unpriced request matches no range.
  if (filter.costMin !== undefined) q = q.where('l.cost', '>=', filter.costMin - COST_SLACK);
  if (filter.costMax !== undefined) q = q.where('l.cost', '<=', filter.costMax + COST_SLACK);
  if (filter.tokensMin !== undefined) q = q.where('l.total_tokens', '>=', filter.tokensMin);
  if (filter.tokensMax !== undefined) q = q.where('l.total_tokens', '<=', filter.tokensMax);
  for (const [key, value] of storedPairs(metadata)) {
    if (key === USER_METADATA_KEY) {
      q = q.where('l.user_id', '=', value);
      continue;
    }
    // biome-ignore lint/suspicious/noExplicitAny: the builder of either query shape.
    q = q.where((eb: any) =>
      eb.exists(
        eb
          .selectFrom('request_log_metadata as mx')
          .select('mx.log_id')
          .whereRef('mx.log_id', '=', 'l.id')
          .where('mx.key', '=', key)
          .where('mx.value', '=', value),
      ),
    );
  }
  return q as Q;
}

/**
 * The tenants that have rows in `table` (the log, or the feedback), as a subquery (`tenant in
 * (…)`): read off the table's (tenant, created_at …) index one seek per tenant, whatever its size
 * (the first one as `min`, which both engines plan as one seek), so that a read of every tenant's
 * range goes through that index as a tenant's does: no query plan of the analytics shows a scan of
 * the log or the feedback.
 */
export function everyTenantOf(table: 'request_logs' | 'feedback') {
  return sql`(with recursive tenants (tenant) as (
  select (select min(tenant) from ${sql.table(table)})
  union all
  select (select t.tenant from ${sql.table(table)} t where t.tenant > tenants.tenant order by t.tenant limit 1)
  from tenants where tenants.tenant is not null
) select tenant from tenants where tenant is not null)`;
}

/**
 * `column` (a tenant) is one of the tenants that have rows in `table` (see {@link everyTenantOf}). On
 * PostgreSQL `= any(array(…))`: the list is computed before the statement runs, and the planner
 * reads an index by its tenants (`tenant = any($1)`), where from `in (…)`, planned as a join on a
 * list it guessed 100 tenants long, it read the whole log or metadata table (`_user` over a day of
 * 860,000 records: 0.44 s and 0.13 s; a metadata pair: 1.2 s and 0.6 s).
 */
export function inEveryTenant(
  column: Expression<string>,
  table: 'request_logs' | 'feedback',
  engine: Engine,
) {
  const tenants = everyTenantOf(table);
  return engine === 'postgres'
    ? sql<boolean>`${column} = any(array${tenants})`
    : sql<boolean>`${column} in ${tenants}`;
}

/** The time range (and the tenant, when there is one) an analytics read counts the records of. */
export interface RecordRange {
  readonly tenant?: string | undefined;
  /** Epoch ms, inclusive. */
  readonly from: number;
  /** Epoch ms, exclusive. */
  readonly to: number;
}

/**
 * `query` (over the log as `l`) narrowed to the records of `range` (its time, and its tenant when it
 * has one) that meet `filter` and every `metadata` pair, as {@link withRecordConditions} narrows
 * them, for a read that counts every record of the range (the analytics) rather than a page: a
 * `_user` or metadata filter drives the read through its index instead of being checked on every
 * record of the range. `_user` is looked up in the log's (tenant, user_id, created_at) index (for
 * every tenant, one range per tenant: that index is the tenant's); any other key in the metadata
 * table's (tenant, key, value, created_at, log_id), its records then read by id, and the record's
 * own time and tenant terms are written, on SQLite, so that no index is chosen for them
 * (`+created_at`, `tenant || ''`: SQLite, which plans without statistics, read the tenant's whole
 * range through the (tenant, created_at) index and looked each record's id up among the pair's). Over a day of
 * 860,000 records (every tenant), a 1 % `_user` took 0.7 s on SQLite checked record by record and
 * 0.08 s this way; a 1 % `session`, 1.5 s and 0.16 s.
 */
// biome-ignore lint/suspicious/noExplicitAny: one helper for every query shape that has `l`.
export function withRangeConditions<Q extends { where: (...args: any[]) => Q }>(
  query: Q,
  filter: RecordConditions,
  metadata: readonly (readonly [string, string])[],
  range: RecordRange,
  engine: Engine,
): Q {
  const pairs = storedPairs(metadata);
  // Only SQLite needs the hint: PostgreSQL weighs its statistics (at 1 % of a day's records it read
  // the range and hashed the pair's ids faster than it looked the records up by id).
  const byMetadataIndex = engine === 'sqlite' && pairs.some(([key]) => key !== USER_METADATA_KEY);
  // biome-ignore lint/suspicious/noExplicitAny: see above.
  let q = query as any;
  if (byMetadataIndex) {
    q = q.where(sql`+l.created_at`, '>=', range.from).where(sql`+l.created_at`, '<', range.to);
    if (range.tenant !== undefined) q = q.where(sql`(l.tenant || '')`, '=', range.tenant);
  } else {
    q = q.where('l.created_at', '>=', range.from).where('l.created_at', '<', range.to);
    if (range.tenant !== undefined) q = q.where('l.tenant', '=', range.tenant);
  }
  q = withRecordConditions(q, filter, []);
  const tenantOf = (column: string) =>
    range.tenant === undefined
      ? inEveryTenant(sql.ref(column), 'request_logs', engine)
      : sql<boolean>`${sql.ref(column)} = ${range.tenant}`;
  for (const [key, value] of pairs) {
    if (key === USER_METADATA_KEY) {
      q = q.where('l.user_id', '=', value);
      if (range.tenant === undefined) q = q.where(tenantOf('l.tenant'));
      continue;
    }
    q = q.where(
      sql<boolean>`l.id in (select mx.log_id from request_log_metadata mx
        where ${tenantOf('mx.tenant')} and mx.key = ${key} and mx.value = ${value}
          and mx.created_at >= ${range.from} and mx.created_at < ${range.to})`,
    );
  }
  return q as Q;
}

/**
 * Metadata filter pairs as the records hold them: key and value cut as they were when stored (see
 * {@link metadataText}), so a value over 128 characters finds the records it was sent with.
 */
export function storedPairs(metadata: readonly (readonly [string, string])[]): (readonly [string, string])[] {
  return metadata.map(([key, value]) => [metadataText(key), metadataText(value)] as const);
}

/** Whether `filter` narrows the records at all. */
export function hasRecordConditions(
  filter: RecordConditions,
  metadata: readonly (readonly [string, string])[],
): boolean {
  return (
    metadata.length > 0 ||
    [
      filter.traceId,
      filter.status,
      filter.provider,
      filter.model,
      filter.virtualKey,
      filter.configId,
      filter.prompt,
      filter.cacheStatus,
      filter.errorCode,
      filter.failed,
    ].some((value) => value !== undefined)
  );
}
