import { Kysely } from 'kysely';
import { StoreStartError } from '../errors.js';
import type { Database } from './schema.js';
import { PkSqliteDialect } from './sqlite-dialect.js';

/** An open SQLite store file. */
export interface SqliteHandle {
  readonly db: Kysely<Database>;
  /** `PRAGMA journal_mode` and `auto_vacuum` as the file reports them (`wal`, 2 = incremental). */
  pragmas(): { journalMode: string; autoVacuum: number };
}

/**
 * Opens (or creates) the SQLite file at `path`. A new file gets incremental auto-vacuum (it must be
 * set before the first table exists) and WAL journaling, so readers never block the writer and
 * deleted pages can be given back in small steps. Writers wait up to 5 s for the lock.
 */
export async function openSqlite(path: string): Promise<SqliteHandle> {
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  let connection: InstanceType<typeof BetterSqlite3>;
  try {
    connection = new BetterSqlite3(path);
    connection.pragma('auto_vacuum = INCREMENTAL');
    connection.pragma('journal_mode = WAL');
    connection.pragma('synchronous = FULL');
    connection.pragma('busy_timeout = 5000');
    connection.pragma('foreign_keys = ON');
  } catch (error) {
    throw new StoreStartError(`cannot open the SQLite database ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const db = new Kysely<Database>({ dialect: new PkSqliteDialect({ database: connection }) });
  return {
    db,
    pragmas: () => ({
      journalMode: String(connection.pragma('journal_mode', { simple: true })),
      autoVacuum: Number(connection.pragma('auto_vacuum', { simple: true })),
    }),
  };
}
