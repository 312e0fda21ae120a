import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
  type QueryResult,
  SqliteAdapter,
  SqliteDialect,
} from 'kysely';
import { isSqliteBusy, SqliteLockWait } from './sqlite-lock-wait.js';

/** What the dialect is built from: the connection (opened with `busy_timeout = 0`) and how long to wait. */
export interface PkSqliteDialectConfig {
  readonly database: BetterSqlite3.Database;
  readonly lockWait: SqliteLockWait;
}

/** Who uses the store's one connection: one caller (a query, a transaction) at a time, in turn. */
class ConnectionTurns {
  #current: Promise<void> | undefined;
  #release: (() => void) | undefined;

  async take(): Promise<void> {
    while (this.#current) await this.#current;
    this.#current = new Promise((resolve) => {
      this.#release = resolve;
    });
  }

  give(): void {
    const release = this.#release;
    this.#current = undefined;
    this.#release = undefined;
    release?.();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The store's better-sqlite3 connection as Kysely uses it. A statement refused with `SQLITE_BUSY`
 * outside a transaction (a `BEGIN IMMEDIATE`, a single write) is tried again after an async pause,
 * until the lock wait's deadline: meanwhile the gateway's thread serves everything else, and the
 * connection's turn goes to the store's other callers (reads never need the write lock in WAL).
 */
class LockWaitingConnection implements DatabaseConnection {
  readonly #db: BetterSqlite3.Database;
  readonly #turns: ConnectionTurns;
  readonly #lockWait: SqliteLockWait;

  constructor(db: BetterSqlite3.Database, turns: ConnectionTurns, lockWait: SqliteLockWait) {
    this.#db = db;
    this.#turns = turns;
    this.#lockWait = lockWait;
  }

  async executeQuery<Row>(compiledQuery: CompiledQuery): Promise<QueryResult<Row>> {
    const deadline = this.#lockWait.deadlineFrom(Date.now());
    for (let tries = 1; ; tries += 1) {
      try {
        return this.#run<Row>(compiledQuery);
      } catch (error) {
        const pause = SqliteLockWait.pauseAfter(tries);
        // Inside a transaction the statement is the transaction's: it is not the place to let go.
        if (!isSqliteBusy(error) || this.#db.inTransaction || Date.now() + pause > deadline) throw error;
        this.#turns.give();
        await sleep(pause);
        await this.#turns.take();
      }
    }
  }

  #run<Row>(compiledQuery: CompiledQuery): QueryResult<Row> {
    const { sql, parameters } = compiledQuery;
    const statement = this.#db.prepare(sql);
    if (statement.reader) return { rows: statement.all(parameters) as Row[] };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  // biome-ignore lint/correctness/useYield: the store never streams from SQLite.
  async *streamQuery<Row>(): AsyncIterableIterator<QueryResult<Row>> {
    throw new Error('the SQLite store does not stream queries');
  }
}

/**
 * Kysely's SQLite driver, but every transaction starts with `BEGIN IMMEDIATE`: it takes the write
 * lock up front instead of failing with `SQLITE_BUSY` when another process (a second gateway, the
 * CLI) wrote in between a deferred transaction's read and write; and waiting for that lock is async
 * (see {@link LockWaitingConnection}).
 */
class LockWaitingSqliteDriver implements Driver {
  readonly #config: PkSqliteDialectConfig;
  readonly #turns = new ConnectionTurns();
  readonly #connection: LockWaitingConnection;

  constructor(config: PkSqliteDialectConfig) {
    this.#config = config;
    this.#connection = new LockWaitingConnection(config.database, this.#turns, config.lockWait);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#turns.take();
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(
    connection: DatabaseConnection,
    name: string,
    _compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint "${name}"`));
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    _compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to "${name}"`));
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    _compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release "${name}"`));
  }

  async releaseConnection(): Promise<void> {
    this.#turns.give();
  }

  async destroy(): Promise<void> {
    this.#config.database.close();
  }
}

/** SQLite runs DDL inside transactions: let Kysely's migrator use one for the whole run. */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * The SQLite dialect pk uses: immediate write transactions whose lock is waited for without blocking
 * the thread, and migrations in one transaction, so two processes starting on a new file migrate
 * once (the second waits for the first, then finds nothing to do).
 */
export class PkSqliteDialect extends SqliteDialect {
  readonly #config: PkSqliteDialectConfig;

  constructor(config: PkSqliteDialectConfig) {
    super({ database: config.database });
    this.#config = config;
  }

  override createDriver(): Driver {
    return new LockWaitingSqliteDriver(this.#config);
  }

  override createAdapter(): SqliteAdapter {
    return new TransactionalSqliteAdapter();
  }
}
