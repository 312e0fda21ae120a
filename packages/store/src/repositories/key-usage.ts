import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../database/schema.js';

const ROWS_PER_STATEMENT = 500;

/**
 * Records when each gateway key was last used, off the request path: `record` is one `Map.set`;
 * a timer writes what gathered in one transaction every `flushMs` (and `close` writes the rest).
 * These writes do not bump the change counter: they change nothing the request path serves. A
 * failed flush keeps its entries for the next one.
 */
export class KeyUsageRecorder {
  readonly #db: Kysely<Database>;
  readonly #onError: (error: unknown) => void;
  #pending = new Map<string, number>();
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> | undefined;

  constructor(options: {
    readonly db: Kysely<Database>;
    readonly flushMs: number;
    readonly onError: (error: unknown) => void;
  }) {
    this.#db = options.db;
    this.#onError = options.onError;
    this.#timer = setInterval(() => void this.flush().catch(() => undefined), options.flushMs);
    this.#timer.unref();
  }

  /** Notes that the key `keyId` authenticated a request at `at` (ms). */
  record(keyId: string, at: number): void {
    this.#pending.set(keyId, at);
  }

  /** Writes what has gathered. */
  async flush(): Promise<void> {
    if (this.#flushing) await this.#flushing;
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#flushing = this.#write(batch)
      .catch((error: unknown) => {
        for (const [keyId, at] of batch) {
          if ((this.#pending.get(keyId) ?? 0) < at) this.#pending.set(keyId, at);
        }
        this.#onError(error);
      })
      .finally(() => {
        this.#flushing = undefined;
      });
    await this.#flushing;
  }

  async #write(batch: ReadonlyMap<string, number>): Promise<void> {
    const rows = [...batch].map(([key_id, last_used_at]) => ({ key_id, last_used_at }));
    await this.#db.transaction().execute(async (transaction) => {
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
    await this.flush();
  }
}
