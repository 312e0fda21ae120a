import type { Kysely, Migration } from 'kysely';

/**
 * Where a request's cost came from, on its log record: `cost_source`, `provider` when the provider
 * reported what it charged (OpenRouter's `usage.cost`), null when pk priced the usage with its price
 * table (and for every record written before); `cost_parts`, JSON of what a cost is made of when it
 * is more than one answer's usage (a Realtime session's responses and its input-audio
 * transcriptions, each at its own model's price). Read with their record, never filtered on: no index.
 */
export function requestLogCostSourceMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('request_logs').addColumn('cost_source', 'text').execute();
      await db.schema.alterTable('request_logs').addColumn('cost_parts', 'text').execute();
    },
  };
}
