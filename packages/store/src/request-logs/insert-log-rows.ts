import type { Insertable, Kysely } from 'kysely';
import type { Database, RequestLogMetadataTable, RequestLogsTable } from '../database/schema.js';

/**
 * Inserts request log rows and their metadata rows, `rowsPerInsert` log rows (and four times as many
 * metadata rows, which have 5 columns) per statement, inside the caller's transaction. Idempotent: a
 * row whose id is already stored is skipped, so a batch retried after a commit whose reply was lost,
 * or a spill-file replay a crash cut short, adds nothing twice. Resolves how many log rows it
 * inserted (those whose id was stored already are not among them).
 */
export async function insertLogRowsIn(
  trx: Kysely<Database>,
  logs: readonly Insertable<RequestLogsTable>[],
  metadata: readonly Insertable<RequestLogMetadataTable>[],
  rowsPerInsert: number,
): Promise<number> {
  let inserted = 0;
  for (let start = 0; start < logs.length; start += rowsPerInsert) {
    const result = await trx
      .insertInto('request_logs')
      .values(logs.slice(start, start + rowsPerInsert))
      .onConflict((conflict) => conflict.doNothing())
      .executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0n);
  }
  for (let start = 0; start < metadata.length; start += rowsPerInsert * 4)
    await trx
      .insertInto('request_log_metadata')
      .values(metadata.slice(start, start + rowsPerInsert * 4))
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  return inserted;
}
