import { type Kysely, type Migration, sql } from 'kysely';
import type { Engine } from '../database/schema.js';

/**
 * Console sign-in sessions (issue 20), kept in the store so every replica honours them: the
 * SHA-256 of the cookie's token (the token itself is never stored), the gateway key it was
 * exchanged for, the CSRF token the console's writes must carry, and the times.
 */
export function consoleSessionsMigration(engine: Engine): Migration {
  const time = engine === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('console_sessions')
        .addColumn('token_hash', 'text', (column) => column.primaryKey())
        .addColumn('key_id', 'text', (column) => column.notNull())
        .addColumn('csrf_token', 'text', (column) => column.notNull())
        .addColumn('created_at', time, (column) => column.notNull())
        .addColumn('expires_at', time, (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('console_sessions_key_id')
        .on('console_sessions')
        .column('key_id')
        .execute();
      await db.schema
        .createIndex('console_sessions_expires_at')
        .on('console_sessions')
        .column('expires_at')
        .execute();
      await sql`create index if not exists request_logs_time on request_logs (created_at desc, id desc)`.execute(
        db,
      );
    },
  };
}
