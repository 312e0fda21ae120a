import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Cheaper request log writes (issue 18: the log store's CPU per request), same queries.
 *
 * 1. **The log indexes in ascending order.** Records arrive in time order; an index declared
 *    `created_at desc` put each new entry at the b-tree's left edge, where a full page splits in
 *    two half-empty ones (SQLite's and PostgreSQL's cheap path is for entries at the right edge).
 *    Both engines read an ascending index backwards for `order by created_at desc`, so every query
 *    plan stays the same. Measured on SQLite: ~3 µs less per record and an ~18 % smaller file.
 * 2. **`_user` is filtered on the log row's `user_id` column**, with two partial indexes (a
 *    tenant's, every tenant's) of the records that have one, instead of a row in
 *    `request_log_metadata` with its four b-trees: the most common metadata key costs two index
 *    entries instead of four. Its old metadata rows are deleted here (the `user_id` column has
 *    always held the same value).
 *
 * On a database with many records this rebuilds six indexes once, at the first start of this
 * version: ~20 s per million records on either engine (measured on the project's 2-core machine).
 * On PostgreSQL the index builds hold writes to `request_logs` meanwhile: replicas of the previous
 * version still running queue their records (and drop them, counted, once their queue is full).
 */
export function requestLogWriteCostMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const statements = [
        'drop index if exists request_logs_tenant_time',
        'create index request_logs_tenant_time on request_logs (tenant, created_at, id)',
        'drop index if exists request_logs_time',
        'create index request_logs_time on request_logs (created_at, id)',
        'create index request_logs_user on request_logs (tenant, user_id, created_at, id) where user_id is not null',
        'create index request_logs_user_any_tenant on request_logs (user_id, created_at, id) where user_id is not null',
        "delete from request_log_metadata where key = '_user'",
        'drop index if exists request_log_metadata_filter',
        'create index request_log_metadata_filter on request_log_metadata (tenant, key, value, created_at, log_id)',
        'drop index if exists request_log_metadata_any_tenant',
        'create index request_log_metadata_any_tenant on request_log_metadata (key, value, created_at, log_id)',
      ];
      for (const statement of statements) await sql.raw(statement).execute(db);
    },
  };
}
