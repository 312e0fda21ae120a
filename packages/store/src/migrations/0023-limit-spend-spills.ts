import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../database/schema.js';

/**
 * The ids of limits' spend spilled at a shutdown (`limit-spend-spill.jsonl`) and written since to
 * `limit_spend`: each is inserted in the transaction that adds its amounts, so a replay cut short
 * (a crash between the commit and the file's removal) or a file read twice adds nothing twice.
 * Only spilled spend has a row: a few per shutdown the database missed, never per request.
 */
export function limitSpendSpillsMigration(engine: Engine): Migration {
  const integer = engine === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('limit_spend_spills')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('written_at', integer, (column) => column.notNull())
        .execute();
    },
  };
}
