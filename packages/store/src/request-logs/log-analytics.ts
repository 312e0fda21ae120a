import { type Expression, type Kysely, sql } from 'kysely';
import type { Database, Engine } from '../database/schema.js';
import {
  failedRecord,
  hasRecordConditions,
  inEveryTenant,
  withRangeConditions,
  withRecordConditions,
} from './log-conditions.js';
import type { SummaryFilter } from './log-queries.js';

/**
 * The log's analytics beyond its summary: requests rescued by a retry or a fallback, and the feedback
 * given on traces. Query builders and row readers only; `RequestLogRepository` runs them.
 */

/** A time range's records, cut into buckets, narrowed like the log's list. */
export interface AnalyticsRange {
  readonly tenant?: string | undefined;
  /** Epoch ms, inclusive. */
  readonly from: number;
  /** Epoch ms, exclusive. */
  readonly to: number;
  readonly bucketMs: number;
  readonly filter?: SummaryFilter | undefined;
  /**
   * The caller gave up (its client went away): a query not started yet is never run, and on
   * SQLite one running is stopped; the read rejects with a `StoreError` `unavailable`.
   */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Successful requests of one bucket that a retry or a fallback rescued: `retries` is how many
 * retries the target that answered took (0: none), `fallback` whether that target was not the
 * first one tried.
 */
export interface RescuedRow {
  readonly bucket: string;
  readonly retries: number;
  readonly fallback: boolean;
  readonly requests: number;
}

/** What the feedback summary groups by: nothing, the model of the trace's requests, or the value. */
export type FeedbackGroup = 'model' | 'value';

/** Options of the feedback summary. */
export interface FeedbackSummaryOptions extends AnalyticsRange {
  readonly groupBy?: FeedbackGroup | undefined;
}

/** The feedback of one bucket × group: how much, and its average weighted value (value × weight). */
export interface FeedbackSummaryRow {
  readonly bucket: string;
  readonly group: string | null;
  readonly feedback: number;
  readonly weighted_avg: number;
}

/** A bucket's width as a literal of the statement (a whole number of ms, at least 1). */
export const bucketLiteral = (bucketMs: number) => sql.lit(Math.max(1, Math.floor(bucketMs)));
/** A count or sum as a database answers it (PostgreSQL may answer bigints as text), null as 0. */
export const numberOf = (value: number | string | null): number => (value === null ? 0 : Number(value));

/**
 * The target path of a record's first attempt, from either form of its `attempts` column (arrays
 * `[path, provider, …]`, or the objects of records written before them).
 */
function firstAttemptPath(engine: Engine) {
  return engine === 'postgres'
    ? sql<string | null>`coalesce((l.attempts::jsonb -> 0) ->> 0, (l.attempts::jsonb -> 0) ->> 'targetPath')`
    : sql<
        string | null
      >`coalesce(json_extract(l.attempts, '$[0][0]'), json_extract(l.attempts, '$[0].targetPath'))`;
}

/**
 * The rescued requests of a range per bucket: successful records (not failed: see
 * {@link failedRecord}) whose answering target retried, or whose first attempt went to another target
 * (a fallback). Only records of two attempts or more have their attempts read (the text test keeps
 * JSON parsing off every other record).
 */
export function rescuedQuery(db: Kysely<Database>, engine: Engine, range: AnalyticsRange) {
  const bucketMs = bucketLiteral(range.bucketMs);
  const filter = range.filter ?? {};
  let records = db
    .selectFrom('request_logs as l')
    .select([
      sql<number>`(l.created_at / ${bucketMs}) * ${bucketMs}`.as('bucket'),
      sql<number>`case when l.retries > 0 then l.retries else 0 end`.as('retries'),
      sql<number>`case when l.target_path is not null
        and (l.attempts like '%],[%' or l.attempts like '%},{%')
        and ${firstAttemptPath(engine)} <> l.target_path then 1 else 0 end`.as('fallback'),
    ])
    .where(sql<boolean>`not ${failedRecord('l')}`);
  records = withRangeConditions(records, filter, filter.metadata ?? [], range, engine);
  return sql<{
    bucket: number | string;
    retries: number | string;
    fallback: number | string;
    requests: number | string;
  }>`
    select bucket, retries, fallback, count(*) as requests from ${records.as('r')}
    where retries > 0 or fallback = 1
    group by bucket, retries, fallback`;
}

export function rescuedRowOf(cell: {
  bucket: number | string;
  retries: number | string;
  fallback: number | string;
  requests: number | string;
}): RescuedRow {
  return {
    bucket: new Date(numberOf(cell.bucket)).toISOString(),
    retries: numberOf(cell.retries),
    fallback: numberOf(cell.fallback) === 1,
    requests: numberOf(cell.requests),
  };
}

/**
 * The feedback given in a range (its own time), per bucket and group. With a filter, only feedback
 * on traces that have a record meeting it counts. Grouped by model, a piece of feedback counts once
 * for each model among its trace's (matching) records; the records are looked up by the traces of
 * the range's feedback, through the log's trace index.
 */
export function feedbackSummaryQuery(db: Kysely<Database>, engine: Engine, options: FeedbackSummaryOptions) {
  const bucketMs = bucketLiteral(options.bucketMs);
  const filter = options.filter ?? {};
  const metadata = filter.metadata ?? [];
  const bucket = sql<number>`(f.created_at / ${bucketMs}) * ${bucketMs}`;
  // `tenant || ''`: the trace index drives (see RequestLogRepository's tenant term).
  const sameTenant = sql<string>`(l.tenant || '')`;
  let query = db
    .selectFrom('feedback as f')
    .where('f.created_at', '>=', options.from)
    .where('f.created_at', '<', options.to);
  // Every tenant's feedback through the (tenant, created_at) index too, one range per tenant.
  query =
    options.tenant !== undefined
      ? query.where('f.tenant', '=', options.tenant)
      : query.where(inEveryTenant(sql.ref('f.tenant'), 'feedback', engine));
  let group: Expression<unknown> = sql`null`;
  if (options.groupBy === 'value') group = sql`f.value`;
  if (options.groupBy === 'model') {
    // Each piece of feedback once per model among its trace's matching records: from the range's
    // feedback (its time index) to each one's records (the log's trace index), made distinct, then
    // counted. (Reading the records of all the range's traces at once, with `trace_id in (…)`, took
    // PostgreSQL 24 s over 250,000 records and 10,000 pieces; this way ~0.1 s.)
    const pairs = withRecordConditions(
      query
        .innerJoin('request_logs as l', (join) =>
          join.onRef('l.trace_id', '=', 'f.trace_id').on(sameTenant, '=', sql.ref('f.tenant')),
        )
        .select(['f.id', 'f.created_at', 'f.value', 'f.weight', 'l.model'])
        .distinct(),
      filter,
      metadata,
    );
    const pairBucket = sql<number>`(p.created_at / ${bucketMs}) * ${bucketMs}`;
    return db
      .selectFrom(pairs.as('p'))
      .select([
        pairBucket.as('bucket'),
        sql<string | null>`p.model`.as('grp'),
        sql<number | string>`count(*)`.as('feedback'),
        sql<number | string | null>`avg(p.value * p.weight)`.as('weighted'),
      ])
      .groupBy([pairBucket, sql`p.model`]);
  }
  if (hasRecordConditions(filter, metadata))
    query = query.where((eb) =>
      eb.exists(
        withRecordConditions(
          eb
            .selectFrom('request_logs as l')
            .select('l.id')
            .whereRef('l.trace_id', '=', 'f.trace_id')
            .where(sameTenant, '=', eb.ref('f.tenant')),
          filter,
          metadata,
        ),
      ),
    );
  return query
    .select([
      bucket.as('bucket'),
      sql<string | null>`${group}`.as('grp'),
      sql<number | string>`count(*)`.as('feedback'),
      sql<number | string | null>`avg(f.value * f.weight)`.as('weighted'),
    ])
    .groupBy(options.groupBy === undefined ? [bucket] : [bucket, group]);
}

export function feedbackSummaryRowOf(cell: {
  bucket: number | string;
  grp: string | number | null;
  feedback: number | string;
  weighted: number | string | null;
}): FeedbackSummaryRow {
  return {
    bucket: new Date(numberOf(cell.bucket)).toISOString(),
    group: cell.grp === null ? null : String(cell.grp),
    feedback: numberOf(cell.feedback),
    weighted_avg: Math.round(numberOf(cell.weighted) * 10_000) / 10_000,
  };
}
