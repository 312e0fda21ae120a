import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../database/schema.js';

/**
 * Portkey's prompt partials: templates that other templates include (`{{>slug}}`), versioned and
 * published like prompts. They are rows of `prompts` (with their versions in `prompt_versions`)
 * whose `kind` is `partial`; slugs stay unique across both, so a template names one thing.
 */
export function promptPartialsMigration(_engine: Engine): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('prompts')
        .addColumn('kind', 'text', (column) => column.notNull().defaultTo('prompt'))
        .execute();
    },
  };
}
