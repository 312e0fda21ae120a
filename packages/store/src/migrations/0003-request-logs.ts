import { type Kysely, type Migration, sql } from 'kysely';
import type { Engine } from '../database/schema.js';

/**
 * One record per request (issue 18) and its metadata, normalised for filtering.
 *
 * Indexes, each for a query of the logs API:
 * - `request_logs (tenant, created_at, id)`: a tenant's newest records first, `from`/`to` ranges
 *   and the keyset cursor (`created_at`, `id`); every list query starts here.
 * - `request_logs (trace_id, created_at, id)`: `GET /v1/traces/:id` and `trace_id=` (a handful of
 *   rows, already in the trace's time order).
 * - `request_log_metadata (tenant, key, value, created_at, log_id)`: `metadata.<key>=<value>` of a
 *   gateway key: the first page of a filter is read in index order, newest first, without touching
 *   other rows (a 1 % filter over 1,000,000 records answers in milliseconds; see the store README).
 * - `request_log_metadata (key, value, created_at, log_id)`: the same for an admin key (every tenant).
 * The attempts are a JSON column of the record: always read with it, never filtered on.
 */
export function requestLogsMigration(engine: Engine): Migration {
  const time = engine === 'postgres' ? 'bigint' : 'integer';
  const real = engine === 'postgres' ? 'double precision' : 'real';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('request_logs')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('created_at', time, (column) => column.notNull())
        .addColumn('tenant', 'text', (column) => column.notNull())
        .addColumn('trace_id', 'text', (column) => column.notNull())
        .addColumn('span_id', 'text')
        .addColumn('parent_span_id', 'text')
        .addColumn('span_name', 'text')
        .addColumn('source', 'text', (column) => column.notNull())
        .addColumn('gateway_key_id', 'text')
        .addColumn('virtual_key', 'text')
        .addColumn('config_id', 'text')
        .addColumn('config_version', 'integer')
        .addColumn('method', 'text')
        .addColumn('endpoint', 'text')
        .addColumn('stream', 'integer', (column) => column.notNull())
        .addColumn('provider', 'text')
        .addColumn('model', 'text')
        .addColumn('answered_model', 'text')
        .addColumn('status', 'integer', (column) => column.notNull())
        .addColumn('error_code', 'text')
        .addColumn('latency_ms', real, (column) => column.notNull())
        .addColumn('first_byte_ms', real)
        .addColumn('overhead_ms', real)
        .addColumn('prompt_tokens', 'integer')
        .addColumn('completion_tokens', 'integer')
        .addColumn('total_tokens', 'integer')
        .addColumn('cached_tokens', 'integer')
        .addColumn('cache_write_tokens', 'integer')
        .addColumn('reasoning_tokens', 'integer')
        .addColumn('cost', real)
        .addColumn('cost_status', 'text')
        .addColumn('cache_status', 'text')
        .addColumn('retries', 'integer')
        .addColumn('target_path', 'text')
        .addColumn('user_id', 'text')
        .addColumn('metadata', 'text')
        .addColumn('attempts', 'text')
        .addColumn('request_body', 'text')
        .addColumn('response_body', 'text')
        .addColumn('body_truncated', 'integer', (column) => column.notNull().defaultTo(0))
        .execute();
      await sql`create index request_logs_tenant_time on request_logs (tenant, created_at desc, id desc)`.execute(
        db,
      );
      await sql`create index request_logs_trace on request_logs (trace_id, created_at, id)`.execute(db);
      await db.schema
        .createTable('request_log_metadata')
        .addColumn('log_id', 'text', (column) => column.notNull())
        .addColumn('tenant', 'text', (column) => column.notNull())
        .addColumn('key', 'text', (column) => column.notNull())
        .addColumn('value', 'text', (column) => column.notNull())
        .addColumn('created_at', time, (column) => column.notNull())
        .addPrimaryKeyConstraint('request_log_metadata_pk', ['log_id', 'key'])
        .execute();
      await sql`create index request_log_metadata_filter on request_log_metadata (tenant, key, value, created_at desc, log_id desc)`.execute(
        db,
      );
      await sql`create index request_log_metadata_any_tenant on request_log_metadata (key, value, created_at desc, log_id desc)`.execute(
        db,
      );
    },
  };
}
