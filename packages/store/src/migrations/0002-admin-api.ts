import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../database/schema.js';

/**
 * What the admin API needs beyond the first schema: a description and Portkey's other API-key
 * fields on gateway keys, and guardrails defined once in the store (issue 17).
 */
export function adminApiMigration(engine: Engine): Migration {
  const time = engine === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // One column per statement: SQLite's ALTER TABLE adds one at a time.
      await db.schema.alterTable('gateway_keys').addColumn('description', 'text').execute();
      await db.schema.alterTable('gateway_keys').addColumn('attributes', 'text').execute();
      await db.schema
        .createTable('guardrails')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('slug', 'text', (column) => column.notNull().unique())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('definition', 'text', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('version_id', 'text', (column) => column.notNull())
        .addColumn('created_at', time, (column) => column.notNull())
        .addColumn('updated_at', time, (column) => column.notNull())
        .execute();
    },
  };
}
