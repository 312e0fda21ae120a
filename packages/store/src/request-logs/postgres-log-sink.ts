import type { Insertable, Kysely } from 'kysely';
import type { Database, RequestLogMetadataTable, RequestLogsTable } from '../database/schema.js';
import { type RequestLogInput, rowsOf } from './log-record.js';
import type { LogSink } from './log-writer.js';

/** Rows per insert statement (40 columns: well under PostgreSQL's 65,535 parameters). */
const ROWS_PER_INSERT = 500;

/**
 * The PostgreSQL log sink: one transaction per batch, multi-row inserts, on the store's pool (the
 * driver is asynchronous: the event loop never waits for the database).
 */
export class PostgresLogSink implements LogSink {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async write(records: readonly RequestLogInput[]): Promise<void> {
    const logs: Insertable<RequestLogsTable>[] = [];
    const metadata: Insertable<RequestLogMetadataTable>[] = [];
    for (const record of records) {
      const rows = rowsOf(record);
      logs.push(rows.log);
      metadata.push(...rows.metadata);
    }
    await this.#db.transaction().execute(async (trx) => {
      for (let start = 0; start < logs.length; start += ROWS_PER_INSERT)
        await trx
          .insertInto('request_logs')
          .values(logs.slice(start, start + ROWS_PER_INSERT))
          // Idempotent: a batch retried after a commit whose reply was lost adds nothing twice.
          .onConflict((conflict) => conflict.doNothing())
          .execute();
      for (let start = 0; start < metadata.length; start += ROWS_PER_INSERT * 4)
        await trx
          .insertInto('request_log_metadata')
          .values(metadata.slice(start, start + ROWS_PER_INSERT * 4))
          .onConflict((conflict) => conflict.doNothing())
          .execute();
    });
  }

  async deleteBefore(before: number, limit: number): Promise<number> {
    return this.#db.transaction().execute(async (trx) => {
      const ids = (
        await trx
          .selectFrom('request_logs')
          .select('id')
          .where('created_at', '<', before)
          .limit(limit)
          .execute()
      ).map((row) => row.id);
      if (ids.length === 0) return 0;
      await trx.deleteFrom('request_log_metadata').where('log_id', 'in', ids).execute();
      await trx.deleteFrom('request_logs').where('id', 'in', ids).execute();
      return ids.length;
    });
  }

  async close(): Promise<void> {
    // The pool is the store's: closed with it.
  }
}
