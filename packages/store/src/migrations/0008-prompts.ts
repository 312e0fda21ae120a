import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../database/schema.js';

/**
 * Portkey's prompt library: prompts (a slug requests name, a name, a collection) and their
 * versions, immutable, each a template with its parameters and model settings. A prompt serves its
 * published version; a change adds a version and leaves the published one as it was.
 */
export function promptsMigration(engine: Engine): Migration {
  const time = engine === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('prompts')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('slug', 'text', (column) => column.notNull().unique())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('collection_id', 'text')
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('published_version', 'integer', (column) => column.notNull())
        .addColumn('latest_version', 'integer', (column) => column.notNull())
        .addColumn('created_at', time, (column) => column.notNull())
        .addColumn('updated_at', time, (column) => column.notNull())
        .execute();
      await db.schema.createIndex('prompts_collection').on('prompts').column('collection_id').execute();
      await db.schema
        .createTable('prompt_versions')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('prompt_id', 'text', (column) =>
          column.notNull().references('prompts.id').onDelete('cascade'),
        )
        .addColumn('version', 'integer', (column) => column.notNull())
        .addColumn('template', 'text', (column) => column.notNull())
        .addColumn('parameters', 'text', (column) => column.notNull())
        .addColumn('model', 'text')
        .addColumn('virtual_key', 'text')
        .addColumn('functions', 'text')
        .addColumn('tools', 'text')
        .addColumn('tool_choice', 'text')
        .addColumn('description', 'text')
        .addColumn('template_metadata', 'text')
        .addColumn('created_at', time, (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .addUniqueConstraint('prompt_versions_prompt_version', ['prompt_id', 'version'])
        .execute();
    },
  };
}
