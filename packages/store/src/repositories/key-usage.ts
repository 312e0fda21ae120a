import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { SQLITE_BUSY_TIMEOUT_MS } from '../database/open-sqlite.js';
import type { Database, Engine } from '../database/schema.js';

const ROWS_PER_STATEMENT = 500;

/**
 * Records when each gateway key was last used, off the request path: `record` is one `Map.set`;
 * a timer writes what gathered in one transaction every `flushMs` (and `close` writes the rest).
 * These writes do not bump the change counter: they change nothing the request path serves. A
 * failed flush keeps its entries for the next one.
 */
export class KeyUsageRecorder {
  readonly #db: Kysely<Database>;
  readonly #engine: Engine;
  readonly #onError: (error: unknown) => void;
  #pending = new Map<string, number>();
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> | undefined;

  constructor(options: {
    readonly db: Kysely<Database>;
    readonly engine: Engine;
    readonly flushMs: number;
    readonly onError: (error: unknown) => void;
  }) {
    this.#db = options.db;
    this.#engine = options.engine;
    this.#onError = options.onError;
    this.#timer = setInterval(() => void this.flush().catch(() => undefined), options.flushMs);
    this.#timer.unref();
  }

  /** Notes that the key `keyId` authenticated a request at `at` (ms). */
  record(keyId: string, at: number): void {
    this.#pending.set(keyId, at);
  }

  /**
   * Writes what has gathered. On SQLite a timed flush never waits for another process's write lock
   * (it is retried next time); `waitForLock` (on close) waits up to the usual busy timeout.
   */
  async flush(waitForLock = false): Promise<void> {
    if (this.#flushing) await this.#flushing;
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#flushing = this.#write(batch, waitForLock)
      .catch((error: unknown) => {
        for (const [keyId, at] of batch) {
          if ((this.#pending.get(keyId) ?? 0) < at) this.#pending.set(keyId, at);
        }
        if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') this.#onError(error);
      })
      .finally(() => {
        this.#flushing = undefined;
      });
    await this.#flushing;
  }

  async #write(batch: ReadonlyMap<string, number>, waitForLock: boolean): Promise<void> {
    const rows = [...batch].map(([key_id, last_used_at]) => ({ key_id, last_used_at }));
    if (this.#engine === 'sqlite' && !waitForLock) {
      // better-sqlite3 waits for a busy lock synchronously, on the gateway's only thread: a flush
      // never waits (busy_timeout 0); when another writer holds the lock it is retried next time.
      await this.#db.connection().execute(async (connection) => {
        await sql`pragma busy_timeout = 0`.execute(connection);
        try {
          await this.#upsert(connection, rows);
        } finally {
          await sql`pragma busy_timeout = ${sql.raw(String(SQLITE_BUSY_TIMEOUT_MS))}`.execute(connection);
        }
      });
      return;
    }
    await this.#upsert(this.#db, rows);
  }

  async #upsert(db: Kysely<Database>, rows: { key_id: string; last_used_at: number }[]): Promise<void> {
    await db.transaction().execute(async (transaction) => {
      for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
        await transaction
          .insertInto('gateway_key_usage')
          .values(rows.slice(start, start + ROWS_PER_STATEMENT))
          .onConflict((conflict) =>
            conflict.column('key_id').doUpdateSet({
              // Two replicas flushing: the later use wins, whichever writes last.
              last_used_at: sql<number>`case when excluded.last_used_at > gateway_key_usage.last_used_at then excluded.last_used_at else gateway_key_usage.last_used_at end`,
            }),
          )
          .execute();
      }
    });
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush(true);
  }
}
