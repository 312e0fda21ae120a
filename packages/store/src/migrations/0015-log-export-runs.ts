import type { Kysely, Migration } from 'kysely';

/**
 * Each start of a log export is a run of its own (`run_id`), and only that run may report progress,
 * write parts and finish: a job that was cancelled, or taken for interrupted after 2 minutes without
 * progress, and that wakes up after the export was started again, no longer writes into its file.
 */
export function logExportRunsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('log_exports').addColumn('run_id', 'text').execute();
    },
  };
}
