import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../database/schema.js';

/**
 * The settled spend of limited subjects (virtual keys, gateway keys, metadata values) per UTC day,
 * so that budgets survive a restart of a one-process gateway and a change of their reset period
 * (every period pk knows starts at a UTC midnight: a period's spend is a sum of days). The primary
 * key `(subject, day)` serves both reads: one subject's days from a start, and a metadata rule's
 * subjects (a prefix of `subject`).
 */
export function limitSpendMigration(engine: Engine): Migration {
  const integer = engine === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('limit_spend')
        .addColumn('subject', 'text', (column) => column.notNull())
        .addColumn('day', 'integer', (column) => column.notNull())
        .addColumn('cost_micros', integer, (column) => column.notNull())
        .addColumn('tokens', integer, (column) => column.notNull())
        .addColumn('requests', integer, (column) => column.notNull())
        .addPrimaryKeyConstraint('limit_spend_pk', ['subject', 'day'])
        .execute();
    },
  };
}
