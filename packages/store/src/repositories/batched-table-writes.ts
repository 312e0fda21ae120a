import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { SQLITE_BUSY_TIMEOUT_MS } from '../database/open-sqlite.js';
import type { Database, Engine } from '../database/schema.js';

/** What {@link BatchedTableWrites} is built from. */
export interface BatchedTableWritesOptions<Value> {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  readonly flushMs: number;
  readonly onError: (error: unknown) => void;
  /** Folds `value` into what `pending` holds for `key` (a new record, or a failed batch put back). */
  readonly merge: (pending: Map<string, Value>, key: string, value: Value) => void;
  /** Writes one batch with `db` (the store's, or one SQLite connection that does not wait for a lock). */
  readonly write: (db: Kysely<Database>, batch: ReadonlyMap<string, Value>) => Promise<void>;
}

/**
 * Entries gathered in a map off the request path and written to a table in batches: `record` is a
 * map update; a timer writes what gathered every `flushMs` (one flush at a time; `close` writes the
 * rest). A failed flush puts its entries back for the next one. On SQLite a timed flush never waits
 * for another process's write lock (better-sqlite3 would wait synchronously, on the gateway's only
 * thread): it is retried next time; `flush(true)` (reads, close) waits up to the usual busy timeout.
 */
export class BatchedTableWrites<Value> {
  readonly #options: BatchedTableWritesOptions<Value>;
  #pending = new Map<string, Value>();
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> | undefined;

  constructor(options: BatchedTableWritesOptions<Value>) {
    this.#options = options;
    this.#timer = setInterval(() => void this.flush().catch(() => undefined), options.flushMs);
    this.#timer.unref();
  }

  /** Folds `value` into the entry of `key` not written yet. */
  record(key: string, value: Value): void {
    this.#options.merge(this.#pending, key, value);
  }

  /** The entries not written yet (to drop some of them before they are). */
  get pending(): Map<string, Value> {
    return this.#pending;
  }

  /** Writes what has gathered; `waitForLock` lets SQLite wait for another writer's lock. */
  async flush(waitForLock = false): Promise<void> {
    if (this.#flushing) await this.#flushing;
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#flushing = this.#write(batch, waitForLock)
      .catch((error: unknown) => {
        for (const [key, value] of batch) this.#options.merge(this.#pending, key, value);
        if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') this.#options.onError(error);
      })
      .finally(() => {
        this.#flushing = undefined;
      });
    await this.#flushing;
  }

  async #write(batch: ReadonlyMap<string, Value>, waitForLock: boolean): Promise<void> {
    const { db, engine, write } = this.#options;
    if (engine === 'sqlite' && !waitForLock) {
      await db.connection().execute(async (connection) => {
        await sql`pragma busy_timeout = 0`.execute(connection);
        try {
          await write(connection, batch);
        } finally {
          await sql`pragma busy_timeout = ${sql.raw(String(SQLITE_BUSY_TIMEOUT_MS))}`.execute(connection);
        }
      });
      return;
    }
    await write(db, batch);
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush(true);
  }
}
