import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Database, Engine } from '../database/schema.js';
import { BatchedTableWrites } from './batched-table-writes.js';

const ROWS_PER_STATEMENT = 500;

/**
 * Records when each gateway key was last used, off the request path: `record` is one `Map.set`;
 * a timer writes what gathered in one transaction every `flushMs` (and `close` writes the rest).
 * These writes do not bump the change counter: they change nothing the request path serves. A
 * failed flush keeps its entries for the next one.
 */
export class KeyUsageRecorder {
  readonly #writes: BatchedTableWrites<number>;

  constructor(options: {
    readonly db: Kysely<Database>;
    readonly engine: Engine;
    readonly flushMs: number;
    readonly onError: (error: unknown) => void;
  }) {
    this.#writes = new BatchedTableWrites<number>({
      ...options,
      // The later use wins (a failed batch put back never hides a newer one).
      merge: (pending, keyId, at) => {
        if ((pending.get(keyId) ?? 0) < at) pending.set(keyId, at);
      },
      write: (db, batch) => upsertLastUses(db, batch),
    });
  }

  /** Notes that the key `keyId` authenticated a request at `at` (ms). */
  record(keyId: string, at: number): void {
    this.#writes.record(keyId, at);
  }

  /** Writes what has gathered (see {@link BatchedTableWrites} for SQLite's write lock). */
  flush(): Promise<void> {
    return this.#writes.flush();
  }

  /** Stops the timer and writes what is left; answers how many keys' last-used times were not written. */
  async close(): Promise<number> {
    return (await this.#writes.close()).size;
  }
}

async function upsertLastUses(db: Kysely<Database>, batch: ReadonlyMap<string, number>): Promise<void> {
  const rows = [...batch].map(([key_id, last_used_at]) => ({ key_id, last_used_at }));
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
