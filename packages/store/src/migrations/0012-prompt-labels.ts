import { randomUUID } from 'node:crypto';
import { type Kysely, type Migration, sql } from 'kysely';
import type { Engine } from '../database/schema.js';

/** The labels every store starts with (Portkey's universal labels): they cannot be changed or deleted. */
export const UNIVERSAL_LABELS: readonly string[] = ['production', 'staging', 'development'];

/**
 * Portkey's prompt labels: names (`production`, `staging` … and the organisation's own) that point at
 * one version of each prompt, so a request names `pp-support@staging` and the label moves when a
 * version is promoted. `prompt_version_labels` holds one version per prompt and label.
 */
export function promptLabelsMigration(engine: Engine): Migration {
  const time = engine === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('labels')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('name', 'text', (column) => column.notNull().unique())
        .addColumn('description', 'text')
        .addColumn('color_code', 'text')
        .addColumn('is_universal', 'integer', (column) => column.notNull())
        .addColumn('created_at', time, (column) => column.notNull())
        .addColumn('updated_at', time, (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('prompt_version_labels')
        .addColumn('prompt_id', 'text', (column) =>
          column.notNull().references('prompts.id').onDelete('cascade'),
        )
        .addColumn('label_id', 'text', (column) =>
          column.notNull().references('labels.id').onDelete('cascade'),
        )
        .addColumn('version_id', 'text', (column) =>
          column.notNull().references('prompt_versions.id').onDelete('cascade'),
        )
        .addColumn('updated_at', time, (column) => column.notNull())
        .addPrimaryKeyConstraint('prompt_version_labels_pk', ['prompt_id', 'label_id'])
        .execute();
      await db.schema
        .createIndex('prompt_version_labels_version')
        .on('prompt_version_labels')
        .column('version_id')
        .execute();
      const now = Date.now();
      for (const name of UNIVERSAL_LABELS) {
        await sql`insert into labels (id, name, description, color_code, is_universal, created_at, updated_at)
          values (${randomUUID()}, ${name}, ${null}, ${null}, ${1}, ${now}, ${now})`.execute(db);
      }
    },
  };
}
