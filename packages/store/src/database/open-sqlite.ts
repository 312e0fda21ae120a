import { chmod, stat } from 'node:fs/promises';
import { Kysely } from 'kysely';
import { StoreStartError } from '../errors.js';
import type { Database } from './schema.js';
import { PkSqliteDialect } from './sqlite-dialect.js';
import { isSqliteBusy, SqliteLockWait } from './sqlite-lock-wait.js';

export { SQLITE_BUSY_TIMEOUT_MS } from './sqlite-lock-wait.js';

/** An open SQLite store file. */
export interface SqliteHandle {
  readonly db: Kysely<Database>;
  /** How long the connection's statements wait for another process's write lock (a shutdown shortens it). */
  readonly lockWait: SqliteLockWait;
  /** `PRAGMA journal_mode` and `auto_vacuum` as the file reports them (`wal`, 2 = incremental). */
  pragmas(): { journalMode: string; autoVacuum: number };
  /**
   * Gives free pages back to the file system, at most `maxPages` at a time (incremental vacuum:
   * short, so it never holds the write lock for long). Run after deleting many rows. Another
   * process's write lock is waited for like the store's writes' (async, then `SQLITE_BUSY`).
   */
  reclaimSpace(maxPages: number): Promise<void>;
}

/**
 * Opens (or creates) the SQLite file at `path`. A new file gets incremental auto-vacuum (it must be
 * set before the first table exists) and WAL journaling, so readers never block the writer and
 * deleted pages can be given back in small steps. Writers wait up to 5 s for the lock, without
 * blocking the thread (see {@link SqliteLockWait}). A new file is made readable by its owner only.
 */
export async function openSqlite(path: string, lockWait = new SqliteLockWait()): Promise<SqliteHandle> {
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
    // Never wait inside SQLite: better-sqlite3 is synchronous, a wait there would stop every request.
    connection.pragma('busy_timeout = 0');
    connection.pragma('foreign_keys = ON');
  } catch (error) {
    throw new StoreStartError(`cannot open the SQLite database ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const db = new Kysely<Database>({ dialect: new PkSqliteDialect({ database: connection, lockWait }) });
  return {
    db,
    lockWait,
    pragmas: () => ({
      journalMode: String(connection.pragma('journal_mode', { simple: true })),
      autoVacuum: Number(connection.pragma('auto_vacuum', { simple: true })),
    }),
    // Stepped to completion (`pragma()` reads every row): one step would free a single page.
    // In the connection's turn (not inside another caller's transaction); given back between tries.
    reclaimSpace: async (maxPages) => {
      const deadline = lockWait.deadlineFrom(Date.now());
      for (let tries = 1; ; tries += 1) {
        try {
          await db.connection().execute(async () => {
            connection.pragma(`incremental_vacuum(${Math.max(1, Math.floor(maxPages))})`);
          });
          return;
        } catch (error) {
          const pause = SqliteLockWait.pauseAfter(tries);
          if (!isSqliteBusy(error) || Date.now() + pause > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, pause));
        }
      }
    },
  };
}
