import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../database/schema.js';

/**
 * Portkey's prompt collections: folders of prompts (and of other collections). A prompt names its
 * collection in its own `collection_id` (migration 0008: text, so prompts made before collections
 * existed keep theirs); a collection is named by its id or its slug.
 */
export function promptCollectionsMigration(engine: Engine): Migration {
  const time = engine === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('collections')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('slug', 'text', (column) => column.notNull().unique())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('parent_id', 'text', (column) => column.references('collections.id'))
        .addColumn('created_at', time, (column) => column.notNull())
        .addColumn('updated_at', time, (column) => column.notNull())
        .execute();
      await db.schema.createIndex('collections_parent').on('collections').column('parent_id').execute();
    },
  };
}
