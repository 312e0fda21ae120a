import { chmod, stat } from 'node:fs/promises';
import { Kysely } from 'kysely';
import { StoreStartError } from '../errors.js';
import type { Database } from './schema.js';
import { PkSqliteDialect } from './sqlite-dialect.js';

/** How long a write waits for another process's write lock (ms). */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/** An open SQLite store file. */
export interface SqliteHandle {
  readonly db: Kysely<Database>;
  /** `PRAGMA journal_mode` and `auto_vacuum` as the file reports them (`wal`, 2 = incremental). */
  pragmas(): { journalMode: string; autoVacuum: number };
  /**
   * Gives free pages back to the file system, at most `maxPages` at a time (incremental vacuum:
   * short, so it never holds the write lock for long). Run after deleting many rows.
   */
  reclaimSpace(maxPages: number): void;
}

/**
 * Opens (or creates) the SQLite file at `path`. A new file gets incremental auto-vacuum (it must be
 * set before the first table exists) and WAL journaling, so readers never block the writer and
 * deleted pages can be given back in small steps. Writers wait up to 5 s for the lock. A new file
 * is made readable by its owner only.
 */
export async function openSqlite(path: string): Promise<SqliteHandle> {
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  const isNew = await stat(path).then(
    () => false,
    () => true,
  );
  let connection: InstanceType<typeof BetterSqlite3>;
  try {
    connection = new BetterSqlite3(path);
    // Key hashes and ciphertexts: readable by the gateway's user only (WAL files follow the file's mode).
    if (isNew) await chmod(path, 0o600);
    connection.pragma('auto_vacuum = INCREMENTAL');
    connection.pragma('journal_mode = WAL');
    connection.pragma('synchronous = FULL');
    connection.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
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
    // Stepped to completion (`pragma()` reads every row): one step would free a single page.
    reclaimSpace: (maxPages) => {
      connection.pragma(`incremental_vacuum(${Math.max(1, Math.floor(maxPages))})`);
    },
  };
}
