import type { Kysely, Migration } from 'kysely';

/**
 * What went wrong, on a request's log record: `error_message`, the message of the error answer the
 * client got (pk's own, the provider's, or a stream's in-band error), and `guardrails`, the hooks'
 * check results (JSON: ids, verdicts, timings, which hook denied, what was found or redacted, never
 * the text itself). Both are read with their record, never filtered on: no index.
 */
export function requestLogGuardrailsAndErrorMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('request_logs').addColumn('error_message', 'text').execute();
      await db.schema.alterTable('request_logs').addColumn('guardrails', 'text').execute();
    },
  };
}
