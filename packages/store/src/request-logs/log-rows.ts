import { access, constants, stat } from 'node:fs/promises';
import type { Insertable, Kysely } from 'kysely';
import type { Database, Engine, RequestLogMetadataTable, RequestLogsTable } from '../database/schema.js';
import { isUnavailableError } from '../repositories/store-context.js';
import { insertLogRowsIn } from './insert-log-rows.js';
import { USER_METADATA_KEY } from './log-record.js';
import type { LogRow } from './log-spill.js';
import { storableRow } from './postgres-log-sink.js';

/** Rows per insert statement (41 columns: well under PostgreSQL's 65,535 parameters and SQLite's 32,766). */
const ROWS_PER_INSERT = 200;

/** The `request_log_metadata` rows of a log row: one per key of its `metadata` column but `_user`. */
function metadataRowsOf(row: LogRow): Insertable<RequestLogMetadataTable>[] {
  if (typeof row.metadata !== 'string') return [];
  let metadata: unknown;
  try {
    metadata = JSON.parse(row.metadata);
  } catch {
    return [];
  }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return [];
  const rows: Insertable<RequestLogMetadataTable>[] = [];
  for (const [key, value] of Object.entries(metadata)) {
    if (key === USER_METADATA_KEY) continue;
    rows.push({
      log_id: row.id as string,
      tenant: row.tenant as string,
      key,
      value: typeof value === 'string' ? value : JSON.stringify(value),
      created_at: row.created_at as number,
    });
  }
  return rows;
}

async function insertRows(db: Kysely<Database>, engine: Engine, rows: readonly LogRow[]): Promise<number> {
  const logs: Insertable<RequestLogsTable>[] = [];
  const metadata: Insertable<RequestLogMetadataTable>[] = [];
  for (const row of rows) {
    const log = { ...row } as unknown as Insertable<RequestLogsTable>;
    const metadataRows = metadataRowsOf(row);
    logs.push(engine === 'postgres' ? storableRow(log) : log);
    for (const metadataRow of metadataRows)
      metadata.push(engine === 'postgres' ? storableRow(metadataRow) : metadataRow);
  }
  return db.transaction().execute((trx) => insertLogRowsIn(trx, logs, metadata, ROWS_PER_INSERT));
}

/** What a write of whole log rows did: rows inserted, and rows the database refused (left out). */
export interface LogRowsWritten {
  /** Rows inserted now (not those whose id was stored already). */
  readonly written: number;
  /** Rows refused on their own (told to `onRefused`). */
  readonly refused: number;
}

/**
 * Refuses (as unavailable: retried) when the SQLite file at `path` was made read-only, as the log's
 * writer thread does: an open connection would go on writing to it, and root ignores the mode.
 */
export async function assertSqliteWritable(path: string): Promise<void> {
  await access(path, constants.W_OK);
  if (((await stat(path)).mode & 0o222) === 0)
    throw Object.assign(new Error('the SQLite file is read-only'), { code: 'SQLITE_READONLY' });
}

/**
 * Writes whole `request_logs` rows (a spill file's) in one transaction, idempotently, with their
 * metadata rows. Should the database refuse the batch for a reason other than being unreachable,
 * each row is written on its own and the ones it still refuses are told to `onRefused` and left out:
 * one bad row never holds back the rest (a batch of that one row included). Resolves how many rows
 * were inserted and how many refused: the others were stored already.
 */
export async function insertLogRows(
  db: Kysely<Database>,
  engine: Engine,
  rows: readonly LogRow[],
  onRefused: (row: LogRow, error: unknown) => void,
): Promise<LogRowsWritten> {
  if (rows.length === 0) return { written: 0, refused: 0 };
  try {
    return { written: await insertRows(db, engine, rows), refused: 0 };
  } catch (error) {
    if (isUnavailableError(error)) throw error;
    if (rows.length === 1) {
      onRefused(rows[0] as LogRow, error);
      return { written: 0, refused: 1 };
    }
    let written = 0;
    let refusedRows = 0;
    for (const row of rows) {
      try {
        written += await insertRows(db, engine, [row]);
      } catch (refused) {
        if (isUnavailableError(refused)) throw refused;
        onRefused(row, refused);
        refusedRows += 1;
      }
    }
    return { written, refused: refusedRows };
  }
}
