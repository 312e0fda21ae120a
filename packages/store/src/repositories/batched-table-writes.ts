import type { Kysely } from 'kysely';
import type { Database, Engine } from '../database/schema.js';
import { isSqliteBusy } from '../database/sqlite-lock-wait.js';

/** What {@link BatchedTableWrites} is built from. */
export interface BatchedTableWritesOptions<Value> {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  readonly flushMs: number;
  readonly onError: (error: unknown) => void;
  /** Folds `value` into what `pending` holds for `key` (a new record, or a failed batch put back). */
  readonly merge: (pending: Map<string, Value>, key: string, value: Value) => void;
  /** Writes one batch with `db` (the store's). */
  readonly write: (db: Kysely<Database>, batch: ReadonlyMap<string, Value>) => Promise<void>;
}

/**
 * Entries gathered in a map off the request path and written to a table in batches: `record` is a
 * map update; a timer writes what gathered every `flushMs` (one flush at a time; `close` writes the
 * rest). A failed flush puts its entries back for the next one. On SQLite a flush waits for another
 * process's write lock without blocking the thread (the store's connection waits asynchronously, up
 * to its lock wait's deadline); a flush refused for that lock (`SQLITE_BUSY`) is retried next time.
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

  /** Writes what has gathered. */
  async flush(): Promise<void> {
    if (this.#flushing) await this.#flushing;
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#flushing = this.#options
      .write(this.#options.db, batch)
      .catch((error: unknown) => {
        for (const [key, value] of batch) this.#options.merge(this.#pending, key, value);
        if (!isSqliteBusy(error)) this.#options.onError(error);
      })
      .finally(() => {
        this.#flushing = undefined;
      });
    await this.#flushing;
  }

  /** Stops the timer and writes what is left; answers the entries that could not be written (lost). */
  async close(): Promise<ReadonlyMap<string, Value>> {
    clearInterval(this.#timer);
    await this.flush();
    return this.#pending;
  }
}
