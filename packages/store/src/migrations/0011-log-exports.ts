import { type Kysely, type Migration, sql } from 'kysely';
import type { Engine } from '../database/schema.js';

/**
 * Portkey's log exports: a job (filters, the fields asked for, a status, progress) and the JSONL it
 * wrote, in parts of at most ~1 MiB, so every replica can serve a download and a gateway never holds
 * a whole export in memory. A download link's token is kept as its SHA-256 with its expiry.
 */
export function logExportsMigration(engine: Engine): Migration {
  const time = engine === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('log_exports')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('tenant', 'text')
        .addColumn('created_by', 'text')
        .addColumn('description', 'text', (column) => column.notNull())
        .addColumn('filters', 'text', (column) => column.notNull())
        .addColumn('requested_data', 'text', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('total', 'integer')
        .addColumn('exported', 'integer', (column) => column.notNull())
        .addColumn('error', 'text')
        .addColumn('download_token_hash', 'text')
        .addColumn('download_expires_at', time)
        .addColumn('created_at', time, (column) => column.notNull())
        .addColumn('updated_at', time, (column) => column.notNull())
        .execute();
      await sql`create index log_exports_tenant_time on log_exports (tenant, created_at)`.execute(db);
      await db.schema
        .createTable('log_export_parts')
        .addColumn('export_id', 'text', (column) =>
          column.notNull().references('log_exports.id').onDelete('cascade'),
        )
        .addColumn('part', 'integer', (column) => column.notNull())
        .addColumn('body', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('log_export_parts_pk', ['export_id', 'part'])
        .execute();
    },
  };
}
