import {
  type AliasedExpression,
  type Compilable,
  type CompiledQuery,
  type Expression,
  type Kysely,
  type RawBuilder,
  type Selectable,
  sql,
} from 'kysely';
import type { Database, Engine, RequestLogsTable } from '../database/schema.js';
import { StoreError } from '../errors.js';
import { read } from '../repositories/store-context.js';
import {
  type AnalyticsRange,
  bucketLiteral,
  type FeedbackSummaryOptions,
  type FeedbackSummaryRow,
  feedbackSummaryQuery,
  feedbackSummaryRowOf,
  numberOf,
  type RescuedRow,
  rescuedQuery,
  rescuedRowOf,
} from './log-analytics.js';
import {
  failedRecord,
  type RecordConditions,
  storedPairs,
  withRangeConditions,
  withRecordConditions,
} from './log-conditions.js';
import {
  attemptsOfColumn,
  costPartsOfColumn,
  guardrailsOfColumn,
  type LogCostPart,
  type LogHookResult,
  metadataOfColumns,
  metadataText,
  USER_METADATA_KEY,
} from './log-record.js';
import type { SqliteReadThread } from './sqlite-read-thread.js';

/** A stored request as the logs API returns it (snake_case, costs in USD). */
export interface StoredRequestLog {
  readonly id: string;
  readonly created_at: string;
  readonly tenant: string;
  readonly trace_id: string;
  readonly span_id: string | null;
  readonly parent_span_id: string | null;
  readonly span_name: string | null;
  readonly source: string;
  readonly gateway_key_id: string | null;
  readonly virtual_key: string | null;
  readonly config_id: string | null;
  readonly config_version: number | null;
  /** The saved prompt and version the request ran, if it ran one. */
  readonly prompt: string | null;
  readonly method: string | null;
  readonly endpoint: string | null;
  /** The path a pass-through request called, without its query string; null for the other endpoints. */
  readonly path: string | null;
  readonly stream: boolean;
  readonly provider: string | null;
  readonly model: string | null;
  readonly answered_model: string | null;
  readonly status: number;
  readonly error_code: string | null;
  readonly latency_ms: number;
  readonly first_byte_ms: number | null;
  readonly overhead_ms: number | null;
  readonly usage: {
    readonly prompt_tokens: number | null;
    readonly completion_tokens: number | null;
    readonly total_tokens: number | null;
    readonly cached_tokens: number | null;
    readonly cache_write_tokens: number | null;
    readonly reasoning_tokens: number | null;
  };
  readonly cost: number | null;
  readonly cost_status: string | null;
  /**
   * Where `cost` came from: `provider` (what the provider reported it charged: OpenRouter's
   * `usage.cost`), `price_table` (pk priced the usage with `@pk/prices` and its overrides), or null
   * when there is no cost.
   */
  readonly cost_source: 'provider' | 'price_table' | null;
  /** What `cost` is made of, when more than one answer's usage (a Realtime session's transcriptions); else null. */
  readonly cost_parts: readonly LogCostPart[] | null;
  readonly cache_status: string | null;
  readonly retries: number | null;
  readonly target_path: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly attempts: readonly {
    readonly target_path: string;
    readonly provider: string;
    readonly started_at: string;
    readonly status: number;
    readonly latency_ms: number;
    readonly error_code: string | null;
  }[];
  /** The message of the error answer the client got, or null (a success, or `x-portkey-debug: false`). */
  readonly error_message: string | null;
  /** The hooks that ran (guardrails, mutators) with their checks, or null when none did. */
  readonly guardrails: readonly LogHookResult[] | null;
  readonly request_body?: string | null;
  readonly response_body?: string | null;
  readonly body_truncated?: boolean;
}

/**
 * Metadata pairs a filter may have at most: each pair after the first is a subquery of every page,
 * and of every tenant's page for an admin key. An admin key's filter of 100 pairs over 600 tenants
 * took 84 s on SQLite and 41 s on PostgreSQL; of 8 pairs 0.5 s and 0.04 s (16: 2 s and 0.14 s).
 */
export const MAX_LOG_METADATA_FILTERS = 8;

/** Filters of `GET /v1/logs` (all optional; `tenant` undefined = every tenant, for admin keys). */
export interface LogFilter {
  readonly tenant?: string | undefined;
  readonly traceId?: string | undefined;
  readonly status?: number | undefined;
  readonly provider?: string | undefined;
  readonly model?: string | undefined;
  readonly virtualKey?: string | undefined;
  readonly configId?: string | undefined;
  /** A saved prompt's slug (every version it ran) or `slug@2` (that version). */
  readonly prompt?: string | undefined;
  readonly cacheStatus?: string | undefined;
  /** The code of the error a request ended with (`error_code`), a failed stream's included. */
  readonly errorCode?: string | undefined;
  /**
   * true: the failed requests (a status of 400 or more, or a stream that ended with an error after
   * its 200); false: the others.
   */
  readonly failed?: boolean | undefined;
  /**
   * The records whose cost (USD) is at least / at most this, both inclusive: a record without a
   * cost (unpriced, failed) never matches a cost range.
   */
  readonly costMin?: number | undefined;
  readonly costMax?: number | undefined;
  /** The records whose `total_tokens` is at least / at most this: a record without one never matches. */
  readonly tokensMin?: number | undefined;
  readonly tokensMax?: number | undefined;
  /** Epoch ms, inclusive. */
  readonly from?: number | undefined;
  /** Epoch ms, exclusive. */
  readonly to?: number | undefined;
  /** `metadata.<key>=<value>` pairs, all of which must match. */
  readonly metadata?: readonly (readonly [string, string])[] | undefined;
  /** 1–500 (default 50). */
  readonly limit?: number | undefined;
  /** `next_cursor` of the previous page. */
  readonly cursor?: string | undefined;
  /** Whether records carry their stored bodies (`request_body`, `response_body`), as `get` does. */
  readonly withBodies?: boolean | undefined;
}

/** A page of records, newest first. */
export interface LogPage {
  readonly records: StoredRequestLog[];
  readonly nextCursor: string | null;
}

/** Grouping of `GET /v1/analytics/summary`. */
export type SummaryGroup =
  | 'model'
  | 'provider'
  | 'virtual_key'
  | 'user'
  | 'status'
  | 'cache_status'
  | 'error_code'
  | `metadata.${string}`;

/** One bucket × group of the summary. */
export interface SummaryRow {
  readonly bucket: string;
  readonly group: string | null;
  readonly requests: number;
  readonly errors: number;
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
  /** USD of the priced requests; `unpriced_requests` counts the others. */
  readonly cost: number;
  readonly unpriced_requests: number;
  readonly latency_p50_ms: number;
  readonly latency_p95_ms: number;
  readonly latency_avg_ms: number;
  readonly latency_p90_ms: number;
  readonly latency_p99_ms: number;
  /** Distinct `_user` values among the records. */
  readonly users: number;
  /** Records answered from the simple cache (`HIT`) and the semantic cache (`SEMANTIC HIT`). */
  readonly cache_hits: number;
  readonly semantic_cache_hits: number;
  readonly cache_hit_rate: number;
  /**
   * Present (true) on the rows of the groups beyond the summary's top groups, summed into one per
   * bucket (their `group` is null); see {@link SummaryOptions.top}.
   */
  readonly other?: true;
}

/** What a summary may be narrowed to: the log filter's record conditions and metadata (no paging). */
export type SummaryFilter = RecordConditions & Pick<LogFilter, 'metadata'>;

/** Options of the summary: a range (its records that match every condition of `filter`), grouped. */
export interface SummaryOptions extends AnalyticsRange {
  readonly groupBy?: SummaryGroup | undefined;
  /**
   * With `groupBy`: only the `top` groups (by `topBy` over the whole range) get rows of their own;
   * the rest are summed into one `other` row per bucket, so the answer has at most `top + 2` rows a
   * bucket (the records without a value are their own group, `null`). Without it, every group.
   */
  readonly top?: number | undefined;
  /** What ranks the groups for `top` (default requests); ties by the group's value. */
  readonly topBy?: SummaryRank | undefined;
  /**
   * Whether the answer also has the whole range's rows (`whole`: one per group, bucket `from`),
   * computed in the same statement as the buckets' (the log's records are read once).
   */
  readonly whole?: boolean | undefined;
  /**
   * Whether the rows have their latency percentiles (p50, p90, p95, p99; default true): the one
   * figure that needs each cell's records sorted, most of a summary's time over a big range. Without
   * them (`false`) those figures are 0 and the records are only grouped.
   */
  readonly percentiles?: boolean | undefined;
}

/** What may rank a summary's groups. */
export type SummaryRank = 'requests' | 'cost' | 'errors' | 'total_tokens';

/** A summary: its rows, bucket by bucket; `truncated` when groups beyond `top` were summed into `other`. */
export interface Summary {
  readonly rows: SummaryRow[];
  readonly truncated: boolean;
  /** The whole range's rows, with `whole` (else empty). */
  readonly whole: SummaryRow[];
}

/** The bucket of the whole range's rows in a summary's statement (no record's bucket is negative). */
const WHOLE_BUCKET = -1;

type Row = Selectable<RequestLogsTable>;
/** Which of the read thread's lanes a read takes, and the signal of its caller giving up. */
type ReadLane = { readonly lane: 'short' | 'analytics'; readonly signal?: AbortSignal | undefined };
const SHORT_READ: ReadLane = { lane: 'short' };
/**
 * A read whose caller gave up before it ran (or, on SQLite, while it ran): `unavailable`, as nobody
 * waits for the answer.
 */
const abortedRead = () => new StoreError('unavailable', 'the read was given up by its caller');
/** A keyset cursor's position. */
type Cursor = { createdAt: number; id: string };
/** A page's position in the newest-first order. */
type PageKey = Pick<Row, 'created_at' | 'id'>;
/**
 * A page's query: up to `limit + 1` rows of `filter` after `cursor`, newest first, whole records or
 * only their keys; `tenantColumn` in place of `filter.tenant` where a query supplies the tenant.
 */
interface PageSpec {
  readonly filter: LogFilter;
  readonly limit: number;
  readonly cursor: Cursor | undefined;
  readonly shape: 'records' | 'keys';
  readonly tenantColumn?: Expression<string>;
}
/** A page's query, compiled on its own or embedded in another. */
type PageQuery = Compilable<unknown> & Expression<unknown>;

function encodeCursor(createdAt: number, id: string): string {
  return Buffer.from(`${createdAt}:${id}`).toString('base64url');
}

/** The cursor's position, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): Cursor | undefined {
  const text = Buffer.from(cursor, 'base64url').toString();
  const colon = text.indexOf(':');
  const createdAt = Number(text.slice(0, colon));
  const id = text.slice(colon + 1);
  if (colon < 1 || !Number.isSafeInteger(createdAt) || !id.startsWith('log_')) return undefined;
  return { createdAt, id };
}

/**
 * Tenants' pages per statement of an admin key's metadata filter on SQLite: it refuses a compound
 * select of more than 500 terms (and more than 32,766 bound values: a page binds ~30 at most, with
 * `MAX_LOG_METADATA_FILTERS` pairs).
 */
const TENANTS_PER_STATEMENT = 200;

/**
 * The tenants that have records (column `tenant`, ending with a null), read off the (tenant,
 * created_at, id) index one seek per tenant, whatever the log's size: 1.4 ms for 200 tenants.
 */
const TENANTS_WITH = sql`with recursive tenants (tenant) as (
  select (select tenant from request_logs order by tenant limit 1)
  union all
  select (select l.tenant from request_logs l where l.tenant > tenants.tenant order by l.tenant limit 1)
  from tenants where tenants.tenant is not null
)`;

/** Newest first: time, then id (the order of every page and its keyset cursor). */
function newestFirst(a: PageKey, b: PageKey): number {
  if (a.created_at !== b.created_at) return b.created_at - a.created_at;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** ISO 8601 of a stored time; one no date can hold (a record written with a nonsense time) is 1970's. */
function iso(ms: number): string {
  return new Date(Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : 0).toISOString();
}

/** A row as the API shows it. */
export function toStoredRequestLog(row: Row, withBodies: boolean): StoredRequestLog {
  const attempts = attemptsOfColumn(row.attempts, row.created_at);
  return {
    id: row.id,
    created_at: iso(row.created_at),
    tenant: row.tenant,
    trace_id: row.trace_id,
    span_id: row.span_id,
    parent_span_id: row.parent_span_id,
    span_name: row.span_name,
    source: row.source,
    gateway_key_id: row.gateway_key_id,
    virtual_key: row.virtual_key,
    config_id: row.config_id,
    config_version: row.config_version,
    prompt: row.prompt,
    method: row.method,
    endpoint: row.endpoint,
    path: row.path ?? null,
    stream: row.stream === 1,
    provider: row.provider,
    model: row.model,
    answered_model: row.answered_model,
    status: row.status,
    error_code: row.error_code,
    latency_ms: row.latency_ms,
    first_byte_ms: row.first_byte_ms,
    overhead_ms: row.overhead_ms,
    usage: {
      prompt_tokens: row.prompt_tokens,
      completion_tokens: row.completion_tokens,
      total_tokens: row.total_tokens,
      cached_tokens: row.cached_tokens,
      cache_write_tokens: row.cache_write_tokens,
      reasoning_tokens: row.reasoning_tokens,
    },
    cost: row.cost,
    cost_status: row.cost_status,
    // Null on records from before migration 0022, all priced by the table.
    cost_source: row.cost_source === 'provider' ? 'provider' : row.cost === null ? null : 'price_table',
    cost_parts: costPartsOfColumn(row.cost_parts ?? null),
    cache_status: row.cache_status,
    retries: row.retries,
    target_path: row.target_path,
    metadata: metadataOfColumns(row.metadata, row.user_id),
    attempts: attempts.map((attempt) => ({
      target_path: attempt.targetPath,
      provider: attempt.provider,
      started_at: iso(attempt.startedAt),
      status: attempt.status,
      latency_ms: attempt.latencyMs,
      error_code: attempt.errorCode ?? null,
      // The gateway refused it itself (a limit, an input guardrail, an open breaker): never sent.
      not_sent: attempt.notSent === true,
    })),
    // Null for a record written before migration 0018 (or a row without them).
    error_message: row.error_message ?? null,
    guardrails: guardrailsOfColumn(row.guardrails ?? null),
    ...(withBodies
      ? {
          request_body: row.request_body,
          response_body: row.response_body,
          body_truncated: row.body_truncated === 1,
        }
      : {}),
  };
}

/** One bucket × group as the summary's query answers it (PostgreSQL may answer sums as strings). */
interface SummaryCell {
  readonly bucket: number | string;
  readonly grp: string | null;
  readonly other: number | string;
  readonly requests: number | string;
  readonly errors: number | string;
  readonly prompt: number | string | null;
  readonly completion: number | string | null;
  readonly total: number | string | null;
  readonly cost: number | string | null;
  readonly unpriced: number | string;
  readonly cacheable: number | string;
  readonly hits: number | string;
  readonly p50: number | string | null;
  readonly p95: number | string | null;
  readonly p90: number | string | null;
  readonly p99: number | string | null;
  readonly avg_latency: number | string | null;
  readonly users: number | string;
  readonly simple_hits: number | string;
  readonly semantic_hits: number | string;
  /** The cell's group's rank, in a summary with `top` (see {@link summaryQuery}). */
  readonly group_rank?: number | string;
}

/**
 * The figures of each cell (bucket and group) of `source`, a select of the records' bucket, `grp`
 * and the columns the figures read; `other` is every cell's (1: the groups beyond the top ones).
 * Latency percentiles are nearest-rank, the value at rank ceil(p × n) of the cell's latencies in
 * order (integer arithmetic: (n + 1) / 2 and (95 n + 99) / 100), from window functions: SQLite's
 * `percentile_disc` ranks differently and PostgreSQL's has no SQLite counterpart. Both window
 * functions share one window, so one sort (as two windows, SQLite sorted the records twice). They
 * are the one figure that needs each cell's records sorted (~3/4 of a summary's time over 860,000
 * records on SQLite); without `percentiles` they are null and the records are only grouped.
 */
function cellsOf(source: RawBuilder<unknown>, other: 0 | 1, percentiles: boolean) {
  const figures = sql`bucket, grp, ${sql.lit(other)} as other,
      count(*) as requests,
      count(*) filter (where ${failedRecord()}) as errors,
      sum(prompt_tokens) as prompt,
      sum(completion_tokens) as completion,
      sum(total_tokens) as total,
      sum(cost) as cost,
      count(*) filter (where cost is null and not ${failedRecord()}) as unpriced,
      count(*) filter (where cache_status is not null and cache_status <> 'DISABLED') as cacheable,
      count(*) filter (where cache_status in ('HIT', 'SEMANTIC HIT')) as hits,
      avg(latency_ms) as avg_latency,
      count(distinct user_id) as users,
      count(*) filter (where cache_status = 'HIT') as simple_hits,
      count(*) filter (where cache_status = 'SEMANTIC HIT') as semantic_hits`;
  if (!percentiles)
    return sql`select ${figures}, null as p50, null as p95, null as p90, null as p99
      from (${source}) cells group by bucket, grp`;
  return sql`
    select ${figures},
      min(latency_ms) filter (where position = (cell_size + 1) / 2) as p50,
      min(latency_ms) filter (where position = (95 * cell_size + 99) / 100) as p95,
      min(latency_ms) filter (where position = (9 * cell_size + 9) / 10) as p90,
      min(latency_ms) filter (where position = (99 * cell_size + 99) / 100) as p99
    from (
      select folded.*,
        row_number() over cell as position,
        count(*) over (cell rows between unbounded preceding and unbounded following) as cell_size
      from (${source}) folded
      window cell as (partition by bucket, grp order by latency_ms)
    ) cells
    group by bucket, grp`;
}

/** The columns of a summary's records that its figures read (besides bucket and group). */
const FIGURE_COLUMNS = sql`status, latency_ms, prompt_tokens, completion_tokens, total_tokens, cost, cache_status,
  user_id, error_code`;

/**
 * A summary's first statement: every group's cells over its `records` (each with its bucket and
 * group, see {@link summaryTerms}). With `top`, each cell also has its group's rank over the whole
 * range (`group_rank`, by `top.by`, ties by the group's value, the records without a group last),
 * ranked from the cells (window functions over a few rows, not over the records), and only the
 * cells of the first `top + 1` groups and of no group come back: a cell ranked `top + 1` tells that
 * the answer is truncated (see {@link otherCellsQuery}).
 */
function summaryQuery(
  records: AliasedExpression<unknown, 'r'>,
  percentiles: boolean,
  top?: { readonly count: number; readonly by: SummaryRank },
) {
  const cells = cellsOf(sql`select r.* from ${records}`, 0, percentiles);
  if (top === undefined) return sql<SummaryCell>`${cells}`;
  return sql<SummaryCell>`
    select ranked.* from (
      select scored.*, dense_rank() over (order by case when grp is null then 1 else 0 end, score desc, grp) as group_rank
      from (select c.*, sum(${sql.raw(SCORES[top.by])}) over (partition by grp) as score from (${cells}) c) scored
    ) ranked
    where grp is null or group_rank <= ${sql.lit(top.count + 1)}`;
}

/**
 * A truncated summary's second statement: the records of the groups beyond the top ones (`kept`, the
 * top groups' values as the first statement answered them), summed into one `other` cell a bucket.
 * The records are read again, but only the folded ones sorted for their percentiles; ranking the
 * records' groups in one statement instead took two more window sorts of every record (4.4 of the
 * 6.9 s a day's summary by model took over 860,000 records on SQLite).
 */
function otherCellsQuery(
  records: AliasedExpression<unknown, 'r'>,
  kept: readonly unknown[],
  percentiles: boolean,
) {
  return sql<SummaryCell>`${cellsOf(
    sql`select bucket, null as grp, ${FIGURE_COLUMNS} from ${records}
      where grp is not null and grp not in (${sql.join(kept.map((value) => sql`${value}`))})`,
    1,
    percentiles,
  )}`;
}

/** A group's figure its rank is by: the cell's column its cells' sum is (see {@link summaryQuery}). */
const SCORES: Readonly<Record<SummaryRank, string>> = {
  requests: 'requests',
  cost: 'coalesce(cost, 0)',
  errors: 'errors',
  total_tokens: 'coalesce(total, 0)',
};

/** The log's column of each summary group but a metadata key (`_user` is the user's column too). */
const GROUP_COLUMNS = {
  model: 'l.model',
  provider: 'l.provider',
  virtual_key: 'l.virtual_key',
  user: 'l.user_id',
  status: 'l.status',
  cache_status: 'l.cache_status',
  error_code: 'l.error_code',
} as const satisfies Record<Exclude<SummaryGroup, `metadata.${string}`>, string>;

/**
 * The bucket and group terms of a summary's records (over the log's alias `l`). The group of a
 * metadata key other than `_user` is its row in `request_log_metadata` (one primary-key lookup per
 * record: exact for any key, no JSON path to quote).
 */
function summaryTerms(options: SummaryOptions) {
  const bucketMs = bucketLiteral(options.bucketMs);
  const group = options.groupBy;
  const metadataKey = group?.startsWith('metadata.')
    ? metadataText(group.slice('metadata.'.length))
    : undefined;
  const column =
    group === undefined || metadataKey !== undefined
      ? metadataKey === USER_METADATA_KEY
        ? 'l.user_id'
        : undefined
      : GROUP_COLUMNS[group as keyof typeof GROUP_COLUMNS];
  const groupTerm =
    column !== undefined
      ? sql.ref(column)
      : metadataKey !== undefined
        ? sql`(select m.value from request_log_metadata m where m.log_id = l.id and m.key = ${metadataKey})`
        : sql`null`;
  return {
    bucket: sql<number>`(l.created_at / ${bucketMs}) * ${bucketMs}`,
    group: groupTerm,
  };
}

function summaryRowOf(cell: SummaryCell): SummaryRow {
  const cacheable = numberOf(cell.cacheable);
  return {
    bucket: iso(numberOf(cell.bucket)),
    group: cell.grp === null ? null : String(cell.grp),
    ...(numberOf(cell.other) === 1 ? { other: true as const } : {}),
    requests: numberOf(cell.requests),
    errors: numberOf(cell.errors),
    prompt_tokens: numberOf(cell.prompt),
    completion_tokens: numberOf(cell.completion),
    total_tokens: numberOf(cell.total),
    cost: Math.round(numberOf(cell.cost) * 1e9) / 1e9,
    unpriced_requests: numberOf(cell.unpriced),
    latency_p50_ms: Math.round(numberOf(cell.p50) * 100) / 100,
    latency_p95_ms: Math.round(numberOf(cell.p95) * 100) / 100,
    latency_avg_ms: Math.round(numberOf(cell.avg_latency) * 100) / 100,
    latency_p90_ms: Math.round(numberOf(cell.p90) * 100) / 100,
    latency_p99_ms: Math.round(numberOf(cell.p99) * 100) / 100,
    users: numberOf(cell.users),
    cache_hits: numberOf(cell.simple_hits),
    semantic_cache_hits: numberOf(cell.semantic_hits),
    cache_hit_rate: cacheable === 0 ? 0 : Math.round((numberOf(cell.hits) / cacheable) * 10_000) / 10_000,
  };
}

/**
 * Reads of the request log, tenant-scoped: with a `tenant`, only that tenant's records exist. Writes
 * go through the batched writer (`RequestLogWriter`), never through here.
 */
export class RequestLogRepository {
  readonly #db: Kysely<Database>;
  readonly #readThread: SqliteReadThread | undefined;
  readonly #engine: Engine;

  /** `readThread`: where a SQLite store runs its log reads, off the caller’s thread. */
  constructor(db: Kysely<Database>, engine: Engine, readThread?: SqliteReadThread) {
    this.#engine = engine;
    this.#db = db;
    this.#readThread = readThread;
  }

  /**
   * A read's rows: on SQLite in the read thread when the store has one (a filter that matches few
   * records reads the tenant's whole index, ~0.1 s per 300,000 records warm and more cold, which
   * on the caller's thread would hold every request), else on the store's connection. A database
   * that cannot be reached is a `StoreError` `unavailable`, as for every other read of the store.
   */
  async #rows<T>(compiled: CompiledQuery<T>, how: ReadLane = SHORT_READ): Promise<T[]> {
    return read(async () => {
      if (how.signal?.aborted === true) throw abortedRead();
      if (this.#readThread === undefined) return (await this.#db.executeQuery(compiled)).rows;
      return this.#readThread.all<T>(compiled.sql, compiled.parameters, how);
    });
  }

  /**
   * `tenant = ?` for a query another index drives (a trace). Without statistics (SQLite always; a
   * fresh PostgreSQL table) a planner may read the trace through the (tenant, time) index, or AND
   * both indexes, and touch every record of the tenant: `tenant || ''` keeps the column out of
   * index selection on both engines.
   */
  #tenantTerm() {
    return sql<string>`(${sql.ref('tenant')} || '')`;
  }

  /** A page of records, newest first (keyset pagination on time and id). */
  async list(filter: LogFilter): Promise<LogPage> {
    const limit = Math.min(500, Math.max(1, Math.floor(filter.limit ?? 50)));
    const cursor = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
    if ((filter.metadata?.length ?? 0) > MAX_LOG_METADATA_FILTERS) {
      const message = `a log filter takes at most ${MAX_LOG_METADATA_FILTERS} metadata pairs`;
      throw new StoreError('invalid', message, { issues: [{ path: 'metadata', message }] });
    }
    const rows: Row[] =
      filter.tenant === undefined && (filter.metadata?.length ?? 0) > 0
        ? await this.#everyTenantRows(filter, limit, cursor)
        : await this.#rowsOf(filter, limit, cursor);
    return this.#page(rows, limit, filter.withBodies === true);
  }

  /**
   * A metadata filter of an admin key (every tenant): each tenant's first `limit + 1` keys through
   * that tenant's index, merged newest first, then those records. The filter indexes lead with the
   * tenant (an index per filter for every tenant cost each record two more entries at random
   * places: migration 0006); most gateways log one tenant.
   */
  async #everyTenantRows(filter: LogFilter, limit: number, cursor: Cursor | undefined): Promise<Row[]> {
    if (this.#engine === 'postgres')
      return this.#recordsOf(await this.#everyTenantKeysLateral(filter, limit, cursor));
    const tenants = (
      await this.#rows(
        sql<{ tenant: string }>`${TENANTS_WITH} select tenant from tenants where tenant is not null`.compile(
          this.#db,
        ),
      )
    ).map((row) => row.tenant);
    // One tenant (a gateway without keys, or with one team): its page is the answer.
    if (tenants.length <= 1)
      return tenants[0] === undefined ? [] : this.#rowsOf({ ...filter, tenant: tenants[0] }, limit, cursor);
    return this.#recordsOf(await this.#everyTenantKeysUnion(filter, limit, cursor, tenants));
  }

  /** The records of a page's keys, newest first. */
  async #recordsOf(keys: readonly PageKey[]): Promise<Row[]> {
    if (keys.length === 0) return [];
    const rows = await this.#rows(
      this.#db
        .selectFrom('request_logs')
        .selectAll()
        .where(
          'id',
          'in',
          keys.map((key) => key.id),
        )
        .compile(),
    );
    return rows.sort(newestFirst);
  }

  /**
   * PostgreSQL: one statement, the tenants' pages as a lateral join on the tenant list (a plan of
   * the same size for any number of tenants: a union of 200 pages took 66 ms to plan).
   */
  async #everyTenantKeysLateral(
    filter: LogFilter,
    limit: number,
    cursor: Cursor | undefined,
  ): Promise<PageKey[]> {
    const page = this.#pageQuery({ filter, limit, cursor, shape: 'keys', tenantColumn: sql.ref('t.tenant') });
    return this.#rows(
      sql<PageKey>`${TENANTS_WITH} select k.created_at, k.id from tenants t cross join lateral (${page}) k
        where t.tenant is not null order by k.created_at desc, k.id desc limit ${limit + 1}`.compile(
        this.#db,
      ),
    );
  }

  /**
   * SQLite (no lateral join): a union of the tenants' pages, which SQLite merges in order, in
   * statements of `TENANTS_PER_STATEMENT` pages.
   */
  async #everyTenantKeysUnion(
    filter: LogFilter,
    limit: number,
    cursor: Cursor | undefined,
    tenants: readonly string[],
  ): Promise<PageKey[]> {
    let keys: PageKey[] = [];
    for (let start = 0; start < tenants.length; start += TENANTS_PER_STATEMENT) {
      const pages = tenants
        .slice(start, start + TENANTS_PER_STATEMENT)
        .map(
          (tenant, index) =>
            sql`select * from (${this.#pageQuery({ filter: { ...filter, tenant }, limit, cursor, shape: 'keys' })}) ${sql.raw(`p${index}`)}`,
        );
      const found = await this.#rows(
        sql<PageKey>`${sql.join(pages, sql` union all `)} order by created_at desc, id desc limit ${limit + 1}`.compile(
          this.#db,
        ),
      );
      keys = start === 0 ? found : [...keys, ...found].sort(newestFirst).slice(0, limit + 1);
    }
    return keys;
  }

  /** Up to `limit + 1` records of a filter, newest first. */
  async #rowsOf(filter: LogFilter, limit: number, cursor: Cursor | undefined): Promise<Row[]> {
    return this.#rows(this.#pageQuery({ filter, limit, cursor, shape: 'records' }).compile()) as Promise<
      Row[]
    >;
  }

  /**
   * The query of up to `limit + 1` records of a filter, newest first: whole records, or only their
   * keys (`created_at`, `id`).
   */
  #pageQuery(spec: PageSpec): PageQuery {
    const { filter, limit, cursor, shape, tenantColumn } = spec;
    // The first metadata filter drives the query (newest first) through its index: the metadata
    // table's, or for `metadata._user` the logs table's (tenant, user_id, time) (the user is a
    // column of the record, see migration 0005); without one, the logs table's (tenant, time).
    const metadata = storedPairs(filter.metadata ?? []);
    const firstIndex =
      metadata[0]?.[0] === USER_METADATA_KEY ? -1 : metadata.findIndex(([key]) => key !== USER_METADATA_KEY);
    if (firstIndex === -1) return this.#plainPageQuery(spec);
    const firstMetadata = metadata[firstIndex] as readonly [string, string];
    const otherMetadata = metadata.filter((_, index) => index !== firstIndex);
    let query = this.#db
      .selectFrom('request_log_metadata as m')
      .innerJoin('request_logs as l', 'l.id', 'm.log_id')
      .where('m.key', '=', firstMetadata[0])
      .where('m.value', '=', firstMetadata[1]);
    const tenant = tenantColumn ?? filter.tenant;
    if (tenant !== undefined) query = query.where('m.tenant', '=', tenant);
    const time = 'm.created_at' as const;
    const id = 'm.log_id' as const;
    if (filter.from !== undefined) query = query.where(time, '>=', filter.from);
    if (filter.to !== undefined) query = query.where(time, '<', filter.to);
    if (cursor)
      query = query.where((eb) =>
        eb.or([
          eb(time, '<', cursor.createdAt),
          eb.and([eb(time, '=', cursor.createdAt), eb(id, '<', cursor.id)]),
        ]),
      );
    query = withRecordConditions(query, filter, otherMetadata);
    const ordered = query
      .orderBy(time, 'desc')
      .orderBy(id, 'desc')
      .limit(limit + 1);
    return shape === 'keys'
      ? ordered.select([`${time} as created_at`, `${id} as id`])
      : ordered.selectAll('l');
  }

  #plainPageQuery({ filter, limit, cursor, shape, tenantColumn }: PageSpec): PageQuery {
    let query = this.#db.selectFrom('request_logs as l');
    const tenant = tenantColumn ?? filter.tenant;
    if (tenant !== undefined)
      // With a trace id, the trace index drives (see #tenantTerm).
      query =
        filter.traceId === undefined
          ? query.where('l.tenant', '=', tenant)
          : query.where(this.#tenantTerm(), '=', tenant);
    if (filter.from !== undefined) query = query.where('l.created_at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('l.created_at', '<', filter.to);
    if (cursor)
      query = query.where((eb) =>
        eb.or([
          eb('l.created_at', '<', cursor.createdAt),
          eb.and([eb('l.created_at', '=', cursor.createdAt), eb('l.id', '<', cursor.id)]),
        ]),
      );
    query = withRecordConditions(query, filter, filter.metadata ?? []);
    const ordered = query
      .orderBy('l.created_at', 'desc')
      .orderBy('l.id', 'desc')
      .limit(limit + 1);
    return shape === 'keys' ? ordered.select(['l.created_at', 'l.id']) : ordered.selectAll('l');
  }

  #page(rows: Row[], limit: number, withBodies: boolean): LogPage {
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page.at(-1);
    return {
      records: page.map((row) => toStoredRequestLog(row, withBodies)),
      nextCursor: more && last ? encodeCursor(last.created_at, last.id) : null,
    };
  }

  /** One record with its bodies (when stored), or undefined (also for another tenant's). */
  async get(id: string, tenant?: string): Promise<StoredRequestLog | undefined> {
    let query = this.#db.selectFrom('request_logs').selectAll().where('id', '=', id);
    if (tenant !== undefined) query = query.where('tenant', '=', tenant);
    const [row] = await this.#rows(query.compile());
    return row === undefined ? undefined : toStoredRequestLog(row, true);
  }

  /** A trace's records in time order (empty when the trace is not the tenant's). */
  async trace(traceId: string, tenant?: string): Promise<StoredRequestLog[]> {
    let query = this.#db.selectFrom('request_logs').selectAll().where('trace_id', '=', traceId);
    if (tenant !== undefined) query = query.where(this.#tenantTerm(), '=', tenant);
    const rows = await this.#rows(
      query.orderBy('created_at', 'asc').orderBy('id', 'asc').limit(1000).compile(),
    );
    return rows.map((row) => toStoredRequestLog(row, false));
  }

  /**
   * Requests, errors, tokens, cost, latency p50/p95 and cache hit rate per time bucket and group,
   * over every record of the range: aggregated by the database (one row per bucket and group comes
   * back), on SQLite in the read thread's analytics lane when the store has one (see
   * {@link SqliteReadThread}): list and detail reads never wait behind it. With `top`, the groups
   * beyond the first `top` are summed into one `other` row a bucket (`truncated`). A summary whose
   * `signal` is aborted before it starts is never run (on SQLite, one running is stopped).
   */
  async summary(options: SummaryOptions): Promise<Summary> {
    const terms = summaryTerms(options);
    const filter = options.filter ?? {};
    const lane = { lane: 'analytics' as const, signal: options.signal };
    const inRange = () => {
      const query = this.#db.selectFrom('request_logs as l');
      return withRangeConditions(query, filter, filter.metadata ?? [], options, this.#engine);
    };
    // Each record once per bucket it counts in: its own, and with `whole` the range's as well.
    const copies = options.whole === true ? [sql.lit(0), sql.lit(1)] : [sql.lit(0)];
    const bucket = sql<number>`case when w.k = 1 then ${sql.lit(WHOLE_BUCKET)} else ${terms.bucket} end`;
    const records = inRange()
      .innerJoin(
        sql<{ k: number }>`(${sql.join(
          copies.map((copy) => sql`select ${copy} as k`),
          sql` union all `,
        )})`.as('w'),
        (join) => join.onTrue(),
      )
      .select([
        bucket.as('bucket'),
        terms.group.as('grp'),
        'l.status',
        'l.latency_ms',
        'l.prompt_tokens',
        'l.completion_tokens',
        'l.total_tokens',
        'l.cost',
        'l.cache_status',
        'l.user_id',
        'l.error_code',
      ]);
    const top =
      options.groupBy !== undefined && options.top !== undefined
        ? { count: Math.max(1, Math.floor(options.top)), by: options.topBy ?? 'requests' }
        : undefined;
    const percentiles = options.percentiles !== false;
    const ranked = await this.#rows(summaryQuery(records.as('r'), percentiles, top).compile(this.#db), lane);
    let cells: SummaryCell[] = ranked;
    if (top !== undefined) {
      // Ranked cells: those of the top groups and of no group are the answer's; one of a group
      // ranked beyond them means the rest are summed into `other` rows, read by a second statement.
      cells = ranked.filter((cell) => cell.grp === null || numberOf(cell.group_rank ?? 0) <= top.count);
      if (cells.length < ranked.length) {
        const kept = [...new Set(cells.filter((cell) => cell.grp !== null).map((cell) => cell.grp))];
        cells.push(
          ...(await this.#rows(otherCellsQuery(records.as('r'), kept, percentiles).compile(this.#db), lane)),
        );
      }
    }
    const order = (a: SummaryRow, b: SummaryRow) =>
      Date.parse(a.bucket) - Date.parse(b.bucket) ||
      Number(a.other === true) - Number(b.other === true) ||
      String(a.group).localeCompare(String(b.group));
    const rows: SummaryRow[] = [];
    const whole: SummaryRow[] = [];
    for (const cell of cells) {
      if (numberOf(cell.bucket) === WHOLE_BUCKET)
        whole.push({ ...summaryRowOf(cell), bucket: iso(options.from) });
      else rows.push(summaryRowOf(cell));
    }
    const truncated = rows.some((row) => row.other === true);
    return { rows: rows.sort(order), truncated, whole: whole.sort(order) };
  }

  /**
   * Successful requests a retry or a fallback rescued, per time bucket, retries taken and whether a
   * fallback answered (see {@link rescuedQuery}).
   */
  async rescued(range: AnalyticsRange): Promise<RescuedRow[]> {
    const cells = await this.#rows(rescuedQuery(this.#db, this.#engine, range).compile(this.#db), {
      lane: 'analytics',
      signal: range.signal,
    });
    return cells
      .map(rescuedRowOf)
      .sort(
        (a, b) =>
          Date.parse(a.bucket) - Date.parse(b.bucket) ||
          a.retries - b.retries ||
          Number(a.fallback) - Number(b.fallback),
      );
  }

  /** The feedback given on traces in a range, per bucket and group (see {@link feedbackSummaryQuery}). */
  async feedbackSummary(options: FeedbackSummaryOptions): Promise<FeedbackSummaryRow[]> {
    const cells = await this.#rows(feedbackSummaryQuery(this.#db, this.#engine, options).compile(), {
      lane: 'analytics',
      signal: options.signal,
    });
    return cells
      .map(feedbackSummaryRowOf)
      .sort(
        (a, b) =>
          Date.parse(a.bucket) - Date.parse(b.bucket) || String(a.group).localeCompare(String(b.group)),
      );
  }
}
