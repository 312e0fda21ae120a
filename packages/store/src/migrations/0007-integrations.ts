import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../database/schema.js';

/**
 * Portkey's model catalog: integrations (a provider's credentials and configuration, defined once)
 * and the providers made from them, which are virtual keys that name their integration. A provider's
 * credentials are a copy of its integration's, encrypted for the provider's own record, so the
 * request path reads virtual keys only; changing an integration rewrites its providers' copies in the
 * same transaction.
 */
export function integrationsMigration(engine: Engine): Migration {
  const time = engine === 'postgres' ? 'bigint' : 'integer';
  const bytes = engine === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('integrations')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('slug', 'text', (column) => column.notNull().unique())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('description', 'text')
        .addColumn('provider', 'text', (column) => column.notNull())
        .addColumn('options', 'text', (column) => column.notNull())
        .addColumn('secret', bytes)
        .addColumn('secret_key_id', 'text')
        .addColumn('secret_hints', 'text', (column) => column.notNull())
        .addColumn('created_at', time, (column) => column.notNull())
        .addColumn('updated_at', time, (column) => column.notNull())
        .execute();
      await db.schema.alterTable('virtual_keys').addColumn('integration_id', 'text').execute();
      await db.schema
        .createIndex('virtual_keys_integration')
        .on('virtual_keys')
        .column('integration_id')
        .execute();
    },
  };
}
