import type { Insertable, Kysely } from 'kysely';
import type { Database, RequestLogMetadataTable, RequestLogsTable } from '../database/schema.js';
import { isUnavailableError } from '../repositories/store-context.js';
import { insertLogRowsIn } from './insert-log-rows.js';
import { type RequestLogInput, rowsOf } from './log-record.js';
import type { LogRow } from './log-spill.js';
import type { LogSink } from './log-writer.js';

/** Rows per insert statement (43 columns: well under PostgreSQL's 65,535 parameters). */
const ROWS_PER_INSERT = 500;

/** The log's `integer` columns on PostgreSQL (32 bits), and its `bigint` one. */
const INTEGER_COLUMNS: ReadonlySet<string> = new Set([
  'config_version',
  'stream',
  'status',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cached_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'retries',
  'body_truncated',
]);
const MAX_INTEGER = 2_147_483_647;

/**
 * A value PostgreSQL can hold in `column`: text without NUL (which PostgreSQL's text cannot hold:
 * replaced by U+FFFD), a whole number in an `integer` column's range (rounded; else null, or 0 for
 * the required `status`). SQLite stores all of these as given.
 */
function storable(column: string, value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\0') ? value.replaceAll('\0', '\uFFFD') : value;
  if (typeof value !== 'number' || !INTEGER_COLUMNS.has(column)) return value;
  if (Number.isInteger(value) && Math.abs(value) <= MAX_INTEGER) return value;
  const rounded = Math.round(value);
  if (Number.isFinite(rounded) && Math.abs(rounded) <= MAX_INTEGER) return rounded;
  return column === 'status' ? 0 : null;
}

/** A row with every value made {@link storable}. */
export function storableRow<Row extends object>(row: Row): Row {
  const values = row as Record<string, unknown>;
  for (const column of Object.keys(values)) values[column] = storable(column, values[column]);
  return row;
}

/**
 * The PostgreSQL log sink: one transaction per batch, multi-row inserts, on the store's pool (the
 * driver is asynchronous: the event loop never waits for the database).
 */
export class PostgresLogSink implements LogSink {
  readonly #db: Kysely<Database>;
  readonly #onRefused: (record: RequestLogInput, error: unknown) => void;
  #dropped = 0;

  /** `onWarning`: told of each record the database refused on its own (it is dropped). */
  constructor(db: Kysely<Database>, onWarning: (message: string) => void = () => undefined) {
    this.#db = db;
    this.#onRefused = (record, error) => {
      this.#dropped += 1;
      onWarning(
        `the log store refused record ${record.id} on its own (${(error as Error).message}); it is dropped`,
      );
    };
  }

  /**
   * Writes the records in one transaction. A database that cannot take them now (unreachable,
   * refusing connections, shutting down, out of connections: {@link isUnavailableError}) rejects
   * the whole batch, which the writer keeps and retries. Should it refuse the batch for another
   * reason (a value it cannot hold that slipped through), each record is written on its own and
   * the ones it still refuses are dropped, counted ({@link dropped}) and told about: one bad record
   * never holds back the log (the writer would retry the batch forever).
   */
  async write(records: readonly RequestLogInput[]): Promise<void> {
    try {
      await this.#insert(records);
      return;
    } catch (error) {
      if (isUnavailableError(error)) throw error;
      if (records.length === 1) {
        this.#onRefused(records[0] as RequestLogInput, error);
        return;
      }
    }
    for (const record of records) {
      try {
        await this.#insert([record]);
      } catch (refused) {
        if (isUnavailableError(refused)) throw refused;
        this.#onRefused(record, refused);
      }
    }
  }

  /** Records the database refused on their own (dropped), since start. */
  dropped(): number {
    return this.#dropped;
  }

  async #insert(records: readonly RequestLogInput[]): Promise<void> {
    const logs: Insertable<RequestLogsTable>[] = [];
    const metadata: Insertable<RequestLogMetadataTable>[] = [];
    for (const record of records) {
      const rows = rowsOf(record);
      logs.push(storableRow(rows.log));
      for (const row of rows.metadata) metadata.push(storableRow(row));
    }
    await this.#db.transaction().execute((trx) => insertLogRowsIn(trx, logs, metadata, ROWS_PER_INSERT));
  }

  /** The records' rows as they would have been written (every queued record is unwritten here). */
  async unwritten(records: readonly RequestLogInput[]): Promise<LogRow[]> {
    return records.map((record) => rowsOf(record).log as unknown as LogRow);
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
