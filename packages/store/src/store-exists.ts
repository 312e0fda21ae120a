import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { isPostgresUrl } from './database/connection-url.js';
import { openPostgres } from './database/open-postgres.js';
import { MIGRATION_TABLE } from './migrations/migrate.js';
import { DEFAULT_DATA_DIR, SQLITE_FILE } from './open-store.js';

/**
 * Whether the store {@link openStore} would open already exists, found without creating anything:
 * the SQLite file in the data directory, or on PostgreSQL the table of applied migrations (pk has
 * migrated that database before). A gateway that would refuse to start without stored keys asks
 * this first, so that its refusal creates no data directory, database or master key just to look.
 */
export async function storeExists(options: {
  readonly databaseUrl?: string | undefined;
  readonly dataDir?: string | undefined;
}): Promise<boolean> {
  const databaseUrl = options.databaseUrl === '' ? undefined : options.databaseUrl;
  if (databaseUrl === undefined) {
    try {
      await access(join(resolve(options.dataDir || DEFAULT_DATA_DIR), SQLITE_FILE));
      return true;
    } catch {
      return false;
    }
  }
  // Not a postgres:// URL: openStore refuses it with its own message.
  if (!isPostgresUrl(databaseUrl)) return true;
  const { db } = await openPostgres(databaseUrl, () => undefined);
  try {
    // Resolved through the connection's search_path, as the migrator's own table name is.
    const result = await sql<{
      found: boolean;
    }>`select to_regclass(${MIGRATION_TABLE}) is not null as found`.execute(db);
    return result.rows[0]?.found === true;
  } finally {
    await db.destroy();
  }
}
