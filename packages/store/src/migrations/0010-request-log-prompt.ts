import type { Kysely, Migration } from 'kysely';

/**
 * The saved prompt (and version) a request ran, on its log record (`pp-support-1a2b3c@2`), so the
 * logs can be filtered by prompt like Portkey's `prompt_slug`. No index: like `config_id`, the filter
 * narrows a tenant's time range, which the tenant indexes already serve.
 */
export function requestLogPromptMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('request_logs').addColumn('prompt', 'text').execute();
    },
  };
}
