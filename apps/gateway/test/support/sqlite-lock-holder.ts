import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The few calls of a better-sqlite3 connection the tests use. */
interface SqliteConnection {
  exec(sql: string): void;
  close(): void;
  readonly inTransaction: boolean;
}

// better-sqlite3 as @pk/store has it (the gateway does not depend on it itself).
const storeRequire = createRequire(createRequire(import.meta.url).resolve('@pk/store'));
const BetterSqlite3 = storeRequire('better-sqlite3') as new (path: string) => SqliteConnection;

/**
 * A second connection to a gateway's SQLite file, as another process's (a `sqlite3` shell, the `pk`
 * CLI) would be: `hold()` takes the write lock (`BEGIN IMMEDIATE`) and keeps it until `release()`.
 */
export class SqliteLockHolder {
  readonly #connection: SqliteConnection;

  constructor(dataDir: string) {
    this.#connection = new BetterSqlite3(join(dataDir, 'pk.db'));
  }

  hold(): void {
    this.#connection.exec('begin immediate');
  }

  release(): void {
    if (this.#connection.inTransaction) this.#connection.exec('rollback');
  }

  close(): void {
    this.release();
    this.#connection.close();
  }
}
